"""Library folders and albums named as a person names them, on the command
line over real photos: a missing folder is refused and stores nothing; a
folder leaves the library (files untouched) and comes back with every row;
an album is found by its id, title as shown, folder or a unique part of its
title, and a name that fits several lists them."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys

import pytest

from photoorg.engine.albums.naming import AlbumNotFound, AmbiguousAlbum, resolve_album, shown_title
from photoorg.engine.catalog import Catalog

from test_gui_support import make_albums


def photoorg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "photoorg.engine.cli", *args], capture_output=True, text=True,
                          timeout=300)


def _dump(path, skip=("user_actions", "scan_runs", "sqlite_sequence")) -> dict:
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'") if r[0] not in skip]
    out = {t: sorted(map(repr, conn.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}
    conn.close()
    return out


@pytest.fixture
def library(shared_photos, tmp_path):
    lib = tmp_path / "lib"
    shutil.copytree(shared_photos / "exif" / "jpg" / "hdr", lib / "hdr")
    shutil.copytree(shared_photos / "immich" / "albums" / "nature", lib / "nature")
    return lib


def test_a_missing_folder_is_refused_and_stores_nothing(tmp_path, library):
    cat = tmp_path / "cat.sqlite"
    alone = photoorg("scan", "/no/such/dir", "--catalog", str(cat))
    assert alone.returncode != 0 and "no such folder: /no/such/dir" in alone.stderr
    assert "Traceback" not in alone.stderr and not cat.exists()  # nothing stored, not even a catalog
    both = photoorg("scan", "/no/such/dir", str(library / "hdr"), "--catalog", str(cat), "--json")
    assert both.returncode != 0 and "/no/such/dir" in both.stderr
    out = json.loads(both.stdout)
    assert out["added"] == 4 and out["refused"] == ["/no/such/dir"]
    with Catalog(cat, readonly=True) as c:
        assert c.roots() == [str(library / "hdr")]
        assert c.scalar("SELECT count(*) FROM scan_runs WHERE roots LIKE '%no/such%'") == 0


def test_a_folder_leaves_the_library_files_untouched_and_undo_brings_every_row_back(tmp_path, library):
    cat = tmp_path / "cat.sqlite"
    assert photoorg("scan", str(library / "hdr"), str(library / "nature"), "--catalog", str(cat)).returncode == 0
    with Catalog(cat) as c:
        hdr_ids = [p.id for p in c.photos() if "/hdr/" in p.path]
        c.set_rating(hdr_ids[:1], 4)
        c.save_series("series", "hdr-pair", [(hdr_ids[0], 1, 0.8), (hdr_ids[1], 2, 0.4)])
        make_albums(c)
        total = c.photo_count()
    before = _dump(cat)
    files = sorted(p.name for p in (library / "hdr").iterdir())
    removed = photoorg("remove-folder", "hdr", "--catalog", str(cat), "--json")
    assert removed.returncode == 0, removed.stderr
    out = json.loads(removed.stdout)
    assert out["photos_removed"] == len(hdr_ids) == 4
    assert sorted(p.name for p in (library / "hdr").iterdir()) == files  # the files stay
    with Catalog(cat, readonly=True) as c:
        assert c.photo_count() == total - 4 and c.roots() == [str(library / "nature")]
        assert all("/hdr" not in e.path for e in c.folder_entries())
    wrong = photoorg("remove-folder", "/no/such", "--catalog", str(cat))
    assert wrong.returncode != 0 and "not a library folder" in wrong.stderr and "nature" in wrong.stderr
    undone = photoorg("undo", "--action", "--catalog", str(cat))
    assert undone.returncode == 0, undone.stderr
    assert _dump(cat) == before  # every row, rating, series, album membership and folder back


@pytest.fixture
def albums_catalog(tmp_path, library):
    cat = tmp_path / "cat.sqlite"
    assert photoorg("scan", str(library), "--catalog", str(cat)).returncode == 0
    with Catalog(cat) as c:
        make_albums(c)
        albums = c.albums()
        assert len(albums) == 2
        c.rename_album(albums[0].id, "Birthday at the lake")
        c.rename_album(albums[1].id, "Lake walk")
    return cat


def test_an_album_is_named_as_a_person_names_it(albums_catalog):
    with Catalog(albums_catalog, readonly=True) as c:
        birthday, walk = c.albums()
        assert resolve_album(c, str(birthday.id)) == birthday.id
        assert resolve_album(c, "Birthday") == birthday.id           # a unique part of the title
        assert resolve_album(c, "birthday AT the lake") == birthday.id
        assert resolve_album(c, shown_title(walk)) == walk.id          # the title as the list shows it
        folders = c.folder_paths()
        nature = next(a for a in (birthday, walk) if folders[a.folder_id].endswith("/nature"))
        assert resolve_album(c, "nature") == nature.id                # its folder's name
        assert resolve_album(c, folders[nature.folder_id]) == nature.id  # its folder's path
        with pytest.raises(AmbiguousAlbum) as err:
            resolve_album(c, "lake")
        assert str(birthday.id) in str(err.value) and str(walk.id) in str(err.value)
        assert "Birthday at the lake" in str(err.value) and "Lake walk" in str(err.value)
        with pytest.raises(AlbumNotFound):
            resolve_album(c, "Halloween")


def test_export_story_takes_a_part_of_a_title(albums_catalog, tmp_path):
    ok = photoorg("export-story", "Birthday", "--out", str(tmp_path / "s.mp4"), "--plan-only", "--json",
                  "--catalog", str(albums_catalog))
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["title"] == "Birthday at the lake"
    ambiguous = photoorg("export-story", "lake", "--out", str(tmp_path / "s.mp4"), "--plan-only",
                         "--catalog", str(albums_catalog))
    assert ambiguous.returncode != 0
    assert "names 2 albums" in ambiguous.stderr and "Lake walk" in ambiguous.stderr


def test_corrections_on_the_command_line_are_journalled_and_undone(shared_photos, tmp_path):
    lib, cat = tmp_path / "people", tmp_path / "cat.sqlite"
    shutil.copytree(shared_photos / "faces" / "knn_examples" / "train", lib)
    assert photoorg("scan", str(lib), "--catalog", str(cat)).returncode == 0
    assert photoorg("analyze", "--only", "faces", "--catalog", str(cat)).returncode == 0
    with Catalog(cat, readonly=True) as c:
        person = max(c.people_list(), key=lambda p: p.face_count)
        faces = [f.id for f in c.person_faces(person.id)]
    assert len(faces) >= 2
    before = _dump(cat)
    assert photoorg("people", "name", str(person.id), "Ann", "--catalog", str(cat)).returncode == 0
    split = photoorg("people", "split", str(person.id), str(faces[0]), "--catalog", str(cat), "--json")
    assert split.returncode == 0, split.stderr
    new = json.loads(split.stdout)["person"]
    with Catalog(cat, readonly=True) as c:
        assert c.person(person.id).name == "Ann" and c.face(faces[0]).person_id == new
    for label in ("Split 1 face", "Name a person"):  # the latest first
        undone = photoorg("undo", "--action", "--catalog", str(cat))
        assert undone.returncode == 0 and label in undone.stdout, undone.stdout
    assert _dump(cat) == before
    assert photoorg("undo", "--action", "--catalog", str(cat)).returncode != 0  # nothing left to undo


def test_albums_listing_names_events_as_the_window_does():
    """The command line says an album's event in display names and only where
    the title names it; a guess is a guess, and a weak one is left out."""
    from photoorg.engine.cli.albums_cmd import _event_text

    album = {"event": "CasualFamilyGather", "event_source": "model",
             "event_scores": {"CasualFamilyGather": 0.45, "Zoo": 0.2}}
    assert _event_text(album, "CasualFamilyGather") == "Family gathering (model)"
    assert _event_text(album, None) == "no clear event (best guess Family gathering 45%)"
    weak = {**album, "event_scores": {"CasualFamilyGather": 0.01}}
    assert _event_text(weak, None) == "no clear event"

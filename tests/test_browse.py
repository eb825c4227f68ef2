"""The grid's catalog queries (engine/catalog/browse.py): no Qt here."""

from __future__ import annotations

import os
from types import SimpleNamespace

import numpy as np
import pytest

from photoorg.engine.catalog.browse import BrowseFilter, GridRow


def _add(catalog, path, ts, h=None, **fields):
    return catalog.record_photo(str(path), {"size": 10, "mtime_ns": 1, "content_hash": h or f"h-{path}",
                                            "capture_ts": ts, **fields}, 0)


@pytest.fixture
def library(catalog, tmp_path):
    a, b = tmp_path / "lib" / "2019", tmp_path / "lib" / "2020" / "beach"
    ids = {}
    ids["a1"] = _add(catalog, a / "IMG_1.jpg", 300.0)
    ids["a2"] = _add(catalog, a / "IMG_2.jpg", 100.0)
    ids["a3"] = _add(catalog, a / "100%_sun.jpg", None)
    ids["b1"] = _add(catalog, b / "DSC_1.jpg", 200.0)
    ids["b2"] = _add(catalog, b / "DSC_2.jpg", 250.0)
    catalog.start_scan_run([str(tmp_path / "lib")])
    return catalog, ids, tmp_path / "lib"


def test_sorts_put_every_photo_in_the_asked_order(library):
    catalog, ids, _ = library
    by_date = [r.id for r in catalog.browse_rows(sort="date")]
    assert by_date == [ids["a2"], ids["b1"], ids["b2"], ids["a1"], ids["a3"]]  # undated last
    newest = [r.id for r in catalog.browse_rows(sort="date_desc")]
    assert newest[:4] == [ids["a1"], ids["b2"], ids["b1"], ids["a2"]]
    assert [r.name for r in catalog.browse_rows(sort="name")] == sorted(r.name for r in catalog.browse_rows())
    catalog.set_rating([ids["b1"]], 4)
    assert catalog.browse_rows(sort="rating")[0].id == ids["b1"]
    # An unknown or not-yet-available sort falls back to date order.
    assert [r.id for r in catalog.browse_rows(sort="nonsense")] == by_date
    page = catalog.browse_rows(sort="date", limit=2, offset=1)
    assert [r.id for r in page] == by_date[1:3]


def test_filters_combine_and_count(library):
    catalog, ids, lib = library
    catalog.set_flag([ids["a1"], ids["b2"]], "pick")
    catalog.set_flag([ids["a2"]], "reject")
    catalog.set_rating([ids["a1"]], 5)
    catalog.set_rating([ids["b1"]], 2)

    def got(**kw):
        f = BrowseFilter(**kw)
        rows = catalog.browse_rows(f)
        assert catalog.browse_count(f) == len(rows)
        return {r.id for r in rows}

    assert got() == set(ids.values())
    assert got(flag="pick") == {ids["a1"], ids["b2"]}
    assert got(flag="unflagged") == {ids["a3"], ids["b1"]}
    assert got(min_rating=2) == {ids["a1"], ids["b1"]}
    assert got(min_rating=2, flag="pick") == {ids["a1"]}
    assert got(folder=str(lib / "2020")) == {ids["b1"], ids["b2"]}  # subfolders included
    assert got(folder=str(lib / "2019")) == {ids["a1"], ids["a2"], ids["a3"]}
    assert got(folder=str(lib / "20")) == set()  # a prefix of a name is not a parent folder
    assert got(text="DSC") == {ids["b1"], ids["b2"]}
    assert got(text="100%") == {ids["a3"]}  # LIKE wildcards are literal
    assert got(text="G_1") == {ids["a1"]}  # "_" is literal too (not any character)
    assert got(text="G_") == {ids["a1"], ids["a2"]}
    assert got(text="G%1") == set()
    # Filters of capabilities without their data match nothing (not everything).
    assert got(album_id=12345) == set()
    assert got(person_id=12345) == set()
    assert got(private=False) == set(ids.values())
    f = BrowseFilter(flag="pick", min_rating=3)
    assert BrowseFilter.from_dict(f.to_dict()) == f


def test_series_badges_filters_and_details(library):
    catalog, ids, _ = library
    sid = catalog.save_series("series", "k", [(ids["b1"], 1, 0.9), (ids["b2"], 2, 0.4)])
    rows = {r.id: r for r in catalog.browse_rows()}
    assert rows[ids["b1"]].series_id == sid and rows[ids["b1"]].is_pick
    assert rows[ids["b2"]].series_id == sid and not rows[ids["b2"]].is_pick
    assert rows[ids["a1"]].series_id is None
    assert {r.id for r in catalog.browse_rows(BrowseFilter(series_id=sid))} == {ids["b1"], ids["b2"]}
    assert {r.id for r in catalog.browse_rows(BrowseFilter(in_series=True))} == {ids["b1"], ids["b2"]}
    catalog.set_series_pick(sid, ids["b2"])
    fresh = catalog.grid_rows([ids["b1"], ids["b2"]])
    assert fresh[ids["b2"]].is_pick and not fresh[ids["b1"]].is_pick
    d = catalog.photo_details(ids["b1"])
    assert d["series"] == {"id": sid, "rank": 1, "score": 0.9, "is_pick": False, "user_pick": True,
                           "kind": "series", "size": 2}
    assert d["path"].endswith("DSC_1.jpg")
    assert catalog.photo_details(999999) is None


def test_folder_tree_lists_roots_and_folders_with_counts(library):
    catalog, ids, lib = library
    entries = {e.path: e for e in catalog.folder_entries()}
    assert entries[str(lib)].parent_path is None and entries[str(lib)].photos == 0
    assert entries[str(lib / "2019")].parent_path == str(lib)
    assert entries[str(lib / "2019")].photos == 3
    beach = entries[str(lib / "2020" / "beach")]
    assert beach.parent_path == str(lib / "2020") and beach.photos == 2
    assert entries[str(lib / "2020")].photos == 0 and entries[str(lib / "2020")].parent_path == str(lib)
    paths = [e.path for e in catalog.folder_entries()]
    assert paths.index(str(lib)) < paths.index(str(lib / "2019"))


def test_private_column_agrees_with_the_privacy_rules(library):
    catalog, ids, _ = library
    h = {k: catalog.photo(v).content_hash for k, v in ids.items()}
    catalog.save_privacy(h["a1"], text_lines=9, text_chars=300, text_area=0.4, document=True,
                         screenshot=False, portrait=False)
    catalog.save_privacy(h["a2"], text_lines=0, text_chars=0, text_area=0, document=False,
                         screenshot=False, portrait=True)
    catalog.set_private([ids["a2"]], False)  # the user's word wins
    catalog.set_private([ids["b1"]], True)
    # A close person: seen in 5 photos over 2 days.
    person = catalog.new_person()
    face = SimpleNamespace(box=(0.1, 0.1, 0.3, 0.3), landmarks=[(0.2, 0.2)] * 5, det_score=1.0, size_px=80.0,
                           inside=1.0, yaw=0.0, sharpness=1.0, quality=0.9, embedding=np.zeros(128, np.float32))
    close_ids = []
    for i in range(5):
        pid = _add(catalog, f"/elsewhere/friend{i}.jpg", 1000.0 + i * 86400,
                   capture_time=f"2021-01-0{1 + i}T10:00:00")
        close_ids.append(pid)
        face_id = catalog.save_faces(catalog.photo(pid).content_hash, [face], (800, 600))[0]
        catalog.assign_faces([(face_id, person, "auto", 0.1)])
    # The close person small in a crowd of three equal faces: not its subject.
    crowd = _add(catalog, "/elsewhere/crowd.jpg", 1000.0, capture_time="2021-01-09T10:00:00")
    small = [SimpleNamespace(**{**vars(face), "box": (0.1 + 0.3 * k, 0.1, 0.16 + 0.3 * k, 0.18)}) for k in range(3)]
    crowd_faces = catalog.save_faces(catalog.photo(crowd).content_hash, small, (800, 600))
    catalog.assign_faces([(crowd_faces[0], person, "auto", 0.1)])
    rules = {p.photo_id: p.is_private for p in catalog.privacy_list()}
    grid = {r.id: bool(r.private) for r in catalog.browse_rows()}
    assert grid == rules
    # A close person is a signal for stories, not a reason to be private.
    assert grid[ids["a1"]] and not grid[ids["a2"]] and grid[ids["b1"]] and not grid[close_ids[0]]
    assert not grid[crowd]
    assert catalog.photo_details(close_ids[0])["privacy"]["reasons"] == []
    assert catalog.photo_details(crowd)["privacy"]["private"] is False
    # Portraits count only with the paper's rule turned on in the settings.
    catalog.save_privacy(h["a3"], text_lines=0, text_chars=0, text_area=0, document=False,
                         screenshot=False, portrait=True)
    assert not {r.id: bool(r.private) for r in catalog.browse_rows()}[ids["a3"]]
    catalog.set_pref("preferences", {"private_portraits": True})
    assert {r.id: bool(r.private) for r in catalog.browse_rows()}[ids["a3"]]
    assert catalog.photo_details(ids["a3"])["privacy"]["reasons"] == ["portrait"]
    assert {p.photo_id: p.is_private for p in catalog.privacy_list()}[ids["a3"]]
    rules = {p.photo_id: p.is_private for p in catalog.privacy_list()}
    hidden = {r.id for r in catalog.browse_rows(BrowseFilter(private=False))}
    assert hidden == {pid for pid, private in rules.items() if not private}
    assert {r.id for r in catalog.browse_rows(BrowseFilter(private=True))} == {p for p, v in rules.items() if v}
    assert {r.id for r in catalog.browse_rows(BrowseFilter(person_id=person))} == set(close_ids) | {crowd}


def test_grid_rows_are_light_tuples(library):
    catalog, ids, _ = library
    row = catalog.browse_rows()[0]
    assert isinstance(row, GridRow) and row._replace(rating=3).rating == 3
    assert set(catalog.grid_rows(list(ids.values()))) == set(ids.values())
    assert catalog.grid_rows([]) == {}


def test_real_scan_browses(shared_photos, catalog, settings):
    from photoorg.engine.scan.scanner import scan

    folder = shared_photos / "immich" / "albums"
    scan(catalog, [str(folder)], settings)
    rows = catalog.browse_rows()
    assert len(rows) == catalog.photo_count() > 0
    nature = catalog.browse_rows(BrowseFilter(folder=str(folder / "nature")))
    assert {r.name for r in nature} == {n for n in os.listdir(folder / "nature")}
    caps = catalog.browse_capabilities()
    assert "date" in caps.sorts and "folder" in caps.filters
    # The sidebar's count beside each folder is what the grid shows for it.
    entries = catalog.folder_entries()
    assert len(entries) > 2 and entries[0].total == len(rows)
    for e in entries:
        assert e.total == catalog.browse_count(BrowseFilter(folder=e.path)) >= e.photos, e
    trashed = nature[0].id
    with catalog.write() as db:
        db.execute("UPDATE photos SET status = 'trashed' WHERE id = ?", (trashed,))
    after = {e.path: e.total for e in catalog.folder_entries()}
    assert after[str(folder / "nature")] == len(nature) - 1 == catalog.browse_count(BrowseFilter(folder=str(folder / "nature")))


def test_photos_and_people_over_time(library):
    catalog, ids, _ = library
    per_month = catalog.photos_per_period("%Y-%m")
    assert sum(a + b for _, a, b in per_month) == 4  # the undated photo is left out
    assert [p for p, _, _ in per_month] == sorted(p for p, _, _ in per_month)
    # A photo dated only by its file's time counts apart.
    with catalog.write() as db:
        db.execute("UPDATE photos SET capture_source = 'mtime' WHERE id = ?", (ids["a1"],))
    again = catalog.photos_per_period("%Y-%m")
    assert sum(b for _, _, b in again) == 1 and sum(a + b for _, a, b in again) == 4
    people, periods = catalog.people_per_period()
    assert (people, periods) == ([], []) or all(len(v) == len(people) for _, v in periods)


def test_details_tell_why_a_photo_is_private(library):
    catalog, ids, _ = library
    h = catalog.photo(ids["a1"]).content_hash
    catalog.save_privacy(h, text_lines=9, text_chars=300, text_area=0.4, document=True, screenshot=False,
                         portrait=False)
    d = catalog.photo_details(ids["a1"])
    assert d["privacy"] == {"private": True, "reasons": ["document"], "override": None}
    catalog.set_private([ids["a1"]], False)
    assert catalog.photo_details(ids["a1"])["privacy"]["private"] is False
    rows = {r.id: r.private for r in catalog.browse_rows()}
    assert not rows[ids["a1"]]

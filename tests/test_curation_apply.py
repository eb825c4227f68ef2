"""Applying plans on copies of real photos: the trash, the quarantine folder,
undo, files changed after analysis, and the command line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from photoorg.engine.cli import main
from photoorg.engine.curation import apply_plan, make_plan, transactions, undo, unfinished_transactions
from photoorg.engine.curation.errors import CurationError, NothingToUndo
from photoorg.engine.curation.trash import original_path_in
from photoorg.engine.settings import Preferences

from test_curation_support import (build_series_library, copy_unique, register, snapshot, source_photos,
                                   trash_files, trash_root)


@pytest.fixture
def library(catalog, shared_photos, tmp_path):
    root = tmp_path / "Pictures"
    series = build_series_library(catalog, shared_photos, root, n_series=8)
    # An exact duplicate: the album copy is kept, the Downloads copy goes.
    album = copy_unique(source_photos(shared_photos)[0], root / "Wedding Tom" / "DSC_0001.jpg", "dup")
    downloads = root / "Downloads" / "DSC_0001.jpg"
    downloads.parent.mkdir()
    shutil.copy2(album, downloads)
    dup_ids = register(catalog, [album, downloads])
    catalog.save_series("duplicates", "dup", [(i, None, None) for i in dup_ids])
    # Photos in no series are never proposed.
    singles = [copy_unique(p, root / "Singles" / p.name, "single") for p in source_photos(shared_photos)[:3]]
    register(catalog, singles)
    return root, series, dup_ids


def test_clean_then_undo_restores_every_file_with_identical_bytes(catalog, settings, library):
    root, series, dup_ids = library
    before = snapshot(root)
    mtimes = {p: os.stat(p).st_mtime_ns for p in before}
    plan = make_plan(catalog, settings)
    proposed = {i.photo_id for i in plan.items}
    assert proposed == {pid for ids in series for pid in ids[1:]} | {dup_ids[1]}

    result = apply_plan(catalog, settings, plan)
    assert result.error is None and not result.failed and not result.skipped
    assert len(result.moved) == len(plan.items) == 17
    assert result.bytes_freed == plan.bytes_freed == sum(os.path.getsize(o.dest) for o in result.moved)
    after = snapshot(root)
    in_trash = trash_files()
    # Every moved file is in the trash with its bytes, its .trashinfo names its path.
    for o in result.moved:
        assert o.path not in after and in_trash[o.dest] == before[o.path]
        info = trash_root() / "info" / (os.path.basename(o.dest) + ".trashinfo")
        assert original_path_in(str(info)) == o.path
    assert set(after) == set(before) - {o.path for o in result.moved}
    assert {p.id for p in catalog.photos(status="trashed")} == proposed
    assert len(catalog.decisions("trash")) == 17 and len(catalog.decisions("keep")) == 9

    # The desktop's own trash tool lists them under their original paths.
    if shutil.which("trash-list"):
        listed = subprocess.run(["trash-list"], capture_output=True, text=True, env=os.environ).stdout
        assert {line.split(" ", 2)[2] for line in listed.splitlines()} == {o.path for o in result.moved}

    restored = undo(catalog, settings)
    assert restored.complete and len(restored.restored) == 17 and not restored.lost
    assert snapshot(root) == before
    assert {p: os.stat(p).st_mtime_ns for p in before} == mtimes
    assert trash_files() == {} and list((trash_root() / "info").iterdir()) == []
    assert catalog.photos(status="trashed") == []
    assert transactions(catalog)[0].state == "undone" and unfinished_transactions(catalog) == []
    with pytest.raises(NothingToUndo):
        undo(catalog, settings)


def test_a_file_changed_after_analysis_is_not_touched(catalog, settings, library):
    root, series, _ = library
    plan = make_plan(catalog, settings)
    edited = catalog.photo(series[0][1]).path
    with open(edited, "ab") as fh:  # edited in another program
        fh.write(b"edited")
    touched = catalog.photo(series[1][2]).path
    st = os.stat(touched)
    os.utime(touched, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # same bytes, new time
    rewritten = catalog.photo(series[2][1]).path
    st = os.stat(rewritten)
    data = bytearray(open(rewritten, "rb").read())
    data[-3] ^= 0xFF  # same size and time, other bytes
    open(rewritten, "wb").write(bytes(data))
    os.utime(rewritten, ns=(st.st_atime_ns, st.st_mtime_ns))
    gone_keeper = catalog.photo(series[3][0]).path
    os.unlink(gone_keeper)  # the photo that was to be kept disappeared
    before = snapshot(root)

    result = apply_plan(catalog, settings, plan)
    skipped = {o.path: o.reason for o in result.skipped}
    assert "content changed" in skipped.pop(rewritten)
    assert "changed since it was analysed" in skipped.pop(edited)
    assert "changed since it was analysed" in skipped.pop(touched)
    assert {p for p, r in skipped.items() if "kept in its place" in r} == {
        catalog.photo(i).path for i in series[3][1:]}
    after = snapshot(root)
    for path in (edited, touched, rewritten, *skipped):
        assert after[path] == before[path]
    assert len(result.moved) == len(plan.items) - 5
    undo(catalog, settings)
    assert snapshot(root) == before


def test_quarantine_folder_mode(catalog, settings, library, tmp_path):
    root, _, _ = library
    before = snapshot(root)
    quarantine = tmp_path / "Quarantine"
    settings = settings.with_prefs(Preferences(trash_mode="quarantine", quarantine_dir=str(quarantine)))
    result = apply_plan(catalog, settings, make_plan(catalog, settings))
    assert result.mode == "quarantine" and result.destination.startswith(str(quarantine))
    held = snapshot(quarantine)
    for o in result.moved:  # mirrored under the transaction's folder
        assert o.dest == os.path.join(result.destination, o.path.lstrip("/")) and held[o.dest] == before[o.path]
    assert trash_files() == {}
    undo(catalog, settings, result.transaction_id)
    assert snapshot(root) == before
    assert not os.path.exists(result.destination)  # empty folders pruned, nothing else removed

    with pytest.raises(CurationError, match="needs a quarantine folder"):
        apply_plan(catalog, settings.with_prefs(Preferences(trash_mode="quarantine")),
                   make_plan(catalog, settings))
    catalog.start_scan_run([str(root)])  # a quarantine inside the library would be scanned as photos
    inside = Preferences(trash_mode="quarantine", quarantine_dir=str(root / "Rejects"))
    with pytest.raises(CurationError, match="inside the scanned folder"):
        apply_plan(catalog, settings.with_prefs(inside), make_plan(catalog, settings))
    assert snapshot(root) == before


def test_same_names_and_names_already_in_the_trash(catalog, settings, shared_photos, tmp_path):
    sources = source_photos(shared_photos)
    files = [copy_unique(sources[i], tmp_path / "lib" / folder / "IMG_0001.jpg", f"{folder}{i}")
             for i, folder in enumerate(["A", "B", "C", "D"])]
    ids = register(catalog, files)
    catalog.save_series("series", "x", [(pid, rank, None) for rank, pid in enumerate(ids, 1)])
    (trash_root() / "files").mkdir(parents=True)
    (trash_root() / "info").mkdir()
    (trash_root() / "files" / "IMG_0001.jpg").write_bytes(b"someone else's")
    before = snapshot(tmp_path / "lib")
    result = apply_plan(catalog, settings, make_plan(catalog, settings))
    names = sorted(os.path.basename(o.dest) for o in result.moved)
    assert names == ["IMG_0001.2.jpg", "IMG_0001.3.jpg", "IMG_0001.4.jpg"]
    undo(catalog, settings)
    assert snapshot(tmp_path / "lib") == before
    assert len(trash_files()) == 1  # the other program's file is still there, untouched
    assert (trash_root() / "files" / "IMG_0001.jpg").read_bytes() == b"someone else's"


def test_command_line_dry_run_clean_and_undo(catalog, settings, library, capsys):
    root, _, _ = library
    before = snapshot(root)
    catalog.close()
    base = ["--catalog", str(settings.catalog_path), "--json"]

    assert main(["clean-series", "--dry-run", *base]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["dry_run"] and dry["transaction_id"] is None and dry["count"] == 17
    assert dry["bytes_freed"] == sum(i["size"] for i in dry["would_move"]) > 0
    assert snapshot(root) == before

    assert main(["clean-series", "--keep", "2", *base]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["transaction_id"] and len(done["moved"]) == 9 and done["keep"] == 2
    assert all(os.path.exists(m["destination"]) and not os.path.exists(m["path"]) for m in done["moved"])
    assert done["bytes_freed"] == sum(m["size"] for m in done["moved"])

    assert main(["undo", "--list", *base]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["unfinished"] == [] and listed["transactions"][0]["counts"] == {"moved": 9}

    assert main(["undo", str(done["transaction_id"]), *base]) == 0
    undone = json.loads(capsys.readouterr().out)
    assert undone["complete"] and len(undone["restored"]) == 9
    assert snapshot(root) == before
    assert main(["undo", *base]) == 1
    assert "nothing to undo" in json.loads(capsys.readouterr().out)["error"]


def test_cancel_stops_between_files_and_undo_still_works(catalog, settings, library):
    from photoorg.engine.progress import CancelToken

    root, _, _ = library
    before = snapshot(root)
    token = CancelToken()

    def progress(p):  # the first report (after the first file) cancels
        token.cancel()

    plan = make_plan(catalog, settings)
    result = apply_plan(catalog, settings, plan, progress, token)
    assert result.cancelled and len(result.moved) == 1 and len(result.not_moved) == len(plan.items) - 1
    assert all(os.path.exists(o.path) for o in result.not_moved)
    assert unfinished_transactions(catalog) == []  # a cancel is a clean end, not a crash
    undo(catalog, settings)
    assert snapshot(root) == before


def test_file_names_that_are_not_utf8(catalog, settings, shared_photos, tmp_path):
    sources = source_photos(shared_photos)
    folder = tmp_path / "lib"
    names = [os.fsdecode(b"caf\xe9-%d.jpg" % i) for i in range(3)]  # Latin-1 bytes, as old cameras wrote
    files = [copy_unique(sources[i], folder / name, f"latin{i}") for i, name in enumerate(names)]
    ids = register(catalog, files)
    catalog.save_series("series", "latin", [(pid, rank, None) for rank, pid in enumerate(ids, 1)])
    before = snapshot(folder)
    result = apply_plan(catalog, settings, make_plan(catalog, settings))
    assert sorted(o.path for o in result.moved) == sorted(str(f) for f in files[1:])
    info = trash_root() / "info" / (os.path.basename(result.moved[0].dest) + ".trashinfo")
    assert b"caf%E9-" in info.read_bytes() and original_path_in(str(info)) == result.moved[0].path
    json.dumps(result.to_json())  # printable
    undo(catalog, settings)
    assert snapshot(folder) == before

"""The trash across file systems, read-only folders and full disks, on small
real file systems (tmpfs mounts; skipped where mounting is not allowed) and,
everywhere, a simulated full disk."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from photoorg.engine.catalog import Catalog
from photoorg.engine.cli import main
from photoorg.engine.curation import apply, apply_plan, fileops, make_plan, undo
from photoorg.engine.curation.trash import original_path_in
from photoorg.engine.settings import Preferences, Settings

from test_curation_support import (build_series_library, copy_unique, photoorg, register, snapshot,
                                   source_photos, trash_files, trash_root)


@pytest.fixture
def tmpfs(tmp_path):
    """mount(name, size) -> a fresh tmpfs folder, unmounted afterwards."""
    mounted: list[Path] = []

    def mount(name: str, size: str = "16m") -> Path:
        point = tmp_path / name
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(point)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a small file system here (needs root): {done.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def _trash_list() -> set[str]:
    if not shutil.which("trash-list"):
        pytest.skip("trash-cli's trash-list is not installed")
    out = subprocess.run(["trash-list"], capture_output=True, text=True, env=os.environ).stdout
    return {line.split(" ", 2)[2] for line in out.splitlines() if line.strip()}


def test_files_on_another_file_system_go_to_its_own_trash(catalog, settings, shared_photos, tmpfs):
    volume = tmpfs("volume")
    build_series_library(catalog, shared_photos, volume / "Photos", n_series=4)
    before = snapshot(volume / "Photos")
    result = apply_plan(catalog, settings, make_plan(catalog, settings))
    assert len(result.moved) == 8 and all(o.reason == "rename" for o in result.moved)
    volume_trash = volume / f".Trash-{os.getuid()}"
    for o in result.moved:
        assert o.dest.startswith(str(volume_trash / "files"))
        info = volume_trash / "info" / (os.path.basename(o.dest) + ".trashinfo")
        assert "Path=Photos/" in info.read_text()  # relative to the volume's top, as the spec says
        assert original_path_in(str(info)) == o.path
    assert trash_files() == {}  # nothing crossed into the home trash
    assert _trash_list() == {o.path for o in result.moved}
    undo(catalog, settings)
    assert snapshot(volume / "Photos") == before and trash_files(volume_trash) == {}


def _volume_without_usable_trash(tmpfs, catalog, shared_photos, n_series=5):
    volume = tmpfs("usb")
    (volume / f".Trash-{os.getuid()}").write_bytes(b"not a folder")  # the volume's trash is unusable
    build_series_library(catalog, shared_photos, volume / "DCIM", n_series=n_series)
    return volume


def test_home_trash_by_verified_copy_when_the_volume_trash_is_unusable(catalog, settings, shared_photos, tmpfs):
    volume = _volume_without_usable_trash(tmpfs, catalog, shared_photos)
    before = snapshot(volume / "DCIM")
    result = apply_plan(catalog, settings, make_plan(catalog, settings))
    assert len(result.moved) == 10 and {o.reason for o in result.moved} == {"copy"}
    in_trash = trash_files()
    assert {in_trash[o.dest] for o in result.moved} == {before[o.path] for o in result.moved}
    assert _trash_list() == {o.path for o in result.moved}
    undo(catalog, settings)
    assert snapshot(volume / "DCIM") == before and trash_files() == {}


def test_sigkill_in_the_middle_of_a_cross_file_system_copy(shared_photos, tmp_path, tmpfs):
    settings = Settings.for_catalog(tmp_path / "catalog.sqlite")
    with Catalog(settings.catalog_path) as catalog:
        volume = _volume_without_usable_trash(tmpfs, catalog, shared_photos)
    before = snapshot(volume / "DCIM")
    cat = ["--catalog", str(settings.catalog_path), "--json"]
    # Killed after the 5th copy is complete and verified, before its original is removed.
    assert photoorg("clean-series", *cat, env={"PHOTOORG_TEST_CRASH": "copied:5"}).returncode == -signal.SIGKILL
    now, trashed = snapshot(volume / "DCIM"), trash_files()
    assert len(trashed) == 5 and len(now) == len(before) - 4  # 4 moved, the 5th in both places
    assert set(Counter(list(now.values()) + list(trashed.values())).values()) <= {1, 2}
    assert all(before[p] == h for p, h in now.items())
    run = photoorg("undo", *cat)
    assert run.returncode == 0, run.stderr
    assert snapshot(volume / "DCIM") == before and trash_files() == {}


def test_read_only_folder_ends_with_a_clear_message_and_no_loss(catalog, settings, shared_photos, tmp_path,
                                                                tmpfs, capsys):
    sources = source_photos(shared_photos)
    locked = tmpfs("cdrom") if os.geteuid() == 0 else tmp_path / "cdrom"  # root ignores permissions
    files = [copy_unique(sources[i], locked / "Scans" / f"scan{i}.jpg", f"ro{i}") for i in range(3)]
    ids = register(catalog, files)
    catalog.save_series("series", "ro", [(pid, rank, None) for rank, pid in enumerate(ids, 1)])
    build_series_library(catalog, shared_photos, tmp_path / "Pictures", n_series=2)
    before = snapshot(locked, tmp_path / "Pictures")
    if os.geteuid() == 0:
        subprocess.run(["mount", "-o", "remount,ro", str(locked)], check=True)
    else:
        os.chmod(locked / "Scans", 0o555)
    catalog.close()

    code = main(["clean-series", "--catalog", str(settings.catalog_path), "--json"])
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert code == 1
    assert captured.err.strip().splitlines()[-1].startswith("photoorg: 2 files could not be moved (the folder is read-only")
    assert len(out["failed"]) == 2 and all("read-only" in f["reason"] for f in out["failed"])
    assert len(out["moved"]) == 4  # the other folders were cleaned
    assert snapshot(locked) == {p: h for p, h in before.items() if p.startswith(str(locked))}
    assert len(trash_files()) == 4  # no stray copy of a file that could not move
    # Below the folder check, a copy out of it is taken back when the
    # original cannot be removed: never two copies.
    if os.geteuid() == 0:
        with pytest.raises(OSError) as failure:
            fileops.move_file(str(files[1]), str(tmp_path / "elsewhere.jpg"), None)
        assert failure.value.errno == errno.EROFS and not (tmp_path / "elsewhere.jpg").exists()
    with Catalog(settings.catalog_path) as catalog:
        undo(catalog, settings)
    assert snapshot(locked, tmp_path / "Pictures") == before
    if os.geteuid() != 0:
        os.chmod(locked / "Scans", 0o755)


def _big_loser_library(catalog, shared_photos, root: Path) -> None:
    """Series of two whose second photo is one of the largest sources."""
    sources = source_photos(shared_photos)
    big = sorted(sources, key=lambda p: p.stat().st_size)[-4:]
    small = sorted(sources, key=lambda p: p.stat().st_size)[:4]
    for i in range(4):
        files = [copy_unique(small[i], root / f"Burst {i}" / "a.jpg", f"k{i}"),
                 copy_unique(big[i], root / f"Burst {i}" / "b.jpg", f"b{i}")]
        ids = register(catalog, files)
        catalog.save_series("series", f"b{i}", [(ids[0], 1, None), (ids[1], 2, None)])


def test_full_disk_stops_cleanly_and_undo_restores(catalog, settings, shared_photos, tmp_path, tmpfs):
    _big_loser_library(catalog, shared_photos, tmp_path / "Pictures")
    before = snapshot(tmp_path / "Pictures")
    small_disk = tmpfs("small", size="512k")
    settings = settings.with_prefs(Preferences(trash_mode="quarantine", quarantine_dir=str(small_disk)))
    plan = make_plan(catalog, settings)
    assert plan.bytes_freed > 512 * 1024
    result = apply_plan(catalog, settings, plan)
    assert result.error and "disk is full" in result.error and f"photoorg undo {result.transaction_id}" in result.error
    assert len(result.failed) == 1 and result.not_moved and len(result.moved) < 4
    held = snapshot(small_disk)
    assert not [p for p in held if p.endswith(".photoorg-part")]  # the partial copy was removed
    assert Counter(list(snapshot(tmp_path / "Pictures").values()) + list(held.values())) == Counter(before.values())
    undo(catalog, settings)
    assert snapshot(tmp_path / "Pictures") == before


def test_simulated_full_disk_everywhere(catalog, settings, shared_photos, tmp_path, monkeypatch):
    build_series_library(catalog, shared_photos, tmp_path / "Pictures", n_series=6)
    before = snapshot(tmp_path / "Pictures")
    calls = {"n": 0}
    real_move = apply.move_file

    def filling_up(src, dst, expected, before_copy=None):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), dst)
        return real_move(src, dst, expected, before_copy)

    monkeypatch.setattr(apply, "move_file", filling_up)
    result = apply_plan(catalog, settings, make_plan(catalog, settings))
    assert len(result.moved) == 4 and len(result.failed) == 1 and len(result.not_moved) == 7
    assert "disk is full" in result.error
    assert len(list((trash_root() / "info").iterdir())) == 4  # the failed file's reservation is gone
    undo(catalog, settings)
    assert snapshot(tmp_path / "Pictures") == before


def test_an_administrators_shared_trash_is_used_when_it_is_sticky(catalog, settings, shared_photos, tmpfs):
    volume = tmpfs("shared")
    shared_trash = volume / ".Trash"
    shared_trash.mkdir()
    os.chmod(shared_trash, 0o1777)  # the spec's $topdir/.Trash: sticky, writable by all
    build_series_library(catalog, shared_photos, volume / "Photos", n_series=2)
    before = snapshot(volume / "Photos")
    result = apply_plan(catalog, settings, make_plan(catalog, settings))
    user_trash = shared_trash / str(os.getuid())
    assert all(o.dest.startswith(str(user_trash / "files")) for o in result.moved) and len(result.moved) == 4
    assert not (volume / f".Trash-{os.getuid()}").exists()
    assert _trash_list() == {o.path for o in result.moved}
    undo(catalog, settings)
    assert snapshot(volume / "Photos") == before

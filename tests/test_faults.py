"""Every fault is a sentence: a full disk (a real 1-4 MB tmpfs) during a scan,
the analysis, a clean-up and its undo; a read-only catalog (a real read-only
bind mount); a catalog of a newer or incompatible schema. The command line
prints one line and exits 1, never a traceback; a clean-up stopped by a fault
says how to undo or finish it, and both work once the fault is gone.

Mounts are made in a private mount namespace (``unshare -rm``), so nothing
outside the test sees them; where the machine does not allow that, those
tests skip and say so (the monkeypatched ones still run)."""

from __future__ import annotations

import errno
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from photoorg.engine.catalog import Catalog
from photoorg.engine.curation import apply_plan, make_plan, undo
from photoorg.engine.curation.errors import CurationError
from photoorg.engine.errors import CatalogTooNew, CatalogWriteError
from photoorg.engine.scan.scanner import ScanStopped, scan

from test_curation_support import build_series_library, copy_unique, source_photos

HERE = Path(__file__).resolve().parent
PHOTOORG = [sys.executable, "-m", "photoorg.engine.cli"]


def _namespaces_allowed() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt 2>/dev/null "
                            "|| mount -t tmpfs -o size=1m tmpfs /tmp"], capture_output=True)
    return probe.returncode == 0


needs_mounts = pytest.mark.skipif(not _namespaces_allowed(),
                                  reason="mounting a tmpfs in a private namespace (unshare -rm) is not permitted here")


def _cmd(*args) -> str:
    return " ".join(shlex.quote(str(a)) for a in [*PHOTOORG, *args])


def _in_namespace(script: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run a shell script in a private mount namespace (mounts vanish with it)."""
    return subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=timeout)


def _one_line_error(stderr: str, *words: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("photoorg:")]
    assert "Traceback" not in stderr, stderr
    assert lines, stderr
    for word in words:
        assert word in lines[-1], lines[-1]
    return lines[-1]


def _fill(disk: Path, keep_kb: int = 0) -> str:
    """Shell that fills ``disk`` up, leaving about ``keep_kb`` KB free."""
    return (f"dd if=/dev/zero of={disk}/filler bs=4k 2>/dev/null || true; "
            + (f"truncate -s -{keep_kb}K {disk}/filler; " if keep_kb else ""))


@pytest.fixture
def photos(shared_photos, tmp_path):
    folder = tmp_path / "lib"
    sources = source_photos(shared_photos)
    for i in range(6):
        copy_unique(sources[i], folder / f"IMG_{i}.jpg", f"f{i}")
    return folder


@needs_mounts
def test_full_disk_during_scan_and_analysis_is_one_sentence_and_recoverable(photos, tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    cat = disk / "c.sqlite"
    script = (f"mount -t tmpfs -o size=2m tmpfs {disk}; "
              f"{_cmd('--catalog', cat, 'scan', tmp_path / 'empty')} >/dev/null 2>&1 || true; "
              + _fill(disk) +
              f"{_cmd('--catalog', cat, 'scan', photos)}; echo scan-exit=$? >&2; "
              f"{_cmd('--catalog', cat, 'analyze', '--only', 'embed', '--device', 'cpu')}; echo analyze-exit=$? >&2; "
              f"rm {disk}/filler; {_cmd('--catalog', cat, 'scan', photos)} --json; echo rescan-exit=$? >&2")
    (tmp_path / "empty").mkdir()
    run = _in_namespace(script)
    err = run.stderr
    assert "scan-exit=1" in err and "analyze-exit=1" in err and "rescan-exit=0" in err, err
    assert "Traceback" not in err, err
    full = [line for line in err.splitlines() if line.startswith("photoorg:")]
    assert full and all("full" in line for line in full), full
    import json
    rescan = json.loads(run.stdout[run.stdout.index("{"):])
    assert rescan["added"] + rescan["unchanged"] + rescan["updated"] == 6 and not rescan["skipped"]
    # A disk that fills up during the scan (the catalog opens, the thumbnails do not fit).
    script = (f"mount -t tmpfs -o size=2m tmpfs {disk}; rm -rf {disk}/*; "
              f"{_cmd('--catalog', cat, 'scan', tmp_path / 'empty')} >/dev/null 2>&1 || true; "
              + _fill(disk, keep_kb=96) +
              f"{_cmd('--catalog', cat, 'scan', photos)}; echo scan-exit=$? >&2")
    run = _in_namespace(script)
    assert "scan-exit=1" in run.stderr, run.stderr
    _one_line_error(run.stderr, "full", "scan again")
    assert len([line for line in run.stderr.splitlines() if not line.startswith(("read:", "list:", "scan-exit"))]) == 1


@needs_mounts
def test_full_disk_stops_a_clean_up_which_says_how_to_undo_it(shared_photos, tmp_path):
    """The library on a small tmpfs (its trash is there too: .Trash-UID);
    the disk is filled so that only a few .trashinfo files fit."""
    disk = tmp_path / "disk"
    disk.mkdir()
    cat = tmp_path / "c.sqlite"
    build = ("import sys; sys.path.insert(0, %r)\n"
             "from pathlib import Path\nfrom photoorg.engine.catalog import Catalog\n"
             "from test_curation_support import build_series_library\n"
             "with Catalog(sys.argv[1]) as c:\n"
             "    build_series_library(c, Path(sys.argv[2]), Path(sys.argv[3]), n_series=4, per_series=3)\n") % str(HERE)
    (tmp_path / "build.py").write_text(build)
    script = (f"mount -t tmpfs -o size=4m tmpfs {disk}; "
              f"{sys.executable} {tmp_path / 'build.py'} {cat} {shared_photos} {disk / 'Pictures'}; "
              f"mkdir -p {disk}/.Trash-$(id -u)/files {disk}/.Trash-$(id -u)/info; "
              + _fill(disk, keep_kb=12) +
              f"{_cmd('--catalog', cat, 'clean-series')}; echo clean-exit=$? >&2; "
              f"rm {disk}/filler; "
              f"{_cmd('--catalog', cat, 'undo')}; echo undo-exit=$? >&2; "
              f"find {disk}/Pictures -name '*.jpg' | wc -l")
    run = _in_namespace(script)
    err = run.stderr
    assert "clean-exit=1" in err and "undo-exit=0" in err, err + run.stdout
    line = _one_line_error(err.split("clean-exit")[0], "disk is full", "photoorg undo")
    assert "moved" in line
    assert run.stdout.strip().splitlines()[-1] == "12", run.stdout  # every photo is back


def test_a_clean_up_stopped_by_an_unwritable_catalog_says_how_to_finish_it(catalog, settings, shared_photos,
                                                                          tmp_path, monkeypatch):
    build_series_library(catalog, shared_photos, tmp_path / "Pictures", n_series=3)
    plan = make_plan(catalog, settings)
    calls = []
    original = type(catalog).set_item_states

    def failing(self, updates):
        calls.append(len(updates))
        if len(calls) > 1:
            raise CatalogWriteError("the catalog cannot be written: the disk is full")
        return original(self, updates)

    import photoorg.engine.curation.apply as apply_module
    monkeypatch.setattr(apply_module, "FLUSH_ITEMS", 2)
    monkeypatch.setattr(type(catalog), "set_item_states", failing)
    with pytest.raises(CurationError) as info:
        apply_plan(catalog, settings, plan)
    message = str(info.value)
    txn = catalog.curation_transactions()[0].id
    assert f"photoorg undo {txn}" in message and "--resume" in message and "disk is full" in message
    monkeypatch.setattr(type(catalog), "set_item_states", original)
    result = undo(catalog, settings, txn)
    assert result.complete and not result.failed and len(result.restored) >= 2


def test_a_full_thumbnail_cache_stops_the_scan_keeping_what_was_read(catalog, settings, photos, monkeypatch):
    from photoorg.engine.scan import extract as extract_module
    written = []
    original = extract_module.save_thumbnail

    def fills_up(*args):
        if len(written) >= 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(1)
        return original(*args)
    monkeypatch.setattr(extract_module, "save_thumbnail", fills_up)
    with pytest.raises(ScanStopped, match="disk is full"):
        scan(catalog, [str(photos)], settings)
    assert len(catalog.photos()) == 2  # what was read before is kept
    monkeypatch.setattr(extract_module, "save_thumbnail", original)
    assert scan(catalog, [str(photos)], settings).added == 4


@needs_mounts
def test_read_only_catalog_folder_and_file(photos, tmp_path):
    folder = tmp_path / "cat"
    cat = folder / "c.sqlite"
    subprocess.run([*PHOTOORG, "--catalog", str(cat), "scan", str(photos)], check=True, capture_output=True)
    ro_folder = f"mount --bind {folder} {folder}; mount -o remount,ro,bind {folder}; "
    run = _in_namespace(ro_folder + f"{_cmd('--catalog', cat, 'scan', photos)}; echo exit=$? >&2; "
                        f"{_cmd('--catalog', cat, 'series', '--json')}; echo read-exit=$? >&2")
    assert "exit=1" in run.stderr, run.stderr
    _one_line_error(run.stderr.split("exit=1")[0], "writable")
    assert "Traceback" not in run.stderr
    assert "read-exit=0" in run.stderr or _one_line_error(run.stderr.split("read-exit")[0])
    ro_file = f"mount --bind {cat} {cat}; mount -o remount,ro,bind {cat}; "
    run = _in_namespace(ro_file + f"{_cmd('--catalog', cat, 'scan', photos)}; echo exit=$? >&2")
    assert "exit=1" in run.stderr, run.stderr
    _one_line_error(run.stderr, "read-only")


def test_newer_incompatible_and_damaged_catalogs(photos, tmp_path):
    cat = tmp_path / "c.sqlite"
    subprocess.run([*PHOTOORG, "--catalog", str(cat), "scan", str(photos)], check=True, capture_output=True)
    with sqlite3.connect(cat) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES ('curation', 99, 0)")
    with pytest.raises(CatalogTooNew, match="curation 99"):
        Catalog(cat)
    with Catalog(cat, readonly=True) as c:  # reading stays allowed
        assert len(c.photos()) == 6
    run = subprocess.run([*PHOTOORG, "--catalog", str(cat), "scan", str(photos)], capture_output=True, text=True)
    assert run.returncode == 1
    _one_line_error(run.stderr, "newer version", "curation 99", "update photoorg")
    run = subprocess.run([*PHOTOORG, "--catalog", str(cat), "series", "--json"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr

    with sqlite3.connect(cat) as conn:
        conn.execute("DELETE FROM schema_migrations WHERE number = 99")
        conn.execute("DROP TABLE series_members")
    run = subprocess.run([*PHOTOORG, "--catalog", str(cat), "series", "--json"], capture_output=True, text=True)
    assert run.returncode == 1
    _one_line_error(run.stderr, "layout")

    for suffix in ("-wal", "-shm"):
        Path(str(cat) + suffix).unlink(missing_ok=True)
    data = bytearray(cat.read_bytes())
    data[100:4096] = os.urandom(3996)
    cat.write_bytes(bytes(data))
    for args in (["scan", str(photos)], ["series", "--json"]):
        run = subprocess.run([*PHOTOORG, "--catalog", str(cat), *args], capture_output=True, text=True)
        assert run.returncode == 1
        _one_line_error(run.stderr, str(cat))


def test_an_undo_stopped_by_a_fault_says_to_run_it_again(catalog, settings, shared_photos, tmp_path, monkeypatch):
    build_series_library(catalog, shared_photos, tmp_path / "Pictures", n_series=3)
    result = apply_plan(catalog, settings, make_plan(catalog, settings))
    undo_module = sys.modules["photoorg.engine.curation.undo"]  # the package exports a function of that name
    original = type(catalog).set_photo_status
    calls = []

    def failing(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise CatalogWriteError("the catalog cannot be written: the disk is full")
        return original(self, *args, **kwargs)
    monkeypatch.setattr(undo_module, "FLUSH_ITEMS", 2)
    monkeypatch.setattr(type(catalog), "set_photo_status", failing)
    with pytest.raises(CurationError) as info:
        undo(catalog, settings, result.transaction_id)
    assert f"photoorg undo {result.transaction_id}" in str(info.value) and "again" in str(info.value)
    monkeypatch.setattr(type(catalog), "set_photo_status", original)
    done = undo(catalog, settings, result.transaction_id)  # the disk is back: it finishes
    assert done.complete and not done.failed and not done.lost
    assert not [p for p in catalog.photos(status="trashed")]

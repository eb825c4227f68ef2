"""``photoorg scan`` as a user runs it: JSON contract, lock error, Ctrl-C."""

from __future__ import annotations

import io
import json
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from photoorg.engine.catalog import Catalog
from photoorg.engine.imaging.thumbnails import thumb_path
from photoorg.engine.settings import Settings

COUNTS = ("added", "updated", "unchanged", "moved", "missing")


def photoorg(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "photoorg.engine.cli", *args],
                          capture_output=True, text=True, timeout=300, **kwargs)


@pytest.fixture(scope="module")
def photo_jpeg() -> bytes:
    data = pytest.importorskip("skimage.data")
    buf = io.BytesIO()
    Image.fromarray(data.astronaut()).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def unique(jpeg: bytes, n: int) -> bytes:
    """The same picture with a distinct JPEG comment: distinct content."""
    text = f"copy {n}".encode()
    return jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text + jpeg[2:]


def test_scan_json_follows_the_contract(tmp_path, photo_jpeg):
    lib, catalog = tmp_path / "lib", tmp_path / "cat.sqlite"
    lib.mkdir()
    for i in range(3):
        (lib / f"{i}.jpg").write_bytes(unique(photo_jpeg, i))
    (lib / "broken.jpg").write_bytes(photo_jpeg[:500])
    (lib / "clip.mov").write_bytes(b"\0" * 100)  # no video: skipped with its reason (video/reader.check_job)
    from photoorg.engine.story.ffmpeg import ffmpeg_exe

    subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x36:rate=5",
                    "-t", "1", "-c:v", "libx264", str(lib / "trip.mov")], check=True)
    (lib / os.fsdecode(b"caf\xe9.jpg")).write_bytes(b"junk")

    first = photoorg("scan", str(lib), "--catalog", str(catalog), "--json")
    assert first.returncode == 0, first.stderr
    out = json.loads(first.stdout)  # stdout holds the JSON and nothing else
    assert {k: out[k] for k in COUNTS} == {"added": 3, "updated": 0, "unchanged": 0, "moved": 0, "missing": 0}
    assert all(type(out[k]) is int for k in COUNTS)
    assert isinstance(out["skipped"], list) and all(set(s) == {"path", "reason", "kind"} for s in out["skipped"])
    skipped = {s["path"]: s["reason"] for s in out["skipped"]}
    assert set(skipped) == {str(lib / "broken.jpg"), str(lib / "caf\\xe9.jpg"), str(lib / "clip.mov")}
    kinds = {s["path"]: s["kind"] for s in out["skipped"]}
    assert kinds == {str(lib / "broken.jpg"): "truncated", str(lib / "caf\\xe9.jpg"): "unreadable",
                     str(lib / "clip.mov"): "unreadable"}
    assert all(isinstance(r, str) and r for r in skipped.values())
    assert out["videos"] == 1 and out["cancelled"] is False

    os.rename(lib / "0.jpg", lib / "zero.jpg")
    os.unlink(lib / "1.jpg")
    second = photoorg("scan", str(lib), "--catalog", str(catalog), "--json")
    out = json.loads(second.stdout)
    assert {k: out[k] for k in COUNTS} == {"added": 0, "updated": 0, "unchanged": 1, "moved": 1, "missing": 1}
    assert len(out["skipped"]) == 3

    human = photoorg("scan", str(lib), "--catalog", str(catalog))
    assert human.returncode == 0
    assert "0 added, 0 updated, 2 unchanged, 0 moved, 0 missing, 3 skipped" in human.stdout
    assert f"skipped {lib / 'broken.jpg'}: file is truncated" in human.stdout


def test_scan_of_a_folder_that_does_not_exist_fails_with_one_line(tmp_path):
    result = photoorg("scan", str(tmp_path / "Picturs"), "--catalog", str(tmp_path / "c.sqlite"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"photoorg: no such folder: {tmp_path / 'Picturs'}; nothing was added"
    assert not (tmp_path / "c.sqlite").exists()  # refused before anything is stored


def test_second_process_gets_the_lock_message(tmp_path, photo_jpeg):
    lib, path = tmp_path / "lib", tmp_path / "cat.sqlite"
    lib.mkdir()
    (lib / "a.jpg").write_bytes(photo_jpeg)
    with Catalog(path):  # another window holds the catalog
        plain = photoorg("scan", str(lib), "--catalog", str(path))
        as_json = photoorg("scan", str(lib), "--catalog", str(path), "--json")
    assert plain.returncode == 1 and as_json.returncode == 1, plain.stderr + as_json.stderr
    lines = plain.stderr.strip().splitlines()
    assert len(lines) == 1, plain.stderr
    assert lines[0].startswith(f"photoorg: the catalog {path} is in use by another photoorg window or command (pid ")
    assert json.loads(as_json.stdout)["error"].startswith("the catalog"), as_json.stderr
    with Catalog(path, readonly=True) as cat:
        assert cat.photo_count() == 0 and cat.scalar("SELECT count(*) FROM scan_runs") == 0


# Loaded by every Python process of the scan (the workers too) through
# PYTHONPATH: each photo takes at least 0.1 s to read, so that the scan is
# still running when Ctrl-C comes, however fast the machine.
SLOW_READER = """
import time
import photoorg.engine.scan.extract as module
_real = module.extract
def slow_extract(task, config):
    time.sleep(0.1)
    return _real(task, config)
slow_extract.__module__ = "sitecustomize"
module.extract = slow_extract
"""


def test_ctrl_c_stops_cleanly_and_the_next_scan_finishes(tmp_path, photo_jpeg):
    lib, catalog = tmp_path / "lib", tmp_path / "cat.sqlite"
    n = 60
    for i in range(n):
        folder = lib / f"{i // 20:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"IMG_{i:04d}.JPG").write_bytes(unique(photo_jpeg, i))
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SLOW_READER)

    proc = subprocess.Popen(
        [sys.executable, "-m", "photoorg.engine.cli", "scan", str(lib), "--catalog", str(catalog),
         "--json", "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(hook)},
    )
    try:
        deadline = time.monotonic() + 120
        done = 0
        while done < 1 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            try:
                with Catalog(catalog, readonly=True) as cat:
                    done = cat.photo_count()
            except Exception:  # noqa: BLE001 - not created or migrated yet
                continue
        assert proc.poll() is None, "the scan finished before it could be interrupted"
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    out = json.loads(stdout)
    assert out["cancelled"] is True and 1 <= out["added"] < n
    for _ in range(50):  # every worker is gone too
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("worker processes outlived the cancelled scan")

    settings = Settings.for_catalog(catalog)
    with Catalog(catalog, readonly=True) as cat:
        assert cat.scalar("PRAGMA integrity_check") == "ok"
        run = cat.query("SELECT status, added FROM scan_runs ORDER BY id DESC LIMIT 1")[0]
        assert (run["status"], run["added"]) == ("cancelled", out["added"])
        assert cat.photo_count("missing") == 0 and cat.photo_count() == out["added"]
        assert all(thumb_path(settings.thumbs_dir, p.content_hash).exists() for p in cat.photos())

    again = photoorg("scan", str(lib), "--catalog", str(catalog), "--json", "--workers", "2")
    assert again.returncode == 0, again.stderr
    rest = json.loads(again.stdout)
    assert (rest["added"], rest["unchanged"], rest["missing"], rest["skipped"]) == (n - out["added"], out["added"], 0, [])
    with Catalog(catalog, readonly=True) as cat:
        assert cat.photo_count() == n
        assert cat.query("SELECT status FROM scan_runs ORDER BY id DESC LIMIT 1")[0]["status"] == "done"

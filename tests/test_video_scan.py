"""Unreadable videos in the scan's skip list, with their reason, as unreadable
photos are (``photoorg scan`` and its JSON summary): an empty file, a file
that is no container, sound only, a container that holds no picture; a
truncated one is catalogued with what can be read and named. A rescan does
not read them again. Clips made here from the real test photos."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from photoorg.engine.story.ffmpeg import ffmpeg_exe


def _cli(cat: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "photoorg.engine.cli", "--catalog", str(cat), *args],
                          capture_output=True, text=True, timeout=300)


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args], check=True)


def test_unreadable_videos_in_the_scan_skip_list(tmp_path):
    from conftest import SHARED_PHOTOS

    from photoorg.engine.video.synthetic_clips import Shot, library_photos, make_clip

    if not SHARED_PHOTOS.is_dir():
        pytest.skip(f"real test photos not found at {SHARED_PHOTOS}")
    photos = library_photos(SHARED_PHOTOS, limit=20)
    lib = tmp_path / "lib"
    lib.mkdir()
    good = make_clip([Shot(photos[0], 3.0), Shot(photos[5], 3.0)], lib / "good.mp4", size=(320, 180))
    (lib / "empty.mp4").write_bytes(b"")
    (lib / "liar.mov").write_text("this is not a video at all\n" * 50)
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "aac", str(lib / "voice-memo.mp4"))
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x90:rate=25", "-frames:v", "0", "-c:v", "libx264",
            str(lib / "zero.mp4"))
    data = Path(good.path).read_bytes()  # faststart: the index survives, the second half of the pictures not
    (lib / "truncated.mp4").write_bytes(data[: len(data) // 2])
    cat = tmp_path / "cat.sqlite"
    started = time.monotonic()
    res = _cli(cat, "scan", str(lib), "--json")
    assert res.returncode == 0, res.stderr
    assert time.monotonic() - started < 120
    summary = json.loads(res.stdout)
    skipped = {Path(s["path"]).name: s for s in summary["skipped"]}
    kinds = {name: s["kind"] for name, s in skipped.items()}
    assert kinds == {"empty.mp4": "empty", "liar.mov": "unreadable", "voice-memo.mp4": "no-video",
                     "zero.mp4": kinds.get("zero.mp4"), "truncated.mp4": "truncated"}, skipped
    assert kinds["zero.mp4"] in ("no-video", "corrupted"), skipped["zero.mp4"]
    assert summary["videos"] == 2  # the good one and the truncated one are catalogued
    listed = {Path(v["path"]).name for v in json.loads(_cli(cat, "videos", "--json").stdout)["videos"]}
    assert listed == {"good.mp4", "truncated.mp4"}
    # The text output names each with its reason; a rescan lists them again without reading them.
    text = _cli(cat, "scan", str(lib))
    assert text.returncode == 0
    for name in ("empty.mp4", "liar.mov", "voice-memo.mp4", "zero.mp4"):
        line = next(l for l in text.stdout.splitlines() if name in l)
        assert line.strip().startswith("skipped") and skipped[name]["reason"] in line

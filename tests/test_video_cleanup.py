"""Near-duplicate videos in the clean-up (video/cleanup.py): a re-encoded copy
and a trimmed copy go to the real (freedesktop) trash with the photos'
journal and come back with undo; another take of the same scene is never
moved, even when the matcher is fooled. Clips made here from the real
test photos."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from photoorg.engine.story.ffmpeg import ffmpeg_exe


def _cli(cat: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "photoorg.engine.cli", "--catalog", str(cat), *args],
                          capture_output=True, text=True, timeout=600)


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    from conftest import SHARED_PHOTOS

    from photoorg.engine.video.synthetic_clips import Shot, library_photos, make_clip

    if not SHARED_PHOTOS.is_dir():
        pytest.skip(f"real test photos not found at {SHARED_PHOTOS}")
    photos = library_photos(SHARED_PHOTOS, limit=60)
    lib = tmp_path_factory.mktemp("lib")
    shots = [Shot(photos[i], 4.0) for i in (3, 9, 17, 25)]
    make_clip(shots, lib / "walk.mp4", size=(320, 180), seed=1)
    # The same scene filmed again: the same views, other camera paths.
    make_clip(shots, lib / "walk-again.mp4", size=(320, 180), seed=2)
    _ffmpeg("-i", str(lib / "walk.mp4"), "-vf", "scale=256:144", "-c:v", "libx264", "-crf", "30",
            str(lib / "walk-sent.mp4"))  # re-encoded smaller, as a messenger sends it
    _ffmpeg("-ss", "4", "-i", str(lib / "walk.mp4"), "-t", "8", "-c:v", "libx264", "-preset", "ultrafast",
            str(lib / "walk-trimmed.mp4"))
    cat = tmp_path_factory.mktemp("cat") / "cat.sqlite"
    assert _cli(cat, "scan", str(lib)).returncode == 0
    res = _cli(cat, "videos", "--analyse", "--json")
    assert res.returncode == 0, res.stderr
    return lib, cat, {Path(v["path"]).name: v for v in json.loads(res.stdout)["videos"]}


def test_frame_check_tells_copies_from_another_take(library):
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.video.cleanup import MAX_FRAME_DIFF, _files, frame_difference

    lib, cat, videos = library
    with Catalog(cat) as c:
        files = {Path(f.path).name: f for f in _files(c, [v["id"] for v in videos.values()]).values()}
    original = files["walk.mp4"]
    assert frame_difference(files["walk-sent.mp4"], original, 0.0) < MAX_FRAME_DIFF
    assert frame_difference(files["walk-trimmed.mp4"], original, 4.0) < MAX_FRAME_DIFF
    assert frame_difference(files["walk-again.mp4"], original, 0.0) > 2 * MAX_FRAME_DIFF


def test_clean_up_trashes_true_copies_only_and_undo_restores(library):
    from photoorg.engine.catalog import Catalog

    lib, cat, videos = library
    ids = {n: v["id"] for n, v in videos.items()}
    names = {v: n for n, v in ids.items()}
    pairs = {(n, names[v["duplicate_of"]["id"]], v["duplicate_of"]["kind"])
             for n, v in videos.items() if v["duplicate_of"]}
    # The stage found the copies (the other take is no copy of anything).
    assert {n for p in pairs for n in p[:2]} == {"walk.mp4", "walk-sent.mp4", "walk-trimmed.mp4"}, pairs
    assert ("walk-trimmed.mp4", "walk.mp4", "trimmed copy") in pairs, pairs
    # Fool the matcher: the other take recorded as a copy of the first.
    with Catalog(cat) as c, c.write() as db:
        db.execute("INSERT OR REPLACE INTO video_duplicates VALUES (?, ?, 'same clip', 0.9, 0.0)",
                   (ids["walk-again.mp4"], ids["walk.mp4"]))
    plan = json.loads(_cli(cat, "clean-series", "--dry-run", "--json").stdout)
    moving = {Path(i["path"]).name: i["reason"] for i in plan["would_move"]}
    assert set(moving) == {"walk-sent.mp4", "walk-trimmed.mp4"}, moving
    assert moving["walk-sent.mp4"].startswith("the same video as walk.mp4")
    assert moving["walk-trimmed.mp4"].startswith("a trimmed copy of walk.mp4")
    kept = {Path(k["path"]).name: k["reason"] for k in plan["kept"]}
    assert "walk.mp4" in kept and "walk-again.mp4" in kept, kept

    res = _cli(cat, "clean-series", "--json")
    assert res.returncode == 0, res.stderr
    done = json.loads(res.stdout)
    assert len(done["moved"]) == 2
    for name in ("walk-sent.mp4", "walk-trimmed.mp4"):
        assert not (lib / name).exists()
    assert (lib / "walk.mp4").exists() and (lib / "walk-again.mp4").exists()
    trash = [Path(o["destination"]) for o in done["moved"]]
    assert all(p.is_file() and p.parent.name == "files" for p in trash)  # the freedesktop trash
    listed = {Path(v["path"]).name for v in json.loads(_cli(cat, "videos", "--json").stdout)["videos"]}
    assert listed == {"walk.mp4", "walk-again.mp4"}

    res = _cli(cat, "undo", "--json")
    assert res.returncode == 0, res.stderr
    assert (lib / "walk-sent.mp4").exists() and (lib / "walk-trimmed.mp4").exists()
    listed = {Path(v["path"]).name for v in json.loads(_cli(cat, "videos", "--json").stdout)["videos"]}
    assert listed == set(videos)


def test_frame_check_on_a_shaken_clip(tmp_path):
    """A shaken clip changes at every frame: its re-encoded copy, a frame off
    after re-encoding, still passes; another take of it does not."""
    from conftest import SHARED_PHOTOS

    from photoorg.engine.video.cleanup import MAX_FRAME_DIFF, VideoFile, frame_difference
    from photoorg.engine.video.probe import probe
    from photoorg.engine.video.synthetic_clips import Shot, library_photos, make_clip

    if not SHARED_PHOTOS.is_dir():
        pytest.skip(f"real test photos not found at {SHARED_PHOTOS}")
    photos = library_photos(SHARED_PHOTOS, limit=40)
    shots = [Shot(photos[i], 3.0, "shake") for i in (4, 12, 20)]
    original = make_clip(shots, tmp_path / "shaky.mp4", size=(320, 180), seed=1)
    other = make_clip(shots, tmp_path / "shaky-again.mp4", size=(320, 180), seed=2)
    _ffmpeg("-i", original.path, "-vf", "scale=256:144", "-c:v", "libx264", "-crf", "32", str(tmp_path / "sent.mp4"))

    def file(path) -> VideoFile:
        info = probe(str(path))
        return VideoFile(0, str(path), 0, 0, info.duration_s, info.width * info.height, info.fps)

    assert frame_difference(file(tmp_path / "sent.mp4"), file(original.path), 0.0) < MAX_FRAME_DIFF
    assert frame_difference(file(other.path), file(original.path), 0.0) > 2 * MAX_FRAME_DIFF

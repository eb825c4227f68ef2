"""A story of photos and videos: the best video highlight plays in the story
video (checked by decoding the story's frames), muted or with its sound under
the music; videos join albums by capture time."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from photoorg.engine.story.ffmpeg import ffmpeg_exe, probe as ffprobe
from photoorg.engine.video.synthetic_clips import Shot, library_photos, make_clip


def _cli(cat: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "photoorg.engine.cli", "--catalog", str(cat), *args],
                          capture_output=True, text=True, timeout=600)


def _frame_at(path: str, t: float, size=(320, 180)) -> np.ndarray:
    raw = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-ss", f"{t:.3f}", "-i", path,
                          "-frames:v", "1", "-s", f"{size[0]}x{size[1]}", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(size[1], size[0], 3)


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    from conftest import SHARED_PHOTOS

    if not SHARED_PHOTOS.is_dir():
        pytest.skip(f"real test photos not found at {SHARED_PHOTOS}")
    photos = library_photos(SHARED_PHOTOS, limit=40)
    lib = tmp_path_factory.mktemp("lib")
    for p in photos[10:14]:
        shutil.copy(p, lib / Path(p).name)
    truth = make_clip([Shot(photos[20], 3.0, "blur"), Shot(photos[21], 5.0), Shot(photos[22], 3.0, "dark")],
                      lib / "clip.mp4", size=(320, 180), audio=True)
    cat = tmp_path_factory.mktemp("cat") / "cat.sqlite"
    assert _cli(cat, "scan", str(lib)).returncode == 0
    res = _cli(cat, "videos", "--analyse", "--json")
    assert res.returncode == 0, res.stderr
    return lib, cat, truth, json.loads(res.stdout)["videos"][0]


def test_story_of_photos_and_videos_plays_the_highlight(library, tmp_path):
    lib, cat, truth, video = library
    best = video["highlights"][0]
    # The clean middle shot is the best highlight, not the blurred or dark one.
    assert truth.shots[1]["start"] - 0.2 <= best["start"] and best["end"] <= truth.shots[1]["end"] + 0.2, \
        [(s["start"], s["scene"], s["importance"], s["raw_importance"]) for s in video["segments"]]
    out = tmp_path / "story.mp4"
    res = _cli(cat, "export-story", str(lib), "--out", str(out), "--size", "320x180", "--fps", "10", "--json")
    assert res.returncode == 0, res.stderr
    info = ffprobe(out)
    assert info.video_codec == "h264" and info.width == 320 and info.duration_s > 8
    plan = _cli(cat, "export-story", str(lib), "--out", str(out), "--plan-only", "--json")
    data = json.loads(plan.stdout)
    slides = data["slides"]
    clip = [s for s in slides if s.get("video_id")]
    assert len(clip) == 1 and clip[0]["clip_start"] == best["start"]
    # A frame in the middle of the clip's slide shows the clip's frame there.
    trans = data["transition_s"]
    start = data["title_s"] - trans
    for s in slides:
        if s.get("video_id"):
            break
        start += (s["duration_s"] or data["seconds_per_photo"]) - trans
    mid = start + clip[0]["duration_s"] / 2
    story = _frame_at(str(out), mid).astype(np.float32)
    source = _frame_at(truth.path, clip[0]["clip_start"] + clip[0]["duration_s"] / 2).astype(np.float32)
    corr = np.corrcoef(story.ravel(), source.ravel())[0, 1]
    assert corr > 0.8, corr


def test_videos_join_albums_by_time(library):
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.video.store import videos_between

    lib, cat, truth, video = library
    with Catalog(cat) as c:
        ts = c.query("SELECT capture_ts FROM video_info")[0][0]
        assert [v.id for v in videos_between(c, ts - 10, ts + 10, margin_s=0)] == [video["id"]]
        assert videos_between(c, ts + 7200, ts + 9000, margin_s=0) == []


def test_highlight_sound_under_the_music(library, tmp_path):
    from photoorg.engine.story.ffmpeg import ffmpeg_exe

    lib, cat, truth, video = library
    music = tmp_path / "music.m4a"
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "sine=frequency=220:duration=40", "-c:a", "aac", str(music)], check=True)
    energy = {}
    for sound in ("muted", "under-music"):
        out = tmp_path / f"story-{sound}.mp4"
        res = _cli(cat, "export-story", str(lib), "--out", str(out), "--size", "160x90", "--fps", "5",
                   "--music", str(music), "--video-sound", sound, "--json")
        assert res.returncode == 0, res.stderr
        info = ffprobe(out)
        assert info.audio_codec == "aac" and info.video_codec == "h264"
        pcm = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(out), "-ac", "1",
                              "-ar", "8000", "-f", "f32le", "-"], capture_output=True, check=True).stdout
        wave = np.frombuffer(pcm, np.float32)
        spectrum = np.abs(np.fft.rfft(wave))
        freqs = np.fft.rfftfreq(len(wave), 1 / 8000)
        band = lambda f: spectrum[(freqs > f - 5) & (freqs < f + 5)].sum()
        energy[sound] = band(440) / band(220)  # the clip's tone against the music's
    # The clip's own 440 Hz tone is heard only when its sound is kept.
    assert energy["under-music"] > 20 * energy["muted"], energy


def test_html_story_plays_the_highlight_clip(library, tmp_path):
    """The web-page story shows a video highlight as the clip itself (a
    <video> of an MP4 cut from the video, its still as the poster): the file
    ffprobe reads, as long as the highlight, showing the clip's frames; its
    sound kept only when the story plays video sound."""
    import re

    lib, cat, truth, video = library
    for sound in ("muted", "under-music"):
        out = tmp_path / f"story-{sound}"
        res = _cli(cat, "export-story", str(lib), "--out", str(out), "--video-sound", sound,
                   "--json")
        assert res.returncode == 0, res.stderr
        page = (out / "index.html").read_text()
        data = json.loads(re.search(r'<script[^>]*id="story-data"[^>]*>(.*?)</script>', page, re.S).group(1))
        clips = [s for s in data["slides"] if s.get("video")]
        assert len(clips) == 1, [s.get("src") for s in data["slides"]]
        clip = clips[0]
        assert clip["muted"] is (sound == "muted")
        path = out / clip["video"]
        info = ffprobe(path)
        assert info.video_codec == "h264" and abs(info.duration_s - clip["dur"]) < 0.3, (info, clip)
        assert (info.audio_codec == "aac") is (sound == "under-music")
        plan = json.loads(_cli(cat, "export-story", str(lib), "--out", str(out), "--plan-only", "--json").stdout)
        start = next(s for s in plan["slides"] if s.get("video_id"))["clip_start"]
        exported = _frame_at(str(path), clip["dur"] / 2).astype(np.float32)
        source = _frame_at(truth.path, start + clip["dur"] / 2).astype(np.float32)
        assert np.corrcoef(exported.ravel(), source.ravel())[0, 1] > 0.8

"""Rendering stories: small, short videos (320x180) and HTML folders.

Checks what a viewer would notice: the codec, size and length ffmpeg reports,
faces kept in frame, no black bars on portraits, music cut and faded, and that
a failure or a cancel never leaves a file that looks finished.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from photoorg.engine.errors import Cancelled
from photoorg.engine.progress import CancelToken
from photoorg.engine.story import StoryError, StoryPlan, StorySlide, probe, render_html, render_video
from photoorg.engine.story.ffmpeg import ffmpeg_exe
from photoorg.engine.story.video import VideoOptions

SMALL = VideoOptions(width=320, height=180, fps=10, preset="ultrafast")
FACE = (0.04, 0.05, 0.16, 0.20)  # a "face" box in the top-left corner (fractions)


def _noise_photo(path: Path, size: tuple[int, int], seed: int, face: tuple | None = None) -> Path:
    """A textured photo (smooth colour noise, never strongly red); ``face``
    draws a pure red block."""
    rng = np.random.default_rng(seed)
    small = rng.integers(40, 215, (12, 16, 3), dtype=np.uint8)
    small[..., 0] = np.minimum(small[..., 0], small[..., 1] // 2 + 60)
    im = Image.fromarray(small).resize(size, Image.Resampling.BICUBIC)
    if face:
        w, h = size
        ImageDraw.Draw(im).rectangle((face[0] * w, face[1] * h, face[2] * w, face[3] * h), fill=(255, 0, 0))
    im.save(path, quality=92)
    return path


@pytest.fixture
def photos(tmp_path) -> dict[str, Path]:
    d = tmp_path / "photos"
    d.mkdir()
    return {
        "face": _noise_photo(d / "face.jpg", (800, 600), 1, FACE),
        "portrait": _noise_photo(d / "portrait.jpg", (450, 800), 2),
        "wide": _noise_photo(d / "wide.jpg", (960, 540), 3),
    }


def _slide(path: Path, **kw) -> StorySlide:
    with Image.open(path) as im:
        w, h = im.size
    return StorySlide(path=str(path), photo_id=None, width=w, height=h, **kw)


def _frame(video: Path, t: float) -> np.ndarray:
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-ss", f"{t:.3f}", "-i", str(video), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(180, 320, 3)


def _no_partials(folder: Path) -> None:
    assert [p.name for p in folder.iterdir() if ".partial" in p.name or p.name.startswith(".")] == []


def test_video_codec_size_duration_faces_and_portraits(tmp_path, photos):
    plan = StoryPlan(title="Test story", dates="1 May 2024", slides=[
        _slide(photos["face"], faces=[FACE]), _slide(photos["portrait"]), _slide(photos["wide"])],
        seconds_per_photo=3.0, transition_s=0.8, title_s=2.0)
    out = tmp_path / "out" / "story.mp4"
    seen = []
    result = render_video(plan, out, options=SMALL, progress=seen.append)
    info = probe(out)
    assert (info.video_codec, info.width, info.height, info.pix_fmt) == ("h264", 320, 180, "yuv420p")
    assert info.duration_s == pytest.approx(plan.duration_s, abs=0.15)
    assert result.frames == round(plan.duration_s * 10) and seen and seen[-1].done == result.frames
    _no_partials(out.parent)

    # The face slide: from its start to its end the red block stays whole in frame.
    starts = [0.0, 1.2, 3.4, 5.6]  # title 2.0, then strides of 3.0 - 0.8
    for t in (starts[1] + 0.85, starts[1] + 1.5, starts[1] + 2.15):
        red = (lambda f: (f[..., 0] > 180) & (f[..., 1] < 90) & (f[..., 2] < 90))(_frame(out, t))
        ys, xs = np.nonzero(red)
        assert red.sum() > 150, f"the face block left the frame at {t} s"
        assert xs.min() > 0 and ys.min() > 0, f"the face block touches the frame edge at {t} s"
    # The portrait slide: shown whole over its blurred backdrop, not black bars.
    f = _frame(out, starts[2] + 1.5).astype(float)
    left, right, middle = f[:, :40].mean(), f[:, -40:].mean(), f[:, 140:180].mean()
    assert left > 25 and right > 25, "black bars beside a portrait"
    assert middle > left  # the photo is brighter than its darkened backdrop


def test_music_cuts_the_story_and_fades_out(tmp_path, photos):
    music = tmp_path / "tune.m4a"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=6",
                    "-c:a", "aac", str(music)], check=True)
    plan = StoryPlan(title="Music", slides=[_slide(p) for p in photos.values()] * 2,
                     seconds_per_photo=3.0, transition_s=0.5, title_s=1.5)
    assert plan.duration_s > 6
    out = tmp_path / "music.mp4"
    result = render_video(plan, out, options=SMALL, music=str(music))
    info = probe(out)
    assert info.audio_codec == "aac" and info.duration_s == pytest.approx(6.0, abs=0.25)
    assert result.dropped  # six photos at >= 2.5 s cannot fit 6 s: the weakest went
    # the audio fades: its last half second is far quieter than its middle
    pcm = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(out), "-vn", "-f", "s16le", "-ac", "1",
                          "-ar", "8000", "-"], capture_output=True, check=True).stdout
    a = np.abs(np.frombuffer(pcm, np.int16).astype(float))
    assert a[-4000:].mean() < 0.25 * a[len(a) // 2 - 4000: len(a) // 2].mean()


def test_bad_music_and_outputs_fail_cleanly(tmp_path, photos):
    plan = StoryPlan(title="x", slides=[_slide(photos["wide"])], seconds_per_photo=2.5, title_s=0)
    with pytest.raises(StoryError, match="music file not found"):
        render_video(plan, tmp_path / "a.mp4", options=SMALL, music=str(tmp_path / "nope.mp3"))
    not_audio = tmp_path / "notes.mp3"
    not_audio.write_text("not music")
    with pytest.raises(StoryError, match="not audio"):
        render_video(plan, tmp_path / "a.mp4", options=SMALL, music=str(not_audio))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoryError, match="cannot"):
        render_video(plan, blocker / "a.mp4", options=SMALL)
    with pytest.raises(StoryError, match="cannot"):
        render_video(plan, Path("/proc/story-test.mp4"), options=SMALL)
    with pytest.raises(StoryError, match=".mp4"):
        render_video(plan, tmp_path / "a.avi", options=SMALL)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "notes.mp3", "photos"]


def test_deleted_photos_are_left_out_and_cancel_leaves_nothing(tmp_path, photos):
    gone = tmp_path / "photos" / "gone.jpg"
    plan = StoryPlan(title="x", slides=[_slide(photos["wide"]), StorySlide(path=str(gone), width=800, height=600)],
                     seconds_per_photo=2.5, title_s=0, transition_s=0.5)
    out = tmp_path / "a.mp4"
    result = render_video(plan, out, options=SMALL)
    assert result.slides == 1 and "not found" in result.skipped[0]["reason"]
    assert probe(out).duration_s == pytest.approx(2.5, abs=0.15)

    only_gone = StoryPlan(title="x", slides=[StorySlide(path=str(gone))], title_s=0)
    with pytest.raises(StoryError, match="none of the story's photos"):
        render_video(only_gone, tmp_path / "b.mp4", options=SMALL)

    token = CancelToken()
    long_plan = StoryPlan(title="x", slides=[_slide(p) for p in photos.values()] * 3, seconds_per_photo=3)

    def cancel_midway(p):
        if p.done >= 20:
            token.cancel()

    with pytest.raises(Cancelled):
        render_video(long_plan, tmp_path / "c.mp4", options=SMALL, progress=cancel_midway, cancel=token)
    assert not (tmp_path / "b.mp4").exists() and not (tmp_path / "c.mp4").exists()
    _no_partials(tmp_path)


def test_html_slideshow_folder_and_page(tmp_path, photos):
    plan = StoryPlan(title="Walk <&> talk", dates="May 2024", slides=[
        _slide(photos["face"], faces=[FACE]), _slide(photos["portrait"])], seconds_per_photo=3.0)
    out = tmp_path / "show"
    result = render_html(plan, out)
    assert result.path == str(out / "index.html") and result.slides == 2
    page = (out / "index.html").read_text()
    assert "Walk &lt;&amp;&gt; talk" in page
    data = json.loads(page.split('type="application/json">')[1].split("</script>")[0])
    assert [s.get("type") for s in data["slides"]] == ["title", None, None]
    assert data["slides"][1]["keep"][0] < FACE[0] and data["slides"][1]["keep"][2] > FACE[2]
    for s in data["slides"][1:]:
        with Image.open(out / s["src"]) as im:
            assert im.size == (s["w"], s["h"])
    for name in ("index.html", "assets/player.js", "assets/player.css"):
        text = (out / name).read_text()
        assert "http://" not in text and "https://" not in text  # no network resources

    render_html(plan, out)  # exporting again replaces the previous export
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "mine.txt").write_text("someone's file")
    with pytest.raises(StoryError, match="already holds other files"):
        render_html(plan, tmp_path / "busy")
    assert (tmp_path / "busy" / "mine.txt").exists()

    page_out = tmp_path / "trip.html"
    render_html(plan, page_out)
    assert page_out.is_file() and (tmp_path / "trip_files" / "player.js").is_file()
    assert 'src="trip_files/player.js"' in page_out.read_text()
    _no_partials(tmp_path)

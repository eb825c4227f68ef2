"""Story plans, framing geometry and focus: pure computations, no rendering."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from photoorg.engine.story.ffmpeg import parse_probe
from photoorg.engine.story.focus import grow_face, keep_box, saliency_focus
from photoorg.engine.story.layout import plan_geometry
from photoorg.engine.story.plan import MAX_PHOTO_S, MIN_PHOTO_S, StoryPlan, StorySlide


def _plan(n: int = 5) -> StoryPlan:
    slides = [StorySlide(path=f"/p/{i}.jpg", photo_id=i, capture_ts=1000.0 + 10 * i) for i in range(n)]
    return StoryPlan(title="Trip", slides=slides, seconds_per_photo=4.0, transition_s=1.0, title_s=3.0)


def test_duration_counts_cross_fade_overlaps_and_fits_a_target():
    plan = _plan(5)
    # title 3 + 5 x 4, minus 5 overlaps of 1 s
    assert plan.duration_s == pytest.approx(3 + 20 - 5)
    plan.fit_to_seconds(30)
    assert plan.duration_s == pytest.approx(30, abs=0.01)
    plan.fit_to_seconds(1000)  # a 5-photo album does not become a long film
    assert plan.seconds_per_photo == MAX_PHOTO_S
    plan.fit_to_seconds(1)
    assert plan.seconds_per_photo == MIN_PHOTO_S


def test_editing_keeps_capture_order_and_round_trips_json():
    plan = _plan(4)
    removed = plan.remove(2)
    assert [s.photo_id for s in plan.slides] == [0, 1, 3] and plan.alternates[0] is removed
    plan.add_alternate(2)  # back in at its place in time
    assert [s.photo_id for s in plan.slides] == [0, 1, 2, 3] and not plan.alternates
    plan.move(3, 0)
    assert [s.photo_id for s in plan.slides] == [3, 0, 1, 2]
    plan.slides[1].faces = [(0.1, 0.1, 0.2, 0.2)]
    again = StoryPlan.loads(plan.dumps())
    assert again == plan
    with pytest.raises(KeyError):
        plan.remove(99)


def _inside(rect, box, tol=1e-6):
    return rect[0] <= box[0] + tol and rect[1] <= box[1] + tol and rect[2] >= box[2] - tol and rect[3] >= box[3] - tol


@pytest.mark.parametrize("size,face,mode", [
    ((4000, 3000), (0.05, 0.02, 0.15, 0.14), "fill"),   # 4:3, a face in the top-left corner
    ((4000, 3000), (0.80, 0.85, 0.95, 0.98), "fill"),   # ... and bottom-right
    ((3000, 4000), (0.40, 0.05, 0.60, 0.20), "fit"),    # a portrait: shown whole, face near the top
    ((1000, 1000), (0.45, 0.45, 0.55, 0.55), "fit"),    # a square
    ((6000, 1500), (0.02, 0.30, 0.12, 0.60), "fit"),    # a panorama
    ((1920, 1080), (0.0, 0.0, 1.0, 1.0), "fill"),       # a face filling the frame: no zoom left
])
@pytest.mark.parametrize("zoom_in", [True, False])
def test_camera_keeps_the_faces_in_frame_for_the_whole_slide(size, face, mode, zoom_in):
    keep = keep_box([face], None)
    g = plan_geometry(size[0], size[1], 16 / 9, keep, zoom=1.15, zoom_in=zoom_in)
    assert g.mode == mode
    if mode == "fill":
        cx0, cy0, cx1, cy1 = keep[0] * size[0], keep[1] * size[1], keep[2] * size[0], keep[3] * size[1]
    else:
        ox, oy = g.photo[0], g.photo[1]
        cx0, cy0, cx1, cy1 = ox + keep[0] * size[0], oy + keep[1] * size[1], ox + keep[2] * size[0], oy + keep[3] * size[1]
    for u in np.linspace(0, 1, 11):
        r = g.rect_at(u)
        assert r[0] >= -1e-6 and r[1] >= -1e-6 and r[2] <= g.canvas[0] + 1e-6 and r[3] <= g.canvas[1] + 1e-6
        assert (r[2] - r[0]) / (r[3] - r[1]) == pytest.approx(16 / 9, rel=1e-6)
        assert _inside(r, (cx0, cy0, cx1, cy1))
    widths = [g.start[2] - g.start[0], g.end[2] - g.end[0]]
    assert max(widths) / min(widths) <= 1.15 + 1e-6
    if zoom_in:
        assert widths[0] >= widths[1]


def test_grown_face_box_covers_hair_and_chin():
    x0, y0, x1, y1 = grow_face((0.4, 0.4, 0.5, 0.5))
    assert x0 < 0.4 and y0 < 0.4 - 0.04 and x1 > 0.5 and y1 > 0.5
    assert (0.4 - y0) > (y1 - 0.5)  # more room above (hair) than below


def test_saliency_finds_an_off_centre_subject():
    im = Image.new("RGB", (400, 300), (90, 110, 90))
    draw = ImageDraw.Draw(im)
    draw.ellipse((250, 60, 330, 140), fill=(240, 40, 40))
    box = saliency_focus(im)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    assert cx > 0.55 and cy < 0.5  # pulled towards the red disc (right, upper half)


def test_probe_text_parsing():
    text = """Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':
  Duration: 00:01:02.50, start: 0.000000, bitrate: 2000 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 1920x1080, 1900 kb/s, 30 fps, 30 tbr
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp, 192 kb/s"""
    info = parse_probe(text)
    assert info.duration_s == pytest.approx(62.5)
    assert (info.video_codec, info.width, info.height, info.pix_fmt, info.fps) == ("h264", 1920, 1080, "yuv420p", 30.0)
    assert info.audio_codec == "aac"

"""A 4-hour video (tiny pictures, one frame a second, four scenes): sampled
sparsely, its cuts found; under a short time limit the analysis stops reading,
keeps what it read (segments up to there, nothing invented after) and says so.
Speed figures are in tests/bench/bench_video.py."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from photoorg.engine.story.ffmpeg import ffmpeg_exe

HOURS_4 = 14_400
SCENES = ("color=c=gray", "smptebars", "testsrc", "mandelbrot")


@pytest.fixture(scope="module")
def four_hours(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("long") / "four-hours.mp4"
    inputs = []
    for src in SCENES:
        opts = "s=64x36:r=1" + (":d=3600" if src != "mandelbrot" else "")  # the last runs to the -t
        inputs += ["-f", "lavfi", "-i", f"{src}:{opts}" if "=" in src else f"{src}={opts}"]
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *inputs,
                    "-filter_complex", "[0][1][2][3]concat=n=4:v=1:a=0", "-t", str(HOURS_4),
                    "-c:v", "libx264", "-preset", "ultrafast", str(out)], check=True, timeout=120)
    return out


def test_four_hours_sampled_sparsely_with_its_cuts(four_hours):
    from photoorg.engine.video.frames import MAX_SAMPLES
    from photoorg.engine.video.reader import IsolatedReader

    started = time.monotonic()
    with IsolatedReader(time_limit_s=120.0) as reader:
        got = reader.read(str(four_hours))
    assert time.monotonic() - started < 120.0  # within the time limit per file: nothing hangs
    assert not got.get("skip") and not got["problems"], got.get("problems")
    assert abs(got["info"]["duration_s"] - HOURS_4) < 2
    assert len(got["times"]) <= MAX_SAMPLES and got["times"][-1] > HOURS_4 - 60
    cuts = got["cuts"]
    assert len(cuts) == 3 and all(abs(c - t) <= 1.0 for c, t in zip(cuts, (3600, 7200, 10800))), cuts


def test_short_time_limit_keeps_what_was_read(four_hours, settings):
    from photoorg.engine.analysis.backbone_runner import BackboneRunner
    from photoorg.engine.scan.skip_kinds import kind_of
    from photoorg.engine.video.analyze import analyze_file
    from photoorg.engine.video.model_store import load_video_model
    from photoorg.engine.video.reader import IsolatedReader

    limit = 0.5  # reading every sample takes tens of thousands of decoded frames: seconds on any CPU
    started = time.monotonic()
    with IsolatedReader(time_limit_s=limit) as reader:
        res = analyze_file(str(four_hours), BackboneRunner(settings), load_video_model(settings), reader)
    assert time.monotonic() - started < 120.0
    assert res.status == "partial" and kind_of(res.reason) == "timed-out", res.problems
    assert res.segments and res.frames > 0
    read_to = res.signature_times[-1]
    assert read_to < HOURS_4 - 40  # it did stop before the last sample...
    assert res.segments[-1].end <= read_to + 40  # ...and no segment claims the part never read
    assert all(s.scene and 0.0 <= s.importance <= 1.0 for s in res.segments)
    # Segments one sample interval long when sampled sparsely: each has a frame of its own.
    assert len(res.segments) <= res.frames + 3

"""Benchmark: seconds of rendering per second of story video.

Renders a story of real photos (../shared/photos/immich/albums/nature by
default) at 1080p and reports, in the same run:
- the full render (decode + framing + composition + x264 + mux),
- the composition alone (frames made, not encoded),
- x264 alone on the same number of raw frames (the encoder's share),
with the machine's load (``uptime``) before and after, since the figures
scale with the free cores.

    .venv/bin/python tests/bench/bench_story.py [--seconds 20] [--size 1920x1080] [--fps 30]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from photoorg.engine.story import StoryPlan, StorySlide, probe, render_video
from photoorg.engine.story.ffmpeg import ffmpeg_exe
from photoorg.engine.story.video import VideoOptions, _active, _mix, slide_framing, starts_of

REPO = Path(__file__).resolve().parents[2]
DEFAULT_ALBUM = REPO.parent / "shared" / "photos" / "immich" / "albums" / "nature"


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def build_plan(folder: Path, seconds: float) -> StoryPlan:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".heic"))
    if not files:
        sys.exit(f"no photos in {folder}")
    slides = []
    for f in files:
        with Image.open(f) as im:
            w, h = im.size
        slides.append(StorySlide(path=str(f), width=w, height=h, score=1.0))
    plan = StoryPlan(title=folder.name.title(), dates="bench", slides=slides)
    plan.fit_to_seconds(seconds)
    return plan


def compose_only(plan: StoryPlan, opts: VideoOptions) -> float:
    """Frames composed exactly as render_video does, without the encoder."""
    size = opts.size()
    durations = [s.duration_s or plan.seconds_per_photo for s in plan.slides]
    starts = starts_of(durations, plan.transition_s)
    total = sum(durations) - plan.transition_s * (len(durations) - 1)
    t0 = time.monotonic()
    framings = {}
    for f in range(round(total * opts.fps)):
        t = f / opts.fps
        frame = None
        for i in _active(starts, durations, t):
            if i not in framings:
                framings[i] = slide_framing(plan.slides[i], size, opts.zoom, i % 2 == 0)
            img = framings[i].frame_array((t - starts[i]) / durations[i], size)
            frame = img if frame is None else _mix(frame, img, 0.5)
        frame.tobytes()
    return time.monotonic() - t0


def encode_only(frames: int, opts: VideoOptions, out: Path) -> float:
    w, h = opts.size()
    frame = Image.effect_noise((w, h), 40).convert("RGB").tobytes()
    cmd = [ffmpeg_exe(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}",
           "-framerate", str(opts.fps), "-i", "-", "-c:v", "libx264", "-preset", opts.preset,
           "-crf", str(opts.crf), "-pix_fmt", "yuv420p", str(out)]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    for _ in range(frames):
        proc.stdin.write(frame)
    proc.stdin.close()
    proc.wait()
    return time.monotonic() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--album", type=Path, default=DEFAULT_ALBUM)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--size", default="1920x1080")
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--preset", default="veryfast")
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.lower().split("x"))
    opts = VideoOptions(width=w, height=h, fps=args.fps, preset=args.preset)
    plan = build_plan(args.album, args.seconds)
    print(f"photos: {len(plan.slides)} from {args.album}; {args.size} @ {args.fps} fps, x264 {args.preset}; "
          f"cores: {os.cpu_count()}")
    print(f"load before: {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.mp4"
        t0 = time.monotonic()
        result = render_video(plan, out, options=opts)
        full = time.monotonic() - t0
        info = probe(out)
        size_mb = out.stat().st_size / 1e6
        video_s = info.duration_s or result.duration_s
        print(f"full render: {full:.1f} s for {video_s:.1f} s of video = {full / video_s:.2f} s per video second "
              f"({result.frames / full:.1f} frames/s); {info.video_codec} {info.width}x{info.height} "
              f"{info.pix_fmt}, {size_mb:.1f} MB ({size_mb * 8 / video_s:.1f} Mbit/s)")
        plan_nt = StoryPlan.from_json(plan.to_json())
        plan_nt.title_s = 0
        comp = compose_only(plan_nt, opts)
        comp_s = plan_nt.duration_s
        print(f"composition only: {comp:.1f} s for {comp_s:.1f} s = {comp / comp_s:.2f} s per video second")
        enc = encode_only(result.frames, opts, Path(tmp) / "enc.mp4")
        print(f"x264 only: {enc:.1f} s for {video_s:.1f} s = {enc / video_s:.2f} s per video second")
    print(f"load after: {load()}")


if __name__ == "__main__":
    main()

"""Sampled frames of a video: seek to each sampled time, decode from the
keyframe before it up to that time, never the whole file.

A phone video has a keyframe every 0.5-2 s; for samples 0.5 s apart the
decoder keeps going forward instead of seeking (a seek would restart from the
same keyframe), and non-reference frames (B-frames) are not decoded at all
when samples are that far apart. Frames come back small (``width`` pixels
wide, upright), as RGB arrays: enough for the backbone's 224 px input, the
cut detector and the quality cues.

A decode error part-way (a truncated file) keeps the frames read so far and
says where it stopped; a deadline stops the reading the same way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

DEFAULT_INTERVAL_S = 0.5
MAX_SAMPLES = 360  # a 4-hour file is sampled every 40 s, not every 0.5 s
FRAME_WIDTH = 320
# Decode forward rather than seek when the next sample is this close.
FORWARD_S = 2.5


@dataclass
class Sampled:
    times: list[float] = field(default_factory=list)
    frames: list[np.ndarray] = field(default_factory=list)  # (h, w, 3) uint8, upright
    problems: list[str] = field(default_factory=list)
    decoded: int = 0  # frames the decoder produced (cost)

    def stack(self) -> np.ndarray:
        return np.stack(self.frames) if self.frames else np.zeros((0, 1, 1, 3), np.uint8)


def sample_times(duration_s: float, interval_s: float = DEFAULT_INTERVAL_S, max_samples: int = MAX_SAMPLES) -> list[float]:
    """Sample times from near the start to near the end; sparser for long videos."""
    if duration_s <= 0:
        return [0.0]
    interval = max(interval_s, duration_s / max_samples)
    n = max(1, int(duration_s / interval))
    return [round((i + 0.5) * duration_s / n, 3) for i in range(n)]


def _upright(rgb: np.ndarray, rotation: int) -> np.ndarray:
    if rotation == 90:
        return np.ascontiguousarray(np.rot90(rgb, k=-1))
    if rotation == 180:
        return np.ascontiguousarray(rgb[::-1, ::-1])
    if rotation == 270:
        return np.ascontiguousarray(np.rot90(rgb, k=1))
    return rgb


KEYFRAME_MAX_SPACING_S = 1.05  # keyframes this close make a good enough sampling on their own
KEYFRAME_PASS_MAX_S = 20 * 60  # longer files are sampled by seeking (reading every packet costs too much)


def read_keyframes(path: str, duration_s: float, *, rotation: int = 0, width: int = FRAME_WIDTH,
                   deadline: Optional[float] = None) -> Optional[Sampled]:
    """Every keyframe, decoding nothing else, when they come at least once a
    second (phone encoders put one every 0.5-1 s); None otherwise, and the
    caller seeks to sampled times instead."""
    import av

    if duration_s <= 0 or duration_s > KEYFRAME_PASS_MAX_S:
        return None
    out = Sampled()
    try:
        container = av.open(path, metadata_errors="ignore", timeout=10.0)
    except (av.error.FFmpegError, OSError):
        return None
    with container:
        if not container.streams.video:
            return None
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = "NONKEY"
        stream.thread_type = "AUTO"
        tb = float(stream.time_base or 1e-6)
        start = float(stream.start_time * tb) if stream.start_time is not None else 0.0
        cc = stream.codec_context
        if not cc.width or not cc.height:
            return None
        ow, oh = _out_size(cc.width, cc.height, rotation, width)
        try:
            for frame in container.decode(stream):
                out.decoded += 1
                if frame.time is None:
                    continue
                out.times.append(round(max(0.0, frame.time - start), 3))
                out.frames.append(_upright(frame.to_ndarray(format="rgb24", width=ow, height=oh), rotation))
                if len(out.frames) > MAX_SAMPLES * 2 or (deadline is not None and time.monotonic() > deadline):
                    return None
                if len(out.times) == 3 and out.times[2] - out.times[0] > 2 * KEYFRAME_MAX_SPACING_S:
                    return None  # sparse keyframes: give up early, seek instead
        except (av.error.FFmpegError, OSError, ValueError):
            return None
    if len(out.times) < 2:
        return None
    gaps = np.diff([0.0, *out.times, duration_s])
    if float(np.max(gaps)) > 2 * KEYFRAME_MAX_SPACING_S or float(np.median(gaps)) > KEYFRAME_MAX_SPACING_S:
        return None
    return out


def _out_size(src_w: int, src_h: int, rotation: int, width: int) -> tuple[int, int]:
    """Decoded size (before rotation) whose upright width is ``width``."""
    scale = width / (src_w if rotation in (0, 180) else src_h)
    return max(2, int(round(src_w * scale)) // 2 * 2), max(2, int(round(src_h * scale)) // 2 * 2)


def refine_cut(path: str, t0: float, t1: float, *, rotation: int = 0, deadline: Optional[float] = None) -> Optional[float]:
    """Where exactly between samples ``t0`` and ``t1`` the picture changes:
    decode that stretch (one GOP or so) and return the time of the frame after
    the largest jump; None when it cannot be read."""
    import av

    from .cues import small_grey

    try:
        container = av.open(path, metadata_errors="ignore", timeout=10.0)
    except (av.error.FFmpegError, OSError):
        return None
    with container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        tb = float(stream.time_base or 1e-6)
        start = float(stream.start_time * tb) if stream.start_time is not None else 0.0
        ow, oh = _out_size(stream.codec_context.width, stream.codec_context.height, rotation, 96)
        try:
            container.seek(int((start + t0) / tb), stream=stream, backward=True)
            prev, best = None, (0.0, None)
            for frame in container.decode(stream):
                if frame.time is None:
                    continue
                ft = frame.time - start
                if ft < t0 - 1e-3:
                    continue
                g = small_grey(frame.to_ndarray(format="rgb24", width=ow, height=oh))
                if prev is not None:
                    jump = float(np.abs(g - prev).mean())
                    if jump > best[0]:
                        best = (jump, round(ft, 3))
                prev = g
                if ft >= t1 - 1e-3 or (deadline is not None and time.monotonic() > deadline):
                    break
        except (av.error.FFmpegError, OSError, ValueError):
            return None
    return best[1]


def read_frames(path: str, times: list[float], *, rotation: int = 0, width: int = FRAME_WIDTH,
                deadline: Optional[float] = None) -> Sampled:
    """The frame shown at (or just after) each of ``times`` (seconds from the
    start). ``deadline`` is a time.monotonic() value."""
    import av

    out = Sampled()
    if not times:
        return out
    tol = 0.5 * (min(np.diff(times)) if len(times) > 1 else 0.5)
    try:
        container = av.open(path, metadata_errors="ignore", timeout=10.0)
    except (av.error.FFmpegError, OSError) as exc:
        out.problems.append(f"not a readable video ({exc.__class__.__name__})")
        return out
    with container:
        if not container.streams.video:
            out.problems.append("no video stream (audio only)")
            return out
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if len(times) > 1 and tol >= 0.1:
            stream.codec_context.skip_frame = "NONREF"
        tb = float(stream.time_base or 1e-6)
        start = float(stream.start_time * tb) if stream.start_time is not None else 0.0
        cc = stream.codec_context
        src_w, src_h = cc.width or 0, cc.height or 0
        if not src_w or not src_h:
            out.problems.append("not a readable video (no picture size)")
            return out
        ow, oh = _out_size(src_w, src_h, rotation, width)  # before rotation
        decoder = None
        pos = -1e9  # presentation time of the last decoded frame
        for t in times:
            if deadline is not None and time.monotonic() > deadline:
                out.problems.append(f"reading stopped at the time limit, {t:.0f} s into the video")
                break
            if decoder is None or not (0 <= t - pos <= FORWARD_S):
                try:
                    container.seek(int((start + max(0.0, t - tol)) / tb), stream=stream, backward=True)
                except (av.error.FFmpegError, OSError):
                    pass  # not seekable: decode forward from where it is
                decoder = container.decode(stream)
            frame = None
            try:
                for f in decoder:
                    out.decoded += 1
                    ft = f.time
                    if ft is None:
                        continue
                    pos = ft - start
                    if pos >= t - tol:
                        frame = f
                        break
                    if deadline is not None and time.monotonic() > deadline:
                        break
            except (av.error.FFmpegError, OSError, ValueError) as exc:
                out.problems.append(f"file is truncated or damaged: frames after {max(pos, 0):.1f} s "
                                    f"cannot be decoded ({exc.__class__.__name__})")
                break
            if frame is None:
                decoder = None
                if out.frames and t > (out.times[-1] + FORWARD_S):
                    continue  # past the last frame (a container that claims more than it holds)
                continue
            rgb = frame.to_ndarray(format="rgb24", width=ow, height=oh)
            out.times.append(round(max(pos, 0.0), 3))
            out.frames.append(_upright(rgb, rotation))
    if times and not out.frames and not out.problems:
        out.problems.append("no frame could be decoded")
    return out


__all__ = ["DEFAULT_INTERVAL_S", "FRAME_WIDTH", "MAX_SAMPLES", "Sampled", "read_frames", "read_keyframes", "refine_cut",
           "sample_times"]

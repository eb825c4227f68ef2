"""Per-frame measurements from pixels that say how watchable a stretch is:
sharpness, brightness, contrast, and motion against the previous sample
(a camera shaking moves the whole frame between samples; a camera left still
on one view does not move at all).

They feed the cut detector (segments.py) and, with the backbone features, the
importance head of the multitask transformer (models/video_mtn.py).
"""

from __future__ import annotations

import numpy as np

CUE_NAMES = ("sharpness", "brightness", "contrast", "motion", "stillness")
SMALL = (64, 36)  # thumbnail for motion and cut detection


def grey(frame: np.ndarray) -> np.ndarray:
    return frame[..., 0] * 0.299 + frame[..., 1] * 0.587 + frame[..., 2] * 0.114


def small_grey(frame: np.ndarray) -> np.ndarray:
    """A 64x36 (or aspect-kept) grey thumbnail by block averaging."""
    g = grey(frame.astype(np.float32))
    h, w = g.shape
    sx, sy = max(1, w // SMALL[0]), max(1, h // SMALL[1])
    g = g[: h - h % sy, : w - w % sx]
    return g.reshape(g.shape[0] // sy, sy, g.shape[1] // sx, sx).mean(axis=(1, 3))


def sharpness(g: np.ndarray) -> float:
    """Mean absolute Laplacian of the grey frame, relative to its contrast,
    so that a dark but sharp frame is not called blurred."""
    lap = np.abs(4 * g[1:-1, 1:-1] - g[:-2, 1:-1] - g[2:, 1:-1] - g[1:-1, :-2] - g[1:-1, 2:])
    return float(lap.mean() / (g.std() + 8.0))


def frame_cues(frames: np.ndarray) -> np.ndarray:
    """(T, h, w, 3) uint8 -> (T, 5) float32: the CUE_NAMES, each scaled to
    about 0..1."""
    out = np.zeros((len(frames), len(CUE_NAMES)), np.float32)
    prev = None
    for i, f in enumerate(frames):
        g = grey(f.astype(np.float32))
        s = small_grey(f)
        out[i, 0] = min(1.0, sharpness(g) / 0.6)
        out[i, 1] = g.mean() / 255.0
        out[i, 2] = min(1.0, g.std() / 64.0)
        if prev is not None:
            # Motion: the smallest mean difference over small shifts, so that a
            # slow pan counts as little and a jolt of the whole frame as much.
            diff = _aligned_difference(prev, s)
            out[i, 3] = min(1.0, diff / 40.0)
            out[i, 4] = 1.0 if float(np.abs(prev - s).mean()) < 0.6 else 0.0
        prev = s
    if len(frames) > 1:
        out[0, 3:] = out[1, 3:]
    return out


def _aligned_difference(a: np.ndarray, b: np.ndarray, radius: int = 2) -> float:
    best = float("inf")
    h, w = a.shape
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            pa = a[max(0, dy): h + min(0, dy), max(0, dx): w + min(0, dx)]
            pb = b[max(0, -dy): h + min(0, -dy), max(0, -dx): w + min(0, -dx)]
            best = min(best, float(np.abs(pa - pb).mean()))
    # The raw difference grows with the shift the camera made: add the shift
    # size that the alignment could not absorb as plain difference.
    raw = float(np.abs(a - b).mean())
    return 0.5 * best + 0.5 * raw


def colour_histogram(frame: np.ndarray, bins: int = 8) -> np.ndarray:
    """A normalised joint RGB histogram (bins^3), the cut detector's colour cue."""
    q = (frame[::2, ::2].reshape(-1, 3) // (256 // bins)).astype(np.int32)
    idx = q[:, 0] * bins * bins + q[:, 1] * bins + q[:, 2]
    hist = np.bincount(idx, minlength=bins ** 3).astype(np.float32)
    return hist / max(1.0, hist.sum())


__all__ = ["CUE_NAMES", "colour_histogram", "frame_cues", "sharpness", "small_grey"]

"""Where the interesting part of a photo is, so pan-and-zoom keeps it in frame.

Face boxes (from the faces stage) win when a photo has them: they are grown a
little (a detector's box stops at the eyebrows and the chin, a person also has
hair) and joined into one box. Without faces, a saliency prior finds the
region: spectral-residual saliency (Hou & Zhang, CVPR 2007) on a small grey
copy, weighted by a centre prior, summarised as its weighted mean +- spread.
"""

from __future__ import annotations

from typing import Iterable, Optional

import numpy as np
from PIL import Image, ImageFilter

from .plan import Box

SALIENCY_PX = 64


def clamp_box(box: Box) -> Box:
    x0, y0, x1, y1 = (min(1.0, max(0.0, float(v))) for v in box)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def grow_face(box: Box) -> Box:
    """A face detector's box grown to the head: more above (hair) than below."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    return clamp_box((x0 - 0.25 * w, y0 - 0.45 * h, x1 + 0.25 * w, y1 + 0.25 * h))


def union(boxes: Iterable[Box]) -> Optional[Box]:
    boxes = list(boxes)
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def keep_box(faces: list[Box], focus: Optional[Box]) -> Optional[Box]:
    """The region that must stay visible: the grown faces, else the focus box."""
    if faces:
        return union(grow_face(clamp_box(f)) for f in faces)
    return clamp_box(focus) if focus is not None else None


def _box_blur(a: np.ndarray, k: int = 3) -> np.ndarray:
    pad = k // 2
    p = np.pad(a, pad, mode="edge")
    out = np.zeros_like(a)
    for dy in range(k):
        for dx in range(k):
            out += p[dy:dy + a.shape[0], dx:dx + a.shape[1]]
    return out / (k * k)


def saliency_map(im: Image.Image, size: int = SALIENCY_PX) -> np.ndarray:
    """A size x size map in [0, 1] (aspect ignored: it is read back as fractions)."""
    small = im.convert("L").resize((size, size), Image.Resampling.BILINEAR)
    a = np.asarray(small, dtype=np.float64) / 255.0
    spectrum = np.fft.fft2(a)
    log_amp = np.log(np.abs(spectrum) + 1e-9)
    residual = log_amp - _box_blur(log_amp, 3)
    sal = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))) ** 2
    sal_im = Image.fromarray((sal / (sal.max() + 1e-12) * 255).astype(np.uint8))
    sal = np.asarray(sal_im.filter(ImageFilter.GaussianBlur(size / 24)), dtype=np.float64) / 255.0
    return sal / (sal.max() + 1e-12)


def saliency_focus(im: Image.Image, spread: float = 1.2) -> Box:
    """The salient region as a box in fractions, pulled towards the centre."""
    sal = saliency_map(im)
    n = sal.shape[0]
    grid = (np.arange(n) + 0.5) / n
    gx, gy = np.meshgrid(grid, grid)
    centre = np.exp(-(((gx - 0.5) ** 2) + ((gy - 0.5) ** 2)) / (2 * 0.3 ** 2))
    w = sal * centre
    w = np.where(w >= np.quantile(w, 0.8), w, 0.0)  # the salient part only
    total = w.sum()
    if total <= 0:
        return (0.3, 0.3, 0.7, 0.7)
    cx, cy = (w * gx).sum() / total, (w * gy).sum() / total
    sx = np.sqrt((w * (gx - cx) ** 2).sum() / total)
    sy = np.sqrt((w * (gy - cy) ** 2).sum() / total)
    sx, sy = max(sx * spread, 0.08), max(sy * spread, 0.08)
    return clamp_box((cx - sx, cy - sy, cx + sx, cy + sy))

"""Degraded copies of real photos: the self-supervised preference pairs.

A photo is preferred over a copy of itself with one of the defects people
reject a shot for. Each function takes an RGB image at the model's input
size (224 x 224) and a severity in [0, 1] and returns the damaged copy;
the strengths run from subtle but visible at that size (0) to plain (1).
"""

from __future__ import annotations

import io
import math
import random
from typing import Callable

import numpy as np
from PIL import Image, ImageFilter


def _to_image(a: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(a + 0.5, 0, 255).astype(np.uint8))


def motion_blur(im: Image.Image, s: float, rng: random.Random) -> Image.Image:
    from scipy.ndimage import convolve

    length = int(round(2 + 10 * s))
    angle = rng.uniform(0, math.pi)
    k = np.zeros((length * 2 + 1, length * 2 + 1), np.float32)
    for t in np.linspace(-length / 2, length / 2, 4 * length + 1):
        k[int(round(length + t * math.sin(angle))), int(round(length + t * math.cos(angle)))] = 1
    k /= k.sum()
    a = np.asarray(im, np.float32)
    return _to_image(np.stack([convolve(a[..., c], k, mode="nearest") for c in range(3)], axis=-1))


def focus_blur(im: Image.Image, s: float, rng: random.Random) -> Image.Image:
    return im.filter(ImageFilter.GaussianBlur(0.7 + 2.3 * s))


def noise(im: Image.Image, s: float, rng: random.Random) -> Image.Image:
    gen = np.random.default_rng(rng.getrandbits(32))
    a = np.asarray(im, np.float32)
    sigma = 5 + 20 * s  # sensor noise at high ISO: luminance plus some chroma
    grain = gen.normal(0, sigma, a.shape[:2])[..., None] + gen.normal(0, sigma * 0.5, a.shape)
    return _to_image(a + grain)


def underexpose(im: Image.Image, s: float, rng: random.Random) -> Image.Image:
    a = np.asarray(im, np.float32) / 255.0
    return _to_image(255.0 * (a ** (1.3 + 1.2 * s)) * (0.85 - 0.35 * s))


def overexpose(im: Image.Image, s: float, rng: random.Random) -> Image.Image:
    a = np.asarray(im, np.float32)
    return _to_image(a * (1.3 + 1.5 * s) + 15 * s)


def tilt(im: Image.Image, s: float, rng: random.Random) -> Image.Image:
    deg = (2.5 + 8 * s) * rng.choice((-1, 1))
    w, h = im.size
    rot = im.rotate(deg, resample=Image.Resampling.BICUBIC, expand=False)
    # Keep only the inner rectangle without empty corners, like a level tool would.
    r = math.radians(abs(deg))
    scale = 1 / (math.cos(r) + math.sin(r) * max(w, h) / min(w, h))
    cw, ch = w * scale, h * scale
    box = ((w - cw) / 2, (h - ch) / 2, (w + cw) / 2, (h + ch) / 2)
    return rot.crop(tuple(int(round(v)) for v in box)).resize((w, h), Image.Resampling.BICUBIC)


def bad_crop(im: Image.Image, s: float, rng: random.Random) -> Image.Image:
    """A frame pushed off the subject: a window anchored at an edge or corner
    that cuts through the middle of the picture."""
    w, h = im.size
    frac = 0.7 - 0.2 * s
    cw, ch = w * frac, h * frac
    ax, ay = rng.choice([(0, 0), (1, 0), (0, 1), (1, 1), (0.5, 0), (0.5, 1), (0, 0.5), (1, 0.5)])
    x0, y0 = ax * (w - cw), ay * (h - ch)
    return im.crop((int(x0), int(y0), int(x0 + cw), int(y0 + ch))).resize((w, h), Image.Resampling.BICUBIC)


def jpeg_damage(im: Image.Image, s: float, rng: random.Random) -> Image.Image:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=int(round(20 - 14 * s)), subsampling=2)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def same_quality(im: Image.Image, rng: random.Random) -> Image.Image:
    """Another shot as good as this one: a few pixels' shift and a barely
    visible exposure change (a tie: neither should be preferred)."""
    w, h = im.size
    dx, dy = rng.uniform(-0.03, 0.03) * w, rng.uniform(-0.03, 0.03) * h
    margin = 0.04
    box = (margin * w + dx, margin * h + dy, (1 - margin) * w + dx, (1 - margin) * h + dy)
    out = im.resize((w, h), Image.Resampling.BILINEAR, box=box)
    a = np.asarray(out, np.float32) * rng.uniform(0.96, 1.04)
    return _to_image(a)


DEGRADATIONS: dict[str, Callable[[Image.Image, float, random.Random], Image.Image]] = {
    "motion_blur": motion_blur,
    "focus_blur": focus_blur,
    "noise": noise,
    "underexpose": underexpose,
    "overexpose": overexpose,
    "tilt": tilt,
    "bad_crop": bad_crop,
    "jpeg": jpeg_damage,
}


def random_view(im: Image.Image, size: int, rng: random.Random, min_scale: float = 0.6) -> Image.Image:
    """A random square window of the photo resized to ``size`` (augmentation:
    the pair shares it, so only the defect differs between the two)."""
    w, h = im.size
    side = min(w, h) * rng.uniform(min_scale, 1.0)
    x0 = rng.uniform(0, w - side)
    y0 = rng.uniform(0, h - side)
    view = im.resize((size, size), Image.Resampling.BILINEAR, box=(x0, y0, x0 + side, y0 + side), reducing_gap=2.0)
    if rng.random() < 0.5:
        view = view.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return view

"""Degraded copies of real photos: the supervision of the quality dimension.

No quality labels are reachable here, but a copy of a photo that was blurred,
shaken, made noisy, under- or over-exposed, washed out, over-compressed or
upscaled from fewer pixels is of lower technical quality than the photo
itself, and a stronger degradation is lower than a milder one. Those are the
only claims the training makes (pairs within one photo), so the labels are
honest even though many originals are far from perfect.

Every degradation works on the working-size image (short side ~896 px) that
the sub-images are cut from, so its strength is what the backbones see.
"""

from __future__ import annotations

import io
from typing import Callable

import numpy as np
from PIL import Image, ImageFilter

# kind -> (mild, strong) parameter
LEVELS: dict[str, tuple[float, float]] = {
    "blur": (1.5, 4.0),          # Gaussian radius, px
    "motion": (9, 25),           # horizontal shake length, px
    "noise": (12.0, 35.0),       # Gaussian sigma on 0..255
    "underexposed": (0.4, 0.15),  # linear-light gain
    "overexposed": (2.2, 4.5),   # linear-light gain, clipped
    "low_contrast": (0.45, 0.2),  # contrast kept around the mean
    "jpeg": (12, 4),             # JPEG quality
    "pixelated": (3, 6),         # down- then up-scaling factor
}
KINDS = tuple(LEVELS)


def _to_linear(a: np.ndarray) -> np.ndarray:
    return np.power(a / 255.0, 2.2)


def _from_linear(a: np.ndarray) -> np.ndarray:
    return np.clip(np.power(np.clip(a, 0, 1), 1 / 2.2) * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _blur(im: Image.Image, radius: float, rng) -> Image.Image:
    return im.filter(ImageFilter.GaussianBlur(radius))


def _motion(im: Image.Image, length: float, rng) -> Image.Image:
    from scipy.ndimage import convolve1d

    a = np.asarray(im, dtype=np.float32)
    k = np.ones(int(length), np.float32) / int(length)
    axis = int(rng.integers(0, 2))  # horizontal or vertical shake
    out = convolve1d(a, k, axis=axis, mode="reflect")
    return Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8))


def _noise(im: Image.Image, sigma: float, rng) -> Image.Image:
    a = np.asarray(im, dtype=np.float32)
    # Sensor-like: luminance noise plus weaker independent chroma noise.
    lum = rng.normal(0, sigma, a.shape[:2])[..., None]
    chroma = rng.normal(0, sigma * 0.5, a.shape)
    return Image.fromarray(np.clip(a + lum + chroma + 0.5, 0, 255).astype(np.uint8))


def _exposure(im: Image.Image, gain: float, rng) -> Image.Image:
    return Image.fromarray(_from_linear(_to_linear(np.asarray(im, dtype=np.float32)) * gain))


def _contrast(im: Image.Image, keep: float, rng) -> Image.Image:
    a = np.asarray(im, dtype=np.float32)
    mean = a.mean(axis=(0, 1), keepdims=True)
    haze = 0.5 * (mean + 200.0)  # washed out towards a bright haze, like fog or flare
    return Image.fromarray(np.clip(haze + (a - mean) * keep + 0.5, 0, 255).astype(np.uint8))


def _jpeg(im: Image.Image, quality: float, rng) -> Image.Image:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=int(quality))
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def _pixelated(im: Image.Image, factor: float, rng) -> Image.Image:
    small = im.resize((max(1, round(im.width / factor)), max(1, round(im.height / factor))), Image.Resampling.BILINEAR)
    return small.resize(im.size, Image.Resampling.BICUBIC)


_FUNCS: dict[str, Callable] = {
    "blur": _blur, "motion": _motion, "noise": _noise, "underexposed": _exposure, "overexposed": _exposure,
    "low_contrast": _contrast, "jpeg": _jpeg, "pixelated": _pixelated,
}


def degrade(im: Image.Image, kind: str, level: int, seed: int = 0) -> Image.Image:
    """A copy of ``im`` degraded by ``kind`` at level 1 (mild) or 2 (strong)."""
    if level not in (1, 2):
        raise ValueError("level is 1 (mild) or 2 (strong)")
    rng = np.random.default_rng(seed)
    return _FUNCS[kind](im.convert("RGB"), LEVELS[kind][level - 1], rng)

"""Framing one slide: the canvas it is drawn from and the camera's path.

Two layouts:
- ``fill``: a photo close to the frame's shape (4:3, 3:2, 16:9...) is cropped
  to the frame; the camera moves inside the photo.
- ``fit``: portraits, squares and panoramas are shown whole over a blurred,
  darkened copy of themselves that fills the frame (no black bars); the camera
  moves over that composite.

The camera (Ken Burns) goes linearly from the full view to a view ``zoom``
times closer to the photo's focus (or back). Both end rectangles contain the
keep box (faces), and a linear blend of two rectangles that contain a box
contains it too, so faces stay in frame for the whole slide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter

import cv2

from .plan import Box

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in canvas pixels

# A crop to the frame's shape must keep at least this share of the photo
# (4:3 into 16:9 keeps 75%), else the photo is shown whole ("fit").
MIN_FILL_SHARE = 0.72
BACKDROP_DARKEN = 0.5


@dataclass(frozen=True)
class Geometry:
    """A slide's framing in canvas units (the canvas is the photo itself for
    ``fill``; a frame-shaped board of ``canvas`` size for ``fit``)."""

    mode: str  # fill | fit
    canvas: tuple[float, float]
    photo: Rect  # where the photo lies on the canvas
    start: Rect
    end: Rect

    def rect_at(self, u: float) -> Rect:
        u = min(1.0, max(0.0, u))
        return tuple(a + (b - a) * u for a, b in zip(self.start, self.end))  # type: ignore[return-value]

    @property
    def closest(self) -> Rect:
        """The smallest camera rectangle (sets the resolution the canvas needs)."""
        return min(self.start, self.end, key=lambda r: r[2] - r[0])


def _place(size: float, centre: float, lo_keep: float, hi_keep: float, limit: float) -> float:
    """Start of a window of ``size`` in [0, limit], centred on ``centre`` as far
    as it can be while containing [lo_keep, hi_keep]."""
    lo = max(0.0, hi_keep - size)
    hi = min(limit - size, lo_keep)
    start = centre - size / 2
    if lo > hi:  # the keep range is wider than the window: centre on it
        return min(max(0.0, (lo_keep + hi_keep - size) / 2), max(0.0, limit - size))
    return min(max(start, lo), hi)


def _window(cw: float, ch: float, w: float, h: float, keep: Box, centre: tuple[float, float]) -> Rect:
    x0 = _place(w, centre[0], keep[0], keep[2], cw)
    y0 = _place(h, centre[1], keep[1], keep[3], ch)
    return (x0, y0, x0 + w, y0 + h)


def plan_geometry(width: int, height: int, frame_aspect: float, keep: Optional[Box],
                  zoom: float = 1.12, zoom_in: bool = True) -> Geometry:
    """Choose the layout and the camera path for a ``width`` x ``height`` photo.
    ``keep`` is the region (fractions of the photo) that must stay visible."""
    w, h = float(width), float(height)
    photo_aspect = w / h
    keep = keep or (0.5, 0.5, 0.5, 0.5)
    centre_f = ((keep[0] + keep[2]) / 2, (keep[1] + keep[3]) / 2)

    # fill: the largest frame-shaped crop of the photo
    fw, fh = (h * frame_aspect, h) if photo_aspect > frame_aspect else (w, w / frame_aspect)
    keep_px = (keep[0] * w, keep[1] * h, keep[2] * w, keep[3] * h)
    share = (fw * fh) / (w * h)
    fits = (keep_px[2] - keep_px[0]) <= fw + 1e-6 and (keep_px[3] - keep_px[1]) <= fh + 1e-6
    mode = "fill" if share >= MIN_FILL_SHARE and fits else "fit"
    if mode == "fill":
        canvas = (w, h)
        photo = (0.0, 0.0, w, h)
        full = _window(w, h, fw, fh, keep_px, (centre_f[0] * w, centre_f[1] * h))
    else:
        # fit: a frame-shaped board as tall (or wide) as the photo
        cw, ch = (h * frame_aspect, h) if photo_aspect < frame_aspect else (w, w / frame_aspect)
        ox, oy = (cw - w) / 2, (ch - h) / 2
        canvas = (cw, ch)
        photo = (ox, oy, ox + w, oy + h)
        keep_px = (ox + keep_px[0], oy + keep_px[1], ox + keep_px[2], oy + keep_px[3])
        full = (0.0, 0.0, cw, ch)
        zoom = 1.0 + (zoom - 1.0) * 0.7  # gentler: the board's edges are only backdrop
    fw, fh = full[2] - full[0], full[3] - full[1]
    kw, kh = keep_px[2] - keep_px[0], keep_px[3] - keep_px[1]
    z = max(1.0, min(zoom, fw / max(kw, 1e-6), fh / max(kh, 1e-6)))
    centre = ((keep_px[0] + keep_px[2]) / 2, (keep_px[1] + keep_px[3]) / 2)
    close = _window(canvas[0], canvas[1], fw / z, fh / z, keep_px, centre)
    start, end = (full, close) if zoom_in else (close, full)
    return Geometry(mode, canvas, photo, start, end)


@dataclass
class Framing:
    """A slide ready to draw: the canvas image and the camera path in its pixels."""

    canvas: Image.Image
    start: Rect
    end: Rect
    mode: str = "fill"
    _pixels: Optional[np.ndarray] = field(default=None, repr=False, compare=False)

    def box_at(self, u: float) -> Rect:
        u = min(1.0, max(0.0, u))
        return tuple(a + (b - a) * u for a, b in zip(self.start, self.end))  # type: ignore[return-value]

    def frame(self, u: float, size: tuple[int, int]) -> Image.Image:
        return self.canvas.resize(size, Image.Resampling.BILINEAR, box=self.box_at(u))

    def frame_array(self, u: float, size: tuple[int, int]) -> np.ndarray:
        """The frame as an (h, w, 3) uint8 array: OpenCV's sub-pixel affine
        warp, ~1.6x faster than Pillow's resize (``frame``) and the same
        pixels (bilinear, pixel centres mapped alike)."""
        if self._pixels is None:
            self._pixels = np.asarray(self.canvas)
        x0, y0, x1, y1 = self.box_at(u)
        sx, sy = (x1 - x0) / size[0], (y1 - y0) / size[1]
        m = np.array([[sx, 0.0, x0 + 0.5 * sx - 0.5], [0.0, sy, y0 + 0.5 * sy - 0.5]])
        return cv2.warpAffine(self._pixels, m, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                              borderMode=cv2.BORDER_REPLICATE)


def canvas_scale(geometry: Geometry, out_width: int) -> float:
    """Canvas units to pixels so the closest view is drawn at least 1:1."""
    closest = geometry.closest
    return out_width / max(closest[2] - closest[0], 1e-6)


def backdrop(photo: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The whole photo stretched to ``size``, heavily blurred and darkened.
    Stretched rather than cropped: after the blur the stretch is invisible and
    the backdrop keeps the colours of the whole photo (a portrait's top and
    bottom, not only its middle band). Blurred at 1/8 scale and enlarged
    smoothly: the same look, far cheaper."""
    small = (max(8, size[0] // 8), max(8, size[1] // 8))
    cover = photo.resize(small, Image.Resampling.BILINEAR, reducing_gap=2.0)
    cover = cover.filter(ImageFilter.GaussianBlur(max(small) / 48))
    cover = ImageEnhance.Brightness(cover).enhance(BACKDROP_DARKEN)
    return cover.resize(size, Image.Resampling.BICUBIC)


def build_framing(photo: Image.Image, geometry: Geometry, out_size: tuple[int, int]) -> Framing:
    """Scale the decoded photo (any size, upright) onto the canvas the geometry
    describes, at the resolution the closest camera view needs."""
    scale = canvas_scale(geometry, out_size[0])
    cw = max(out_size[0], round(geometry.canvas[0] * scale))
    ch = max(1, round(geometry.canvas[1] * scale))
    px0, py0, px1, py1 = (v * scale for v in geometry.photo)
    pw, ph = max(1, round(px1 - px0)), max(1, round(py1 - py0))
    fitted = photo.resize((pw, ph), Image.Resampling.BICUBIC, reducing_gap=2.0) if photo.size != (pw, ph) else photo
    if geometry.mode == "fill":
        canvas = fitted
        cw, ch = canvas.size
    else:
        canvas = backdrop(photo, (cw, ch))
        canvas.paste(fitted, (round(px0), round(py0)))
    sx, sy = cw / geometry.canvas[0], ch / geometry.canvas[1]

    def to_px(r: Rect) -> Rect:
        return (r[0] * sx, r[1] * sy, min(r[2] * sx, cw), min(r[3] * sy, ch))

    return Framing(canvas, to_px(geometry.start), to_px(geometry.end), geometry.mode)


def decode_target(width: int, height: int, geometry: Geometry, out_width: int) -> int:
    """The short side to decode the photo at so the closest view is sharp."""
    scale = canvas_scale(geometry, out_width)
    pw = (geometry.photo[2] - geometry.photo[0]) * scale
    ph = (geometry.photo[3] - geometry.photo[1]) * scale
    return max(16, math.ceil(min(pw, ph)))

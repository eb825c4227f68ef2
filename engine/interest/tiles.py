"""Cutting a photo into the interest model's 4x4 sub-images.

The paper resizes every photo to 600x400 and cuts it into 16 equal blocks of
150x100 px. Photos here come in every aspect ratio, so each block is simply a
1/4 x 1/4 box of the upright photo, resized to a TILE x TILE square (160 px:
the photo is seen at about 640 px on its short side, close to the paper's
600x400). A photo is decoded at about 4 x TILE px on its short side first, so
blocks are resized near 1:1 and blur or noise stays visible to the backbones
(what the quality dimension needs). Block j is row j // 4, column j % 4,
top-left first: the order of the attention heat map.

Until feature version 2 the tiles were 224 px (the photo seen at 896 px):
about twice the stage's work per photo; held-out quality accuracy 84.9 %
against 87.6 % now, its taste simulation 0.02-0.06 AUC better (measured side
by side: tests/bench/bench_interest.py --compare-old, figures in
resources/models/interest_default.md). ``tile``/``side``
arguments keep that configuration reachable for the comparison.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from PIL import Image

from ..imaging.decode import decode

GRID = 4
NUM_TILES = GRID * GRID
TILE = 160
# The short side a photo is decoded to (JPEG DCT scaling makes this cheap).
WORK_SIDE = GRID * TILE


def working_image(path: str, max_megapixels: float = 178.9, side: int = WORK_SIDE) -> Image.Image:
    """The upright RGB photo, decoded near the working size (DecodeError when
    unreadable); later steps never need more pixels than this."""
    im = decode(path, name=path, target=side, max_megapixels=max_megapixels)
    return shrink_to_working(im, side)


def shrink_to_working(im: Image.Image, side: int = WORK_SIDE) -> Image.Image:
    """Shrink so the short side is about ``side`` (never enlarges)."""
    if im.mode != "RGB":
        im = im.convert("RGB")
    short = min(im.size)
    if short > side * 1.25:
        scale = side / short
        size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
        im = im.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)
    return im


def tile_boxes(width: int, height: int) -> list[tuple[float, float, float, float]]:
    """The 16 (left, top, right, bottom) boxes, row-major; fractional for
    photos narrower than 4 px, which Pillow resamples fine."""
    xs = np.linspace(0.0, float(width), GRID + 1)
    ys = np.linspace(0.0, float(height), GRID + 1)
    return [(float(xs[c]), float(ys[r]), float(xs[c + 1]), float(ys[r + 1]))
            for r in range(GRID) for c in range(GRID)]


def cut_tiles(im: Image.Image, tile: int = TILE) -> np.ndarray:
    """(16, tile, tile, 3) uint8 RGB blocks of the image, row-major."""
    if im.mode != "RGB":
        im = im.convert("RGB")
    out = np.empty((NUM_TILES, tile, tile, 3), np.uint8)
    for j, box in enumerate(tile_boxes(im.width, im.height)):
        out[j] = np.asarray(im.resize((tile, tile), Image.Resampling.BILINEAR, box=box, reducing_gap=None))
    return out


def grid_from_attention(weights: np.ndarray) -> list[list[float]]:
    """16 sub-image weights -> a 4x4 nested list (rows of the heat map)."""
    w = np.asarray(weights, dtype=np.float64).reshape(GRID, GRID)
    return [[round(float(v), 4) for v in row] for row in w]


def tiles_for(path: str, max_megapixels: float = 178.9, image: Optional[Image.Image] = None) -> np.ndarray:
    return cut_tiles(image if image is not None else working_image(path, max_megapixels))

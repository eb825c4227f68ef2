"""Cheap per-photo signals read from the cached thumbnails.

Used when the learned scores (album importance, interest) or the backbone
embeddings are not in the catalog yet, so that a story can be made right
after a scan:
- a quality proxy: sharpness (variance of the Laplacian), exposure (how far
  the mean brightness is from mid-grey, clipped shadows and highlights) and
  colourfulness (Hasler and Suesstrunk 2003);
- a layout descriptor: an 8x8 colour thumbnail, zero-mean and unit-norm, whose
  cosine similarity is high for near-identical frames.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np
from PIL import Image

from ..imaging.thumbnails import existing_thumbnail
from .focus import saliency_focus
from .plan import Box

SIGNAL_PX = 96
FACE_PX = 384  # the scan's thumbnail size


@dataclass
class ThumbSignals:
    quality: float
    descriptor: np.ndarray  # (192,) unit norm


def open_small(path: str | Path, thumbs_dir: Optional[Path], content_hash: str,
               px: int = SIGNAL_PX) -> Optional[Image.Image]:
    """A small upright RGB copy: the scan's thumbnail, else the photo itself."""
    from ..imaging.decode import decode

    source = existing_thumbnail(thumbs_dir, content_hash) if thumbs_dir and content_hash else None
    try:
        if source is not None:
            with Image.open(source) as im:
                im.draft("RGB", (px, px))
                small = im.convert("RGB")
        else:
            small = decode(str(path), name=os.path.basename(str(path)), target=px)
    except Exception:  # noqa: BLE001 - an unreadable photo simply has no signals
        return None
    small.thumbnail((px * 2, px * 2), Image.Resampling.BILINEAR)
    return small


def quality_proxy(im: Image.Image) -> float:
    grey = np.asarray(im.convert("L"), dtype=np.float32)
    lap = (grey[1:-1, :-2] + grey[1:-1, 2:] + grey[:-2, 1:-1] + grey[2:, 1:-1] - 4 * grey[1:-1, 1:-1])
    sharp = np.log1p(lap.var()) / 8.0  # ~0.3 blurred .. ~1 crisp at this size
    mean = grey.mean() / 255.0
    clipped = float(((grey < 8) | (grey > 247)).mean())
    exposure = 1.0 - min(1.0, abs(mean - 0.47) * 2.2) - clipped
    rgb = np.asarray(im, dtype=np.float32)
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    colour = (np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean())) / 100.0
    return float(0.5 * min(sharp, 1.2) + 0.3 * exposure + 0.2 * min(colour, 1.0))


def layout_descriptor(im: Image.Image) -> np.ndarray:
    small = np.asarray(im.resize((8, 8), Image.Resampling.BOX), dtype=np.float32).reshape(-1)
    small = small - small.mean()
    norm = np.linalg.norm(small)
    return small / norm if norm > 0 else small


def thumb_signals(path: str, thumbs_dir: Optional[Path], content_hash: str) -> Optional[ThumbSignals]:
    im = open_small(path, thumbs_dir, content_hash)
    if im is None:
        return None
    return ThumbSignals(quality_proxy(im), layout_descriptor(im))


def thumb_focus(path: str, thumbs_dir: Optional[Path], content_hash: str) -> Optional[Box]:
    """The salient region from the thumbnail (for the photos chosen only)."""
    im = open_small(path, thumbs_dir, content_hash)
    return saliency_focus(im) if im is not None else None


def percentile_ranks(values: dict[int, float]) -> dict[int, float]:
    """Each value's rank in [0, 1] (ties share the mean rank): scale-free, so
    scores of different models can be averaged."""
    if not values:
        return {}
    keys = list(values)
    arr = np.array([values[k] for k in keys], dtype=np.float64)
    if len(arr) == 1:
        return {keys[0]: 0.5}
    order = arr.argsort(kind="stable")
    ranks = np.empty(len(arr))
    ranks[order] = np.arange(len(arr))
    for v in np.unique(arr):  # average ties
        same = arr == v
        ranks[same] = ranks[same].mean()
    return {k: float(r / (len(arr) - 1)) for k, r in zip(keys, ranks)}


_live_cache: dict[str, list[Box]] = {}
_LIVE_CACHE_SIZE = 2000


def live_faces(path: str, thumbs_dir: Optional[Path], content_hash: str) -> list[Box]:
    """Face boxes found now, on the thumbnail, for a photo the faces stage has
    not analysed yet (the faces module's HOG detector; detection only, no
    embeddings). Faces under ~5% of the long side are missed; they matter
    little for framing. Remembered per content for this process: a user
    edits and re-selects a story several times."""
    key = content_hash or str(path)
    if key in _live_cache:
        return list(_live_cache[key])
    im = open_small(path, thumbs_dir, content_hash, px=FACE_PX)
    if im is None:
        return []
    im.thumbnail((FACE_PX, FACE_PX), Image.Resampling.BILINEAR)
    try:
        from ..faces.detect import DetectorConfig, FaceAnalyzer

        rgb = np.ascontiguousarray(np.asarray(im))
        h, w = rgb.shape[:2]
        # HOG alone: no model files to export for a glance at a thumbnail.
        found = FaceAnalyzer(DetectorConfig(detector="hog")).detect(rgb)
    except Exception:  # noqa: BLE001 - no detector: the saliency prior frames the photo
        return []
    boxes = [(max(0, r.left()) / w, max(0, r.top()) / h, min(w, r.right() + 1) / w, min(h, r.bottom() + 1) / h)
             for r, score in found if score > 0.0]
    if len(_live_cache) >= _LIVE_CACHE_SIZE:
        _live_cache.clear()
    _live_cache[key] = boxes
    return list(boxes)

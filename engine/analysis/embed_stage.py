"""STAGE "embed": backbone embedding, concepts and a perceptual hash per content.

A per-photo stage: the scan's cached thumbnail (384 px) when its short side
covers the 224 px input, else the photo from the pass's one decode (224 px
on the short side: very wide photos, a missing thumbnail), EfficientNet-Lite0
run on the photos of a job in one ONNX batch, stored in the features table,
model ``effnet_lite0``. (The thumbnail is read, not the same pixels derived
from the decode: the thumbnail's JPEG compression moves the embedding by
cosine 0.92-0.99 and the models downstream were fitted on these features.)

- kind ``embedding``: (1280,) float16, pooled head features;
- kind ``concepts``: (1000,) float16, softmax over the ImageNet classes
  (labels: ``analysis.imagenet.imagenet_labels()``);
- kind ``dhash``: (8,) uint8, a 64-bit difference hash of the whole frame
  (the series stage's cheap near-duplicate cue).

The backbone's stage maps stay in the worker for the series features stage
(``series/features_stage.py``), which reads them as ``_maps``.
"""

from __future__ import annotations

import logging
from typing import Optional

import numpy as np
from PIL import Image

from ..imaging.thumbnails import existing_thumbnail
from ..pipeline import Need, PhotoInput, PhotoStage
from ..runtime import providers_for
from ..runtime.session import onnx_path
from ..settings import Settings
from .backbone_runner import BACKBONE_SPEC, INPUT_SIZE, MODEL_NAME, STAGE_OUTPUTS, BackboneRunner, preprocess

log = logging.getLogger(__name__)

NAME = "embed"
VERSION = 1
THUMB_SIDE = 384  # = Settings.thumbnail_px: the stage read the scan's thumbnail before


def dhash(image: Image.Image) -> np.ndarray:
    """64-bit difference hash (8 bytes): brightness gradients of a 9x8 grey
    thumbnail. Robust to resizing and recompression, cheap on a small image."""
    grey = np.asarray(image.convert("L").resize((9, 8), Image.Resampling.BILINEAR, reducing_gap=2.0),
                      dtype=np.int16)
    return np.packbits((grey[:, 1:] > grey[:, :-1]).reshape(-1))


def hamming(a: np.ndarray, b: np.ndarray) -> int:
    return int(np.unpackbits(np.bitwise_xor(a, b)).sum())


def image_need(width: int, height: int, jpeg: bool) -> Need:
    """What a photo without a usable thumbnail is decoded at: the thumbnail's
    size when its short side still covers the 224 px input, else 224 px on
    the short side."""
    long_side, short_side = max(width, height), min(width, height)
    if long_side and short_side * min(1.0, THUMB_SIDE / long_side) >= INPUT_SIZE:
        return Need("long", THUMB_SIDE)
    return Need("short", INPUT_SIZE)


def _thumbnail(inp: PhotoInput) -> Optional[Image.Image]:
    thumb = existing_thumbnail(inp.settings.thumbs_dir, inp.photo.content_hash)
    if thumb is None:
        return None
    try:
        with Image.open(thumb) as t:
            return t.convert("RGB") if min(t.size) >= INPUT_SIZE else None
    except OSError:
        return None  # a damaged cache file: the photo itself


_runners: dict = {}


def runner_for(settings: Settings) -> BackboneRunner:
    key = (settings.models_dir, settings.prefs.device, settings.workers)
    if key not in _runners:
        _runners[key] = BackboneRunner(settings, batch_size=32)
    return _runners[key]


def embed_batch(inputs: list[PhotoInput]) -> list[dict]:
    images = [_thumbnail(inp) or inp.image() for inp in inputs]
    out = runner_for(inputs[0].settings).run(np.stack([preprocess(im) for im in images]), stages=True)
    return [{"embedding": out["embedding"][i], "concepts": out["concepts"][i], "dhash": dhash(im),
             "_maps": {s: out[s][i] for s in STAGE_OUTPUTS}}
            for i, im in enumerate(images)]


def write(catalog, done: list) -> dict:
    hashes = [p.content_hash for p, _ in done]
    for kind, dtype in (("embedding", "<f2"), ("concepts", "<f2"), ("dhash", "|u1")):
        catalog.put_features(MODEL_NAME, kind, {h: r[kind] for h, (_, r) in zip(hashes, done)}, dtype=dtype)
    return {"embedded": len(done)}


def prepare(settings: Settings) -> None:
    providers_for(settings.prefs.device)  # --device cuda without CUDA: a clear error now, not after decoding
    onnx_path(BACKBONE_SPEC, settings.models_dir)


STAGE = PhotoStage(NAME, VERSION, write=write, compute_batch=embed_batch, image=image_need, prepare=prepare,
                   description="backbone embeddings, ImageNet concepts and perceptual hashes")

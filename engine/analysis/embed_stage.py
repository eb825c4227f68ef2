"""STAGE "embed": backbone embedding, concepts and a perceptual hash per content.

For every photo content not embedded yet: decode small (the scan's cached
thumbnail when it is large enough for the 224 px input, else the original
with JPEG DCT scaling), run EfficientNet-Lite0 in batches on ONNX Runtime and
store in the features table, model ``effnet_lite0``:

- kind ``embedding``: (1280,) float16, pooled head features;
- kind ``concepts``: (1000,) float16, softmax over the ImageNet classes
  (labels: ``analysis.imagenet.imagenet_labels()``);
- kind ``dhash``: (8,) uint8, a 64-bit difference hash of the whole frame
  (the series stage's cheap near-duplicate cue).

A file that cannot be decoded is recorded as failed with its reason and the
stage goes on.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Optional

import numpy as np
from PIL import Image

from ..errors import DecodeError
from ..imaging.decode import decode
from ..imaging.thumbnails import existing_thumbnail
from ..pipeline import Stage
from ..progress import CancelToken, ProgressCallback, ProgressMeter
from ..runtime import batches, prefetch_map, providers_for
from ..settings import Settings
from .backbone_runner import INPUT_SIZE, MODEL_NAME, BackboneRunner, preprocess

log = logging.getLogger(__name__)

NAME = "embed"
VERSION = 1
BATCH = 32


def dhash(image: Image.Image) -> np.ndarray:
    """64-bit difference hash (8 bytes): brightness gradients of a 9x8 grey
    thumbnail. Robust to resizing and recompression, cheap on a small image."""
    grey = np.asarray(image.convert("L").resize((9, 8), Image.Resampling.BILINEAR, reducing_gap=2.0),
                      dtype=np.int16)
    return np.packbits((grey[:, 1:] > grey[:, :-1]).reshape(-1))


def hamming(a: np.ndarray, b: np.ndarray) -> int:
    return int(np.unpackbits(np.bitwise_xor(a, b)).sum())


@dataclass
class Decoded:
    content_hash: str
    array: Optional[np.ndarray] = None
    dhash: Optional[np.ndarray] = None
    error: Optional[str] = None
    source: str = ""  # "thumbnail" | "original"


def load_for_backbone(photo, settings: Settings) -> Decoded:
    """Decode one photo small and preprocess it; never raises for bad input."""
    try:
        image = None
        thumb = existing_thumbnail(settings.thumbs_dir, photo.content_hash)
        source = "original"
        if thumb is not None:
            try:
                with Image.open(thumb) as t:
                    if min(t.size) >= INPUT_SIZE:
                        image = t.convert("RGB")
                        source = "thumbnail"
            except OSError:
                image = None  # a damaged cache file: fall back to the original
        if image is None:
            image = decode(photo.path, name=photo.path, target=INPUT_SIZE,
                           max_megapixels=settings.prefs.max_megapixels)
        return Decoded(photo.content_hash, preprocess(image), dhash(image), source=source)
    except DecodeError as exc:
        if not os.path.exists(photo.path):
            return Decoded(photo.content_hash, error="file not found (moved or deleted since the scan)")
        return Decoded(photo.content_hash, error=str(exc))
    except FileNotFoundError:
        return Decoded(photo.content_hash, error="file not found (moved or deleted since the scan)")
    except (OSError, ValueError, MemoryError) as exc:
        return Decoded(photo.content_hash, error=f"cannot read image: {exc}")


def run(catalog, settings: Settings, progress: ProgressCallback, cancel: CancelToken) -> dict:
    providers_for(settings.prefs.device)  # --device cuda without CUDA: a clear error now, not after decoding
    todo = catalog.photos_needing_stage(NAME, VERSION)
    meter = ProgressMeter(NAME, progress, total=len(todo))
    meter.emit("embedding photos")
    if not todo:
        return {"embedded": 0, "failed": 0}
    runner = BackboneRunner(settings, batch_size=BATCH)
    embedded = failed = from_thumbs = 0
    decoded = prefetch_map(lambda p: load_for_backbone(p, settings), todo,
                           workers=max(1, settings.workers), ahead=2 * BATCH)
    for chunk in batches(decoded, BATCH):
        cancel.raise_if_cancelled()
        good = [d for d in chunk if d.error is None]
        bad = [d for d in chunk if d.error is not None]
        for d in bad:
            catalog.mark_stage([d.content_hash], NAME, VERSION, status="failed", error=d.error)
            log.info("embed: skipped %s: %s", d.content_hash, d.error)
        if good:
            out = runner.run(np.stack([d.array for d in good]))
            hashes = [d.content_hash for d in good]
            catalog.put_features(MODEL_NAME, "embedding", dict(zip(hashes, out["embedding"])), dtype="<f2")
            catalog.put_features(MODEL_NAME, "concepts", dict(zip(hashes, out["concepts"])), dtype="<f2")
            catalog.put_features(MODEL_NAME, "dhash", {d.content_hash: d.dhash for d in good}, dtype="|u1")
            catalog.mark_stage(hashes, NAME, VERSION)
        embedded += len(good)
        failed += len(bad)
        from_thumbs += sum(d.source == "thumbnail" for d in good)
        meter.advance(len(chunk), f"{failed} failed" if failed else "")
    meter.emit("done")
    summary = {"embedded": embedded, "failed": failed, "from_thumbnails": from_thumbs}
    if embedded:
        summary["device"] = runner.device
    return summary


STAGE = Stage(NAME, run, after=(), description="backbone embeddings, ImageNet concepts and perceptual hashes")

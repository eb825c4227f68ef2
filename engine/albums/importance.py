"""Per-photo importance in its album.

1. From the transformer: the importance MLP's score and the CLS-to-photo
   attention (relative to the album's most attended photo), averaged.
2. Recalibrated by the event confidence, as the video paper does with
   importance x max softmax(scene) x max softmax(action): here each photo's
   own probability of the album's events (weighted by how sure the album is of
   each), so a photo that clearly shows the event outranks one that merely
   sits in the album.
3. Blended with the interest score when the interest stage has one (the hook:
   ``interest`` and ``interest_weight``).
4. Lowered for near-duplicates: in a series (burst, "one more shot") only the
   best shot keeps its score; the 2nd, 3rd... are halved, quartered..., so the
   top of an album shows different moments.

Scores are relative within an album (the best photo is near 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import numpy as np

DUPLICATE_FACTOR = 0.5
DUPLICATE_MAX_STEPS = 3
INTEREST_WEIGHT = 0.25  # used only where an interest score exists


@dataclass(frozen=True)
class PhotoImportance:
    photo_id: int
    importance: float
    attention: float
    head: float
    confidence: float


def event_confidence(event_probs: np.ndarray, photo_event_probs: np.ndarray) -> np.ndarray:
    """Each photo's probability of the album's events, weighted by the album's
    own probabilities (the album's top event dominates)."""
    w = np.asarray(event_probs, np.float64) ** 2
    if w.sum() <= 0:
        return np.ones(len(photo_event_probs))
    return np.asarray(photo_event_probs, np.float64) @ (w / w.sum())


def series_penalty(photo_ids: Sequence[int], series_rank: Mapping[int, tuple[int, int]],
                   base: np.ndarray) -> np.ndarray:
    """Multipliers for near-duplicates. ``series_rank``: photo id -> (series id,
    rank in series, 1 = best). Within the album, members of one series are
    ordered by that rank (ties and unranked ones by their importance so far)."""
    factor = np.ones(len(photo_ids))
    members: dict[int, list[tuple[float, float, int]]] = {}
    for i, pid in enumerate(photo_ids):
        if pid in series_rank:
            sid, rank = series_rank[pid]
            members.setdefault(sid, []).append((rank if rank is not None else 1e9, -float(base[i]), i))
    for group in members.values():
        if len(group) < 2:
            continue
        for step, (_r, _b, i) in enumerate(sorted(group)):
            factor[i] = DUPLICATE_FACTOR ** min(step, DUPLICATE_MAX_STEPS)
    return factor


def album_importance(photo_ids: Sequence[int], head: np.ndarray, attention: np.ndarray,
                     event_probs: np.ndarray, photo_event_probs: np.ndarray,
                     series_rank: Optional[Mapping[int, tuple[int, int]]] = None,
                     interest: Optional[Mapping[int, float]] = None,
                     interest_weight: float = INTEREST_WEIGHT) -> list[PhotoImportance]:
    n = len(photo_ids)
    if n == 0:
        return []
    head = np.asarray(head, np.float64)
    attention = np.asarray(attention, np.float64)
    relative_attention = attention / max(attention.max(), 1e-12)
    base = 0.5 * head + 0.5 * relative_attention
    confidence = event_confidence(event_probs, photo_event_probs)
    score = base * confidence
    score = score / max(score.max(), 1e-12)
    if interest:
        known = np.array([pid in interest and interest[pid] is not None for pid in photo_ids])
        if known.any():
            values = np.array([float(interest.get(pid) or 0.0) for pid in photo_ids])
            score = np.where(known, (1 - interest_weight) * score + interest_weight * values, score)
    score = score * series_penalty(photo_ids, series_rank or {}, score)
    return [PhotoImportance(int(pid), float(s), float(a), float(h), float(c))
            for pid, s, a, h, c in zip(photo_ids, score, attention, head, confidence)]


def interest_scores(catalog, photo_ids: Sequence[int]) -> dict[int, float]:
    """The interest hook: the interest engineer's per-photo "general interest"
    in [0, 1] when the catalog offers ``interest_scores(photo_ids)``; empty
    until then (importance then comes from the event model alone)."""
    getter = getattr(catalog, "interest_scores", None)
    if getter is None:
        return {}
    try:
        found = getter(list(photo_ids)) or {}
    except Exception:  # noqa: BLE001 - another domain's reader must not stop the albums
        return {}
    return {int(k): float(v) for k, v in found.items() if v is not None}

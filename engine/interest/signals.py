"""The owner's decisions as training labels for the "user" dimension.

Each kind of decision says something about how much a photo interests its
owner, with a confidence (the sample weight):

| signal | label | weight |
|---|---|---|
| keep (a curation outcome let stand) | 1 | 1.0 |
| trash | 0 | 1.0 |
| flag pick / reject | 1 / 0 | 1.0 |
| favorite | 1 | 1.0 |
| rating r (1..5 stars; XMP/EXIF ``photos.rating`` when never rated here) | (r - 1) / 4 | 1.0 |
| rating -1 (rejected in XMP) | 0 | 1.0 |
| export | 1 | 0.7 |
| open (looked at in the loupe) | 1 | 0.3 |
| series_pick (chose photo over the model's pick) | pair: photo > other | - |

The latest decision of each kind counts (a changed rating replaces the old
one); a photo's label is the weight-averaged label of its kinds, its weight
their sum capped at 2. The same labels shift a photo's own interest at read
time (``own_logit``): what the owner said about a photo beats any guess.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Optional

POINT_SIGNALS: dict[str, tuple[Optional[float], float]] = {
    "keep": (1.0, 1.0), "trash": (0.0, 1.0), "favorite": (1.0, 1.0), "export": (1.0, 0.7), "open": (1.0, 0.3),
}
MAX_WEIGHT = 2.0
OWN_LOGIT_SCALE = 3.0  # a kept or 5-star photo: +3 on the logit, a trashed one -3


@dataclass(frozen=True)
class Labels:
    photo_ids: list[int]
    labels: list[float]
    weights: list[float]
    pairs: list[tuple[int, int]]  # (preferred photo id, other photo id)
    decisions: int  # how many decisions (and XMP ratings) went in

    def __len__(self) -> int:
        return len(self.photo_ids)


def _rating_label(value: Any) -> Optional[tuple[float, float]]:
    try:
        r = int(value)
    except (TypeError, ValueError):
        return None
    if r == -1:
        return 0.0, 1.0
    if 1 <= r <= 5:
        return (r - 1) / 4.0, 1.0
    return None  # 0 or None: rating cleared


def _flag_label(value: Any) -> Optional[tuple[float, float]]:
    return {"pick": (1.0, 1.0), "reject": (0.0, 1.0)}.get(value)


def per_photo_signals(decisions: list[dict], ratings: dict[int, int]) -> dict[int, dict[str, tuple[float, float]]]:
    """photo id -> {signal kind: (label, weight)}, the latest of each kind."""
    out: dict[int, dict[str, tuple[float, float]]] = {}
    for d in decisions:  # in id order: later ones overwrite earlier ones
        pid = d.get("photo_id")
        if pid is None:
            continue
        kind = d["kind"]
        if kind in POINT_SIGNALS:
            label = POINT_SIGNALS[kind]
        elif kind == "rating":
            label = _rating_label(d.get("value"))
            if label is None:
                out.get(pid, {}).pop("rating", None)
                continue
        elif kind == "flag":
            label = _flag_label(d.get("value"))
            if label is None:
                out.get(pid, {}).pop("flag", None)
                continue
        else:
            continue
        out.setdefault(pid, {})[kind] = label
    for pid, rating in ratings.items():  # ratings that came with the files
        if "rating" not in out.get(pid, {}):
            label = _rating_label(rating)
            if label is not None:
                out.setdefault(pid, {})["rating"] = label
    return out


def combine(signals: dict[str, tuple[float, float]]) -> tuple[float, float]:
    total = sum(w for _, w in signals.values())
    label = sum(l * w for l, w in signals.values()) / total
    return label, min(total, MAX_WEIGHT)


def own_logit(signals: Optional[dict[str, tuple[float, float]]]) -> float:
    """How a photo's own decisions shift its interest logit."""
    if not signals:
        return 0.0
    label, weight = combine(signals)
    return OWN_LOGIT_SCALE * (2.0 * label - 1.0) * min(weight, 1.0)


def collect_labels(catalog) -> Labels:
    decisions = catalog.decisions()
    ratings = catalog.file_ratings()
    per_photo = per_photo_signals(decisions, ratings)
    ids, labels, weights = [], [], []
    for pid in sorted(per_photo):
        if per_photo[pid]:
            label, weight = combine(per_photo[pid])
            ids.append(pid)
            labels.append(label)
            weights.append(weight)
    pairs = [(d["photo_id"], d["other_photo_id"]) for d in decisions
             if d["kind"] == "series_pick" and d.get("photo_id") and d.get("other_photo_id")
             and d["photo_id"] != d["other_photo_id"]]
    used = sum(1 for d in decisions if d["kind"] in POINT_SIGNALS or d["kind"] in ("rating", "flag", "series_pick"))
    return Labels(ids, labels, weights, pairs, used + len(ratings))


def signature(labels: Labels) -> str:
    """Changes whenever the training data changes (retraining is then due)."""
    payload = json.dumps([labels.photo_ids, [round(x, 4) for x in labels.labels],
                          [round(x, 4) for x in labels.weights], labels.pairs])
    return hashlib.sha256(payload.encode()).hexdigest()[:16]

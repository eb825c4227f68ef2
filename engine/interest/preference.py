"""Learning what this owner cares about: retrain the "user" dimension on
their decisions (``signals.py``), starting every time from the shipped base
model, seeded, so the same decisions always give the same weights.

Agreement is measured before the final fit: a seeded share of the labelled
photos is held out, the head is trained on the rest, and the held-out
photos' ranking is compared with their labels (accuracy of kept vs trashed,
ROC AUC), next to what the prior alone gets on the same photos.
"""

from __future__ import annotations

import logging
from typing import Optional

import numpy as np

from ..errors import PhotoOrgError
from ..settings import Settings
from .features_io import has_faces, load_tile_features
from .model_store import base_weights_path, load_weights, read_meta, save_weights, user_weights_path, weights_key
from .prior import prior_logit
from .signals import Labels, collect_labels, signature

log = logging.getLogger(__name__)

MIN_HELD_OUT = 5


class NotEnoughDecisions(PhotoOrgError):
    """No decision of the owner matches an analysed photo yet."""


def auc(scores: np.ndarray, positive: np.ndarray) -> Optional[float]:
    """ROC AUC (ties count half); None when one class is missing."""
    pos, neg = scores[positive], scores[~positive]
    if not len(pos) or not len(neg):
        return None
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)


def agreement(logits: np.ndarray, labels: np.ndarray) -> dict:
    """How a ranking agrees with decisions: accuracy of the side of 0.5 on
    decided photos (labels not exactly 0.5), and ROC AUC."""
    decided = labels != 0.5
    positive = labels > 0.5
    acc = float(((logits > 0) == positive)[decided].mean()) if decided.any() else None
    a = auc(logits[decided], positive[decided]) if decided.any() else None
    return {"photos": int(decided.sum()), "accuracy": None if acc is None else round(acc, 4),
            "auc": None if a is None else round(a, 4)}


class UserData:
    """The labelled photos as model inputs: pooled sub-image features, prior."""

    def __init__(self, catalog, labels: Labels, model, meta: dict) -> None:
        from .training import pooled_features, predict_raw

        photos = {p.id: p for p in catalog.photos(ids=labels.photo_ids)}
        keep = [i for i, pid in enumerate(labels.photo_ids) if pid in photos]
        hashes = [photos[labels.photo_ids[i]].content_hash for i in keep]
        feats, mask = load_tile_features(catalog, hashes)
        present = mask.sum(1) > 0
        self.photo_ids = np.array([labels.photo_ids[i] for i in keep], np.int64)[present]
        self.labels = np.array([labels.labels[i] for i in keep], np.float32)[present]
        self.weights = np.array([labels.weights[i] for i in keep], np.float32)[present]
        feats, mask = feats[present], mask[present]
        self.hashes = [h for h, ok in zip(hashes, present) if ok]
        self.mask = mask
        self.pooled = pooled_features(model, feats, mask)
        quality = predict_raw(model, feats, mask)[:, model.index("quality")]
        self.prior = prior_logit(quality, meta, has_faces(catalog, self.hashes))
        index = {int(pid): i for i, pid in enumerate(self.photo_ids)}
        self.pairs = np.array([(index[a], index[b]) for a, b in labels.pairs if a in index and b in index],
                              np.int64).reshape(-1, 2)

    def __len__(self) -> int:
        return len(self.photo_ids)

    def fit(self, model, rows: np.ndarray, seed: int, config):
        from .training import train_user_head

        sub = np.full(len(self), -1, np.int64)
        sub[rows] = np.arange(len(rows))
        pairs = self.pairs[(sub[self.pairs] >= 0).all(1)] if len(self.pairs) else self.pairs
        return train_user_head(model, self.pooled[rows], self.mask[rows], self.prior[rows], self.labels[rows],
                               self.weights[rows], sub[pairs] if len(pairs) else None, seed, config)


def retrain(catalog, settings: Settings, seed: int = 0, holdout: float = 0.2, config=None) -> dict:
    """Retrain the user head on every decision; returns the report (also
    stored in the catalog). Raises NotEnoughDecisions when none is usable."""
    from .training import UserTraining, user_raw

    config = config or UserTraining()
    labels = collect_labels(catalog)
    base = base_weights_path(settings)
    model, meta = load_weights(base)
    data = UserData(catalog, labels, model, meta)
    if not len(data):
        raise NotEnoughDecisions("no decisions on analysed photos yet: keep, trash, rate or flag some photos, "
                                 "run 'photoorg analyze', then train again")
    report: dict = {"seed": seed, "labelled_photos": len(data), "pairs": int(len(data.pairs)),
                    "decisions": labels.decisions}
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(data))
    n_held = int(round(len(data) * holdout))
    held, train = order[:n_held], order[n_held:]
    if n_held >= MIN_HELD_OUT and len(train):
        trial = data.fit(model, train, seed, config)
        logits = data.prior[held] + user_raw(trial, data.pooled[held], data.mask[held])
        report["held_out"] = {"model": agreement(logits, data.labels[held]),
                              "prior_only": agreement(data.prior[held], data.labels[held])}
    else:
        report["held_out"] = None
        report["note"] = f"too few labelled photos for a held-out check (need {MIN_HELD_OUT / holdout:.0f})"
    final = data.fit(model, np.arange(len(data)), seed, config)
    report["training_fit"] = agreement(data.prior + user_raw(final, data.pooled, data.mask), data.labels)
    sig = signature(labels)
    path = save_weights(final, user_weights_path(settings), {
        **{k: v for k, v in meta.items() if k != "config"},
        "base_key": weights_key(base), "user": {"signature": sig, "seed": seed, "photos": len(data)}})
    key = weights_key(path)
    report["weights"] = str(path)
    catalog.record_interest_training(seed, len(data), sig, key, report)
    return report


def user_model_current(catalog, settings: Settings) -> bool:
    """Whether the saved user head was trained on exactly today's decisions
    over the shipped base (else the stage retrains it)."""
    path = user_weights_path(settings)
    labels = collect_labels(catalog)
    if not path.is_file():
        return len(labels) == 0
    try:
        meta = read_meta(path)
    except (OSError, ValueError, KeyError):
        return False
    return (meta.get("base_key") == weights_key(base_weights_path(settings))
            and meta.get("user", {}).get("signature") == signature(labels))

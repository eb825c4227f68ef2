"""Clustering and verification measures used by the benchmark and the tests.

Predicted label -1 (a face in no person) counts as a singleton cluster, the
usual convention: leaving a face out costs recall, never precision.
"""

from __future__ import annotations

import numpy as np


def _singletons(pred: np.ndarray) -> np.ndarray:
    pred = np.asarray(pred, np.int64).copy()
    loose = pred < 0
    pred[loose] = pred.max(initial=-1) + 1 + np.arange(loose.sum())
    return pred


def pairwise_prf(pred, truth) -> tuple[float, float, float]:
    """Precision, recall and F1 over all pairs of faces (same cluster vs same person)."""
    pred, truth = _singletons(pred), np.asarray(truth)
    iu = np.triu_indices(len(pred), 1)
    same_pred = (pred[:, None] == pred[None, :])[iu]
    same_true = (truth[:, None] == truth[None, :])[iu]
    tp = float(np.sum(same_pred & same_true))
    precision = tp / max(same_pred.sum(), 1) if same_pred.any() else 1.0
    recall = tp / max(same_true.sum(), 1) if same_true.any() else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def bcubed(pred, truth) -> tuple[float, float, float]:
    """BCubed precision, recall and F (Amigo et al. 2009), per face averaged."""
    pred, truth = _singletons(pred), np.asarray(truth)
    _, t = np.unique(truth, return_inverse=True)
    _, p = np.unique(pred, return_inverse=True)
    joint = np.zeros((p.max() + 1, t.max() + 1), np.int64)
    np.add.at(joint, (p, t), 1)
    inter = joint[p, t].astype(float)
    precision = float(np.mean(inter / np.bincount(p)[p]))
    recall = float(np.mean(inter / np.bincount(t)[t]))
    return precision, recall, 2 * precision * recall / (precision + recall)


def verification_accuracy(embeddings: np.ndarray, truth, threshold: float) -> dict:
    """Same/different decisions (distance <= threshold) over every pair."""
    x = np.asarray(embeddings, np.float32)
    truth = np.asarray(truth)
    d = np.linalg.norm(x[:, None, :] - x[None, :, :], axis=2)
    iu = np.triu_indices(len(x), 1)
    same = (truth[:, None] == truth[None, :])[iu]
    said = d[iu] <= threshold
    return {"pairs": int(len(same)), "same_pairs": int(same.sum()), "different_pairs": int((~same).sum()),
            "accuracy": float(np.mean(said == same)),
            "true_accept": float(np.mean(said[same])) if same.any() else None,
            "true_reject": float(np.mean(~said[~same])) if (~same).any() else None}

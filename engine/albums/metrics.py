"""Evaluation measures of the event paper: event mAP, and for importance the
MAP@t% and P@t% of ML-CUFED (Wang et al.; Vo & Le, eqs. 7-8)."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np


def average_precision(scores: np.ndarray, truth: np.ndarray) -> float:
    """AP of one ranking (higher score first) against binary truth."""
    order = np.argsort(-np.asarray(scores), kind="stable")
    rel = np.asarray(truth)[order] > 0
    if not rel.any():
        return float("nan")
    hits = np.cumsum(rel)
    precision = hits / np.arange(1, len(rel) + 1)
    return float((precision * rel).sum() / rel.sum())


def event_map(probs: np.ndarray, labels: np.ndarray) -> dict:
    """Mean over event classes of the AP of ranking albums by that class's
    probability (classes with no positive album are left out), plus top-1
    accuracy (the top label is one of the album's labels)."""
    probs, labels = np.asarray(probs), np.asarray(labels)
    aps = [average_precision(probs[:, c], labels[:, c]) for c in range(labels.shape[1])]
    valid = [a for a in aps if not math.isnan(a)]
    top1 = float(np.mean(labels[np.arange(len(labels)), probs.argmax(1)] > 0)) if len(labels) else float("nan")
    return {"mAP": float(np.mean(valid)) if valid else float("nan"), "top1": top1,
            "per_class_ap": aps, "albums": int(len(labels))}


def _top_count(n: int, t: float) -> int:
    return max(1, int(round(n * t)))


def ap_at_t(predicted: Sequence[float], truth: Sequence[float], t: float) -> float:
    """AP(S)@t%: the ground truth's top t% photos are the relevant ones; the
    system's ranking is scored by precision at each relevant hit, divided by
    the number of relevant photos (n * t%)."""
    predicted, truth = np.asarray(predicted, float), np.asarray(truth, float)
    n = len(truth)
    k = _top_count(n, t)
    relevant = np.zeros(n, bool)
    relevant[np.argsort(-truth, kind="stable")[:k]] = True
    rel = relevant[np.argsort(-predicted, kind="stable")]
    precision = np.cumsum(rel) / np.arange(1, n + 1)
    return float((precision * rel).sum() / k)


def p_at_t(predicted: Sequence[float], truth: Sequence[float], t: float) -> float:
    """P@t%: the share of the ground truth's top t% found in the system's top t%."""
    predicted, truth = np.asarray(predicted, float), np.asarray(truth, float)
    k = _top_count(len(truth), t)
    gt = set(np.argsort(-truth, kind="stable")[:k].tolist())
    mine = set(np.argsort(-predicted, kind="stable")[:k].tolist())
    return len(gt & mine) / k


def importance_table(albums: Sequence[tuple[Sequence[float], Sequence[float]]],
                     ts: Sequence[float] = (0.05, 0.10, 0.15, 0.20, 0.25, 0.30)) -> dict:
    """MAP@t% and P@t% over albums of (predicted, truth) importance."""
    out = {"MAP": {}, "P": {}}
    for t in ts:
        key = f"{round(t * 100)}%"
        out["MAP"][key] = float(np.mean([ap_at_t(p, g, t) for p, g in albums])) if albums else float("nan")
        out["P"][key] = float(np.mean([p_at_t(p, g, t) for p, g in albums])) if albums else float("nan")
    return out

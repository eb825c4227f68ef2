"""Evaluation measures of the event paper: event mAP, and for importance the
MAP@t% and P@t% of ML-CUFED (Wang et al.; Vo & Le, eqs. 7-8); and how far the
probabilities can be trusted (calibration), which is what an album title
that names an event at >= 0.5 relies on."""

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
    accuracy over the albums that have an event (the top label is one of the
    album's labels; an album with none has no right top label)."""
    probs, labels = np.asarray(probs), np.asarray(labels)
    aps = [average_precision(probs[:, c], labels[:, c]) for c in range(labels.shape[1])]
    valid = [a for a in aps if not math.isnan(a)]
    has = (labels > 0).any(1) if len(labels) else np.zeros(0, bool)
    right = labels[np.arange(len(labels)), probs.argmax(1)] > 0 if len(labels) else np.zeros(0, bool)
    top1 = float(np.mean(right[has])) if has.any() else float("nan")
    return {"mAP": float(np.mean(valid)) if valid else float("nan"), "top1": top1,
            "per_class_ap": aps, "albums": int(len(labels))}


def calibration(probs: np.ndarray, labels: np.ndarray, threshold: float = 0.5,
                edges: Sequence[float] = (0.0, 0.3, 0.5, 0.7, 0.9, 1.0)) -> dict:
    """How much an album's top probability means.

    - ``negatives_titled``: share of albums with no event whose top
      probability reaches ``threshold`` (their title would name an event);
    - ``positives_titled_right`` / ``positives_titled_wrong``: share of event
      albums whose title would name one of their events / a wrong one;
    - ``title_precision``: of all albums whose title names an event, the share
      where it is one of the album's events;
    - ``reliability``: albums binned by their top probability, with the share
      whose top label is right (a negative album's top label never is): a
      calibrated model has ``right`` close to ``mean_p`` in each bin;
    - ``ece``: expected calibration error over every (album, event)
      probability against its 0/1 truth (10 equal bins)."""
    probs, labels = np.asarray(probs, np.float64), np.asarray(labels) > 0
    n = len(probs)
    if n == 0:
        return {}
    top = probs.max(1)
    right = labels[np.arange(n), probs.argmax(1)]
    positive = labels.any(1)
    titled = top >= threshold
    out: dict = {"negatives": int((~positive).sum()), "positives": int(positive.sum())}
    out["negatives_titled"] = float(titled[~positive].mean()) if (~positive).any() else float("nan")
    out["positives_titled_right"] = float((titled & right)[positive].mean()) if positive.any() else float("nan")
    out["positives_titled_wrong"] = float((titled & ~right)[positive].mean()) if positive.any() else float("nan")
    out["title_precision"] = float(right[titled].mean()) if titled.any() else float("nan")
    bins = {}
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (top >= lo) & ((top < hi) if hi < edges[-1] else (top <= hi))
        if inside.any():
            bins[f"{lo:.1f}-{hi:.1f}"] = {"albums": int(inside.sum()), "mean_p": float(top[inside].mean()),
                                          "right": float(right[inside].mean())}
    out["reliability"] = bins
    p, y = probs.ravel(), labels.ravel().astype(np.float64)
    which = np.minimum((p * 10).astype(int), 9)
    out["ece"] = float(sum(abs(p[which == b].mean() - y[which == b].mean()) * (which == b).sum()
                           for b in range(10) if (which == b).any()) / len(p))
    return out


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

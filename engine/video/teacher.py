"""The zero-shot teacher: scene and action labels from the backbone's ImageNet
concepts, by summing the probabilities of the concepts each label lists
(resources/video/labels.json). It knows only what ImageNet's 1000 object
classes say about a frame: people, gestures and motion are invisible to it."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..analysis.imagenet import imagenet_labels

INSECT_CLASSES = range(300, 327)  # tiger beetle ... lycaenid
# ImageNet-1k class indices 0-397 are animals; the insects are left out of
# "animals": on flower close-ups (ImageNet has almost no flower classes) the
# backbone answers bee and butterfly, so they count for gardens instead.
ANIMAL_CLASSES = [i for i in range(0, 398) if i not in INSECT_CLASSES]


def _resources() -> Path:
    import photoorg.resources as res

    return Path(res.__file__).resolve().parent


@lru_cache(maxsize=1)
def label_spec() -> dict:
    return json.loads((_resources() / "video" / "labels.json").read_text(encoding="utf-8"))


def scene_labels() -> list[str]:
    return list(label_spec()["scenes"])


def action_labels() -> list[str]:
    return list(label_spec()["actions"])


@lru_cache(maxsize=2)
def label_matrix(task: str) -> np.ndarray:
    """(1000, n_labels) 0/1: which concepts count for which label."""
    names = imagenet_labels()
    index = {}
    for i, n in enumerate(names):
        index.setdefault(n, i)
    spec = label_spec()["scenes" if task == "scene" else "actions"]
    m = np.zeros((len(names), len(spec)), np.float32)
    for j, (label, concepts) in enumerate(spec.items()):
        for c in concepts:
            if c == "animals:":
                m[list(ANIMAL_CLASSES), j] = 1
            elif c == "insects:":
                m[list(INSECT_CLASSES), j] = 1
            elif c in index:
                m[index[c], j] = 1
    return m


def teacher_scores(concepts: np.ndarray, task: str, temperature: float = 0.15) -> np.ndarray:
    """(N, 1000) concept probabilities -> (N, n_labels) soft labels: the mass
    on each label's concepts, sharpened; near uniform when no label has mass."""
    mass = concepts @ label_matrix(task)  # (N, L), each 0..1
    logits = np.log(mass + 0.02) / max(temperature * 5, 1e-3)
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


__all__ = ["action_labels", "label_matrix", "label_spec", "scene_labels", "teacher_scores"]

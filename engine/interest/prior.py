"""The prior: how interesting a photo is guessed to be before the owner has
made any decision, and the baseline the learned "user" head corrects.

    prior_logit = QUALITY_WEIGHT * clip(z(quality), -3, 3)
                + FACES_WEIGHT * [the photo shows at least one face]

- z(quality) standardises the quality dimension's raw output with the mean and
  standard deviation it had on the real (undegraded) training photos (kept in
  the weights' meta), so a typical photo sits at 0, a blurred, dark or noisy
  one well below.
- Faces: photos of people are what personal libraries are kept for (the
  preferences paper builds its profile around the people in a gallery); the
  term is used once the faces stage has run and is 0 before.

Both weights are fixed, not fitted: with no decisions there is nothing to fit
them to. The simulation in tests/bench/bench_interest.py reports how this prior
ranks photos at 0 decisions.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

QUALITY_WEIGHT = 0.8
FACES_WEIGHT = 0.7


def quality_z(raw_quality: np.ndarray, meta: dict) -> np.ndarray:
    ref = meta.get("quality_reference") or {"mean": 0.0, "std": 1.0}
    return np.clip((np.asarray(raw_quality, np.float32) - ref["mean"]) / max(ref["std"], 1e-6), -3.0, 3.0)


def prior_parts(raw_quality: np.ndarray, meta: dict, has_faces: Optional[np.ndarray] = None) -> dict[str, np.ndarray]:
    """The prior's terms by name (each a logit contribution, summed)."""
    parts = {"quality": QUALITY_WEIGHT * quality_z(raw_quality, meta)}
    if has_faces is not None:
        parts["people"] = FACES_WEIGHT * np.asarray(has_faces, np.float32)
    return parts


def prior_logit(raw_quality: np.ndarray, meta: dict, has_faces: Optional[np.ndarray] = None) -> np.ndarray:
    return sum(prior_parts(raw_quality, meta, has_faces).values())

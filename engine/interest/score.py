"""A photo's interest from its terms, defined once for every reader (the
grid's sort, albums' importance, stories, the profile and the inspector).

The terms are logits: the prior's (``quality``, ``people``, from the
interest stage's row), ``taste`` (the model learned from the user's own
decisions) and ``own`` (this photo's own rating, flag or keep/trash, read
at query time so a new rating counts at once). The interest is the sigmoid
of their sum; 0.5 means nothing known either way. How the terms are said
in words is the window's business (``app/widgets/inspector_sections.py``).
"""

from __future__ import annotations

import math
from typing import Optional

from .signals import own_logit


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 40.0), -40.0)))


def photo_terms(prior: dict, user_raw: Optional[float], own_signals: Optional[dict]) -> dict[str, float]:
    """{term: logit} from the stage's stored prior and taste, and the photo's own decisions."""
    terms = {k: float(v) for k, v in prior.items()}
    terms["taste"] = float(user_raw or 0.0)
    terms["own"] = own_logit(own_signals)
    return terms


def interest(terms: dict[str, float]) -> float:
    """The interest in [0, 1], rounded as stored and shown."""
    return round(sigmoid(sum(terms.values())), 4)


def contributions(terms: dict[str, float]) -> list[dict]:
    """The terms that moved the score, largest first: ``term`` and ``logit``."""
    return sorted(({"term": k, "logit": round(v, 4)} for k, v in terms.items() if v), key=lambda c: -abs(c["logit"]))

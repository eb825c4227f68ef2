"""Fitting and measuring the evidence combination (evidence.Combiner) on
synthetic albums, the honest way the event model was trained: no labelled
real event album is reachable, so synthetic albums (synth.py, built from
real photos' concepts) get a synthetic *context* drawn from what the
context knowledge says of their events, with the noise real albums have:

- words: a photo of the album's event shows one of its words in
  ``text_event`` of event albums (1-3 photos), and any album may show a
  word of a random event (a shop sign, a T-shirt: ``text_noise``) or plain
  unrelated text; the words go through the real matcher (photo_text_matches);
- dates: ``dated`` of albums have real capture dates; an event with dates
  (Halloween, Christmas, Graduation) falls in them in ``in_season`` of its
  albums, anything else on any day of the year;
- hours: photos of an event with usual hours fall in them with
  ``in_hours``, else anywhere from 8 to 23 h;
- faces: ``faces_known`` of albums were through the faces stage; per photo
  Poisson counts whose mean is drawn higher for "many" events, lower for
  "few" ones, in between otherwise (and for albums with no event);
- places: ``gps`` of albums have GPS; the photos of a city or countryside
  event are of that kind with ``in_kind``, else drawn from a background mix.

So the synthetic gain of each source measures how much the combination can
use that source *if* real albums look like this; the rates are guesses
written here, not measured on real albums (none are labelled). The figures
on the real albums with a known answer (tests/bench/bench_albums.py
--evidence) are the check that matters, and they are few.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

import numpy as np

from . import teacher
from .evidence import SOURCES, AlbumContext, Combiner, event_context, features
from .metrics import event_map

KINDS = ("city", "town", "village", "countryside")
BACKGROUND_KINDS = (0.4, 0.25, 0.2, 0.15)


@dataclass(frozen=True)
class ContextConfig:
    text_event: float = 0.3
    text_noise: float = 0.15
    plain_text: float = 0.2
    dated: float = 0.9
    in_season: float = 0.8
    in_hours: float = 0.7
    faces_known: float = 0.85
    gps: float = 0.5
    in_kind: float = 0.7


def _date_in(windows, rng, year: int) -> datetime:
    lo, hi = windows[rng.integers(len(windows))]
    a = datetime(year, int(lo[:2]), int(lo[3:]))
    b = datetime(year, int(hi[:2]), int(hi[3:]))
    return a + timedelta(days=int(rng.integers(0, (b - a).days + 1)))


def synthetic_context(labels: np.ndarray, n: int, rng: np.random.Generator,
                      cfg: ContextConfig = ContextConfig()) -> AlbumContext:
    """A context for a synthetic album of ``n`` photos labelled ``labels`` (C,)."""
    names = teacher.event_labels()
    ctx_all = event_context()
    events = [names[i] for i in np.flatnonzero(labels >= 0.5)]
    info = [ctx_all.get(e, {}) for e in events]
    ctx = AlbumContext(photos=n)
    # Words.
    texts: list[list[str]] = []
    if events and rng.random() < cfg.text_event:
        words = [w for i in info for w in i.get("words", ())]
        if words:
            for _ in range(int(rng.integers(1, 4))):
                texts.append([str(rng.choice(words)).title()])
    if rng.random() < cfg.text_noise:
        other = ctx_all[names[int(rng.integers(len(names)))]].get("words", ())
        if other:
            texts.append([str(rng.choice(other)).upper()])
    if rng.random() < cfg.plain_text:
        texts.append([str(rng.choice(["OPEN", "EXIT", "No parking", "Menu", "Sale 50%", "Welcome", "Room 12"]))])
    ctx.texts = texts
    # Dates and hours.
    if rng.random() < cfg.dated:
        year = int(rng.integers(2005, 2025))
        windows = [w for i in info for w in i.get("dates", ())]
        if windows and rng.random() < cfg.in_season:
            day = _date_in(windows, rng, year)
        else:
            day = datetime(year, 1, 1) + timedelta(days=int(rng.integers(0, 365)))
        spans = [i["hours"] for i in info if i.get("hours")]
        times = []
        for _ in range(n):
            if spans and rng.random() < cfg.in_hours:
                lo, hi = spans[int(rng.integers(len(spans)))]
                h = rng.uniform(lo, hi)
            else:
                h = rng.uniform(8, 23)
            times.append(day + timedelta(hours=float(h) % 24))
        ctx.times = times
    # Faces.
    if rng.random() < cfg.faces_known:
        people = {i.get("people") for i in info}
        if "many" in people:
            lam = rng.uniform(0.8, 4.0)
        elif "few" in people:
            lam = rng.uniform(0.0, 0.5)
        else:
            lam = rng.uniform(0.1, 2.0)
        ctx.faces = [int(k) for k in rng.poisson(lam, n)]
    # Places.
    if rng.random() < cfg.gps:
        kinds = [i["place"] for i in info if i.get("place")]
        out = []
        for _ in range(n):
            if kinds and rng.random() < cfg.in_kind:
                out.append(kinds[int(rng.integers(len(kinds)))])
            else:
                out.append(KINDS[int(rng.choice(len(KINDS), p=BACKGROUND_KINDS))])
        ctx.kinds = out
    return ctx


def _stack(feats: Sequence[dict], sources: Sequence[str]) -> np.ndarray:
    """(A, C, S) features of the chosen sources."""
    return np.stack([np.stack([f[s] for s in sources], -1) for f in feats]).astype(np.float64)


def fit_combiner(model_probs: np.ndarray, feats: Sequence[dict], labels: np.ndarray,
                 sources: Sequence[str] = SOURCES, l2: float = 1e-3, version: str = "evidence-1",
                 calibrate: bool = False) -> Combiner:
    """a, b and the per-source weights that minimise the binary
    cross-entropy of every (album, event) probability against its 0/1 truth
    (L-BFGS). With ``calibrate`` False (the default, what ships) the result
    is rescaled to a = 1, b = 0 with weights w / a: the same ranking of
    events and albums (so the same mAP and top-1), on the model's own
    probability scale. The synthetic albums find the model under-confident
    (a = 2, b = +1 fit them better), but sharpening it titles three of the
    four real no-event folders (bench --evidence): the model's scale, set on
    real albums, is kept and the evidence only moves it."""
    from scipy.optimize import minimize

    p = np.clip(np.asarray(model_probs, np.float64), 1e-4, 1 - 1e-4)
    z0 = np.log(p / (1 - p))
    x = _stack(feats, sources) if sources else np.zeros(p.shape + (0,))
    y = (np.asarray(labels) >= 0.5).astype(np.float64)
    count = y.size

    def loss(theta):
        a, b, w = theta[0], theta[1], theta[2:]
        z = a * z0 + b + x @ w
        q = 1.0 / (1.0 + np.exp(-z))
        ce = np.logaddexp(0, z) - y * z
        g = (q - y) / count
        grad = np.concatenate([[np.sum(g * z0), np.sum(g)], np.einsum("acs,ac->s", x, g)])
        grad[2:] += 2 * l2 * w
        return ce.sum() / count + l2 * float(w @ w), grad

    theta0 = np.concatenate([[1.0, 0.0], np.zeros(len(sources))])
    res = minimize(loss, theta0, jac=True, method="L-BFGS-B")
    a, b, w = res.x[0], res.x[1], res.x[2:]
    if not calibrate and a > 0.05:
        a, b, w = 1.0, 0.0, w / a
    return Combiner(float(a), float(b), tuple((s, float(v)) for s, v in zip(sources, w)), version)


def measure(combiner: Combiner, model_probs: np.ndarray, feats: Sequence[dict], labels: np.ndarray) -> dict:
    """Event mAP and top-1 of the combined probabilities, and how many
    albums with no event would be titled with one (top >= 0.5)."""
    probs = np.stack([combiner.combine(p, f) for p, f in zip(model_probs, feats)])
    truth = (np.asarray(labels) >= 0.5).astype(np.float32)
    out = event_map(probs, truth)
    out.pop("per_class_ap", None)
    neg = ~truth.any(1)
    pos = ~neg
    top = probs.max(1)
    right = truth[np.arange(len(truth)), probs.argmax(1)] > 0
    out["negatives_titled"] = float((top[neg] >= 0.5).mean()) if neg.any() else math.nan
    out["positives_titled_right"] = float(((top >= 0.5) & right)[pos].mean()) if pos.any() else math.nan
    return out


def ablation(train: tuple, test: tuple, sources: Sequence[str] = SOURCES) -> list[tuple[str, Combiner, dict]]:
    """The model alone, the model recalibrated (a, b: for reference, not
    shipped), each source on its own on top of the model, and all sources:
    each fitted on ``train`` (model probs, features, labels) and measured on
    ``test``."""
    rows = [("model alone", Combiner(), measure(Combiner(), *test))]
    calibrated = fit_combiner(*train, sources=(), calibrate=True)
    rows.append(("model recalibrated", calibrated, measure(calibrated, *test)))
    for s in sources:
        c = fit_combiner(*train, sources=(s,))
        rows.append((f"+ {s}", c, measure(c, *test)))
    full = fit_combiner(*train, sources=tuple(sources))
    rows.append(("all sources", full, measure(full, *test)))
    return rows


def contexts_for(labels: np.ndarray, sizes: Sequence[int], seed: int,
                 cfg: ContextConfig = ContextConfig()) -> list[dict]:
    rng = np.random.default_rng(seed)
    return [features(synthetic_context(l, n, rng, cfg)) for l, n in zip(labels, sizes)]


def save_combiner(combiner: Combiner, path, **info) -> None:
    import json

    data = {"version": combiner.version, "a": round(combiner.a, 5), "b": round(combiner.b, 5),
            "weights": {s: round(w, 5) for s, w in combiner.weights}, **info}
    path.write_text(json.dumps(data, indent=2) + "\n")


"""What an album says about its event beyond its photos' ImageNet concepts:
the words in its photos, the calendar, how many faces, the time of day and
the kind of place, combined with the event model's probabilities.

The event transformer reads only concept evidence. A person also reads the
cake that says "Happy Birthday", knows 31 October, counts the people and
sees that it is evening. Each source here turns an album's context into one
number per event (``SOURCES``), from hand-written knowledge of the events
(resources/events/context.json: words read at them, people expected or not,
usual hours, city or countryside, dates of the year) and the teacher's own
event descriptions (words a description names count for text as well).

The combination (``Combiner``) is a calibrated logistic layer beside the
model: ``logit p'_e = a * logit p_e + b + sum_s w_s * x_s,e``, one weight per
source, fitted on synthetic albums (evidence_fit.py; the figures and the
fit in resources/models/event_evidence.json and the event model card). With
every weight at 0 and a = 1, b = 0 it is the model itself. A source that is
absent (no faces stage, no GPS, no text) contributes 0.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from . import teacher

SOURCES = ("text", "calendar", "people", "time", "place")
COMBINER_FILE = "event_evidence.json"
PEOPLE_CENTER = 0.25   # the people level (0..1) at which "many" and "few" events are told nothing
_STOP = frozenset("a an the of and or in on at to with by for from into its it is are be as".split())


@lru_cache(maxsize=1)
def event_context() -> dict[str, dict]:
    data = json.loads((teacher.resources_dir() / "events" / "context.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _norm(text: str) -> str:
    return " ".join(teacher._words(text))


@lru_cache(maxsize=1)
def text_terms() -> list[dict[str, float]]:
    """Per event, the terms whose sight in a photo points at it, with weights:
    its context words (1.0) and the specific words of its teacher description
    (0.5; a word the descriptions of three or more events share says nothing)."""
    labels = teacher.event_labels()
    desc = teacher.event_descriptions()
    ctx = event_context()
    desc_words = [set(teacher._words(" ".join(desc[l]["text"]))) - _STOP for l in labels]
    spread = Counter(w for ws in desc_words for w in ws)
    out = []
    for label, words in zip(labels, desc_words):
        terms = {w: 0.5 for w in words if spread[w] <= 2 and len(w) >= 4}
        for phrase in ctx.get(label, {}).get("words", ()):
            key = _norm(phrase)
            if key:
                terms[key] = 1.0
        out.append(terms)
    return out


def photo_text_matches(lines: Sequence[str]) -> list[dict[str, float]]:
    """Per event, the terms found in one photo's recognized lines."""
    words = teacher._words(" ".join(lines))
    grams = {" ".join(words[i:i + n]) for n in (1, 2, 3, 4, 5) for i in range(len(words) - n + 1)}
    return [{t: w for t, w in terms.items() if t in grams} for terms in text_terms()]


@dataclass
class AlbumContext:
    """The raw context of one album (photos in any order)."""

    texts: list[list[str]] = field(default_factory=list)    # recognized lines of each photo with text
    times: list[datetime] = field(default_factory=list)     # real local capture times
    faces: Optional[list[int]] = None                       # faces per photo; None: not analysed
    kinds: list[str] = field(default_factory=list)          # place kind of each GPS photo
    photos: int = 0


def _in_dates(t: datetime, windows) -> bool:
    md = f"{t.month:02d}-{t.day:02d}"
    return any(lo <= md <= hi for lo, hi in windows)


def _in_hours(t: datetime, span) -> bool:
    h = t.hour + t.minute / 60
    lo, hi = span
    return lo <= h < hi if lo < hi else (h >= lo or h < hi)


def people_level(faces: Sequence[int]) -> float:
    """0 (nobody) .. 1 (people in every photo, several in many)."""
    if not faces:
        return 0.0
    share = sum(1 for f in faces if f > 0) / len(faces)
    mean = sum(faces) / len(faces)
    return 0.5 * share + 0.5 * min(1.0, mean / 3.0)


def features(ctx: AlbumContext) -> dict[str, np.ndarray]:
    """Per source, one number per event (0 where the source says nothing)."""
    labels = teacher.event_labels()
    ev = event_context()
    c = len(labels)
    out = {s: np.zeros(c, np.float32) for s in SOURCES}
    if ctx.texts:
        per_photo = [photo_text_matches(lines) for lines in ctx.texts]
        for e in range(c):
            total = sum(min(1.0, sum(m[e].values())) for m in per_photo)
            out["text"][e] = 1.0 - math.exp(-total)
    for e, label in enumerate(labels):
        info = ev.get(label, {})
        if ctx.times and info.get("dates"):
            out["calendar"][e] = sum(_in_dates(t, info["dates"]) for t in ctx.times) / len(ctx.times)
        if ctx.times and info.get("hours"):
            out["time"][e] = sum(_in_hours(t, info["hours"]) for t in ctx.times) / len(ctx.times) - 0.5
        if ctx.faces is not None and info.get("people"):
            sign = 1.0 if info["people"] == "many" else -1.0
            out["people"][e] = sign * (people_level(ctx.faces) - PEOPLE_CENTER)
        if ctx.kinds and info.get("place"):
            out["place"][e] = sum(k == info["place"] for k in ctx.kinds) / len(ctx.kinds) - 0.5
    return out


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, np.float64), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


@dataclass(frozen=True)
class Combiner:
    a: float = 1.0
    b: float = 0.0
    weights: tuple = ()  # (source, weight) pairs; absent sources weigh 0
    version: str = "identity"

    def weight(self, source: str) -> float:
        return dict(self.weights).get(source, 0.0)

    def combine(self, model_probs: np.ndarray, feats: dict[str, np.ndarray]) -> np.ndarray:
        z = self.a * _logit(model_probs) + self.b
        for s, w in self.weights:
            if s in feats:
                z = z + w * feats[s]
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)


def combiner_path() -> Path:
    return teacher.resources_dir() / "models" / COMBINER_FILE


@lru_cache(maxsize=1)
def load_combiner() -> Combiner:
    """The shipped combination; the model alone when none ships."""
    path = combiner_path()
    if not path.exists():
        return Combiner()
    data = json.loads(path.read_text())
    return Combiner(float(data["a"]), float(data["b"]), tuple((s, float(w)) for s, w in data["weights"].items()),
                    data.get("version", "evidence-1"))


def _hour_word(times: Sequence[datetime]) -> Optional[str]:
    if not times:
        return None
    hours = Counter("night" if t.hour < 5 or t.hour >= 23 else "morning" if t.hour < 12 else
                    "afternoon" if t.hour < 18 else "evening" for t in times)
    word, n = hours.most_common(1)[0]
    return word if n / len(times) >= 0.6 else None


def describe(ctx: AlbumContext, event: str, feats: dict[str, np.ndarray], combiner: Combiner) -> list[dict]:
    """The evidence for ``event`` in words, each with the source and how much
    it moved the event's log-odds ("shift", positive: for it): "text: 'Happy
    Birthday' in 3 photos", "14 faces", "evening", "31 Oct"."""
    labels = teacher.event_labels()
    if event not in labels:
        return []
    e = labels.index(event)
    out = []

    def add(source: str, text: str) -> None:
        shift = combiner.weight(source) * float(feats[source][e])
        out.append({"source": source, "text": text, "shift": round(shift, 3)})

    if ctx.texts:
        found: Counter = Counter()
        shown: dict[str, str] = {}
        for lines in ctx.texts:
            m = photo_text_matches(lines)[e]
            # "happy birthday" found: "birthday" inside it is not a second finding.
            m = {t: w for t, w in m.items() if not any(t != o and f" {t} " in f" {o} " for o in m)}
            for term in m:
                found[term] += 1
            joined = " ".join(lines)
            for term in m:
                hit = re.search(r"\b" + r"\W+".join(re.escape(w) for w in term.split()), joined, re.IGNORECASE)
                if hit and term not in shown:
                    shown[term] = hit.group(0)
        if found:
            words = "; ".join(f"'{shown.get(t, t)}' in {n} photo{'s' if n != 1 else ''}" for t, n in found.most_common(3))
            add("text", f"text: {words}")
    if ctx.faces is not None:
        total = sum(ctx.faces)
        with_faces = sum(1 for f in ctx.faces if f)
        add("people", f"{total} face{'s' if total != 1 else ''}" +
            (f" in {with_faces} of {len(ctx.faces)} photos" if total else ""))
    word = _hour_word(ctx.times)
    if word:
        add("time", word)
    info = event_context().get(event, {})
    if ctx.times and info.get("dates") and feats["calendar"][e] > 0:
        first = min(ctx.times)
        add("calendar", f"{first.day} {first.strftime('%b')}")
    if ctx.kinds:
        kinds = Counter(ctx.kinds).most_common(1)[0][0]
        add("place", {"city": "in a city", "town": "in a town", "village": "in a village",
                      "countryside": "in the countryside"}.get(kinds, kinds))
    return out


def evidence_text(items: Sequence[dict]) -> str:
    """"text: 'Happy Birthday' in 3 photos; 14 faces; evening"."""
    return "; ".join(i["text"] for i in items if i.get("source") != "model")

"""Faces in no person, for review: "is this X?" suggestions ranked by
similarity, and the faces grouped by the person they most likely are.

A face of reasonable quality (``quality.REVIEW_QUALITY``) that the
clustering left out is *unsure*: it is offered with its best candidates, the
``TOP_K`` people nearest to it (distance from the face to the person's
nearest exemplar face) within ``SUGGEST_EPS``, leaving out a person the
user said it is not and a person already in the face's photo. Faces too
far from every person are grouped among themselves ("new person?") when two
or more of them look alike (the same constrained linkage as the clustering,
a little looser); the rest are one last group, "seen once". Nothing here is stored: the suggestions
follow the people as they are now, and a confirmed or rejected suggestion is
stored as the user's decision (``move_face`` pins the face, ``remove_face``
keeps it out of the person for good).

Distances are dlib's Euclidean ones (same person below ~0.6). Similarity,
shown to the user, is ``1 - distance / 1.2``: 1 for the same face, 0.5 at
dlib's threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .cluster import ClusterParams, constrained_clusters, nearest
from .quality import REVIEW_QUALITY

TOP_K = 3
# A little beyond dlib's 0.6: on the labelled party photos
# (tests/bench/bench_people_labelled.py --list) every candidate between 0.65
# and 0.72 was a stranger; asking about those costs the user clicks.
SUGGEST_EPS = 0.65
# Unknown faces this close (and never two of one photo) are shown together.
GROUP_PARAMS = ClusterParams(eps=0.55, min_samples=2, merge_eps=0.55, core_quality=REVIEW_QUALITY)


def similarity(distance: float) -> float:
    return float(max(0.0, min(1.0, 1.0 - distance / 1.2)))


@dataclass(frozen=True)
class Suggestion:
    person_id: int
    distance: float

    @property
    def similarity(self) -> float:
        return similarity(self.distance)


@dataclass
class ReviewGroup:
    """Unknown faces that most likely are one person: ``person_id`` the
    suggested person (None: someone not in People yet)."""

    person_id: Optional[int]
    face_ids: list[int]
    suggestions: dict[int, list[Suggestion]] = field(default_factory=dict)  # per face, best first
    seen_once: bool = False  # faces that match nobody and no other face (not one person)

    @property
    def kind(self) -> str:
        if self.person_id is not None:
            return "is_this"
        return "seen_once" if self.seen_once else "new_person"

    @property
    def best_distance(self) -> float:
        ds = [s[0].distance for s in self.suggestions.values() if s and s[0].person_id == self.person_id]
        return min(ds) if ds else float("inf")


def _per_person_nearest(x: np.ndarray, ex: np.ndarray, ex_person: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
    """For each face: (person, distance) by the person's nearest exemplar,
    every person within the exemplars looked at, nearest first."""
    idx, d = nearest(x, ex, k=min(k, len(ex)))
    out = []
    for r in range(len(x)):
        seen: dict[int, float] = {}
        for c in range(idx.shape[1]):
            p = int(ex_person[idx[r, c]])
            if p not in seen:
                seen[p] = float(d[r, c])
        out.append(sorted(seen.items(), key=lambda kv: kv[1]))
    return out


def face_suggestions(catalog, top_k: int = TOP_K, eps: float = SUGGEST_EPS,
                     min_quality: float = REVIEW_QUALITY, table: Optional[dict] = None) -> dict[int, list[Suggestion]]:
    """face id -> its candidates, best first, for every unassigned face of
    reasonable quality (an empty list: no person is close enough)."""
    from .people import _exemplars

    t = catalog.face_table() if table is None else table
    meta = catalog.people_meta()
    person = np.array([p if p in meta else -1 for p in t["person"]], np.int64)
    loose = np.nonzero((person < 0) & (t["quality"] >= min_quality))[0]
    out: dict[int, list[Suggestion]] = {int(t["id"][r]): [] for r in loose}
    if not len(loose) or not (person >= 0).any():
        return out
    rejections = catalog.face_rejections()
    in_photo: dict[int, set[int]] = {}
    for ph, p in zip(t["photo"].tolist(), person.tolist()):
        if p >= 0:
            in_photo.setdefault(ph, set()).add(p)
    ex, ex_person = _exemplars(t, person)
    ranked = _per_person_nearest(t["embedding"][loose], ex, ex_person, k=256)
    for r, cands in zip(loose, ranked):
        fid = int(t["id"][r])
        banned = rejections.get(fid, set()) | in_photo.get(int(t["photo"][r]), set())
        out[fid] = [Suggestion(p, d) for p, d in cands if d <= eps and p not in banned][:top_k]
    return out


def review_groups(catalog, top_k: int = TOP_K, eps: float = SUGGEST_EPS) -> list[ReviewGroup]:
    """The unassigned faces of reasonable quality, grouped: first by their
    best suggestion (most similar group first), then look-alike unknown
    faces ("new person?"), then faces seen once."""
    t = catalog.face_table()
    sugg = face_suggestions(catalog, top_k, eps, table=t)
    by_person: dict[int, ReviewGroup] = {}
    unknown = []
    for fid, cands in sugg.items():
        if cands:
            g = by_person.setdefault(cands[0].person_id, ReviewGroup(cands[0].person_id, []))
            g.face_ids.append(fid)
            g.suggestions[fid] = cands
        else:
            unknown.append(fid)
    groups = sorted(by_person.values(), key=lambda g: g.best_distance)
    for g in groups:
        g.face_ids.sort(key=lambda f: g.suggestions[f][0].distance)
    if unknown:
        row = {int(f): r for r, f in enumerate(t["id"])}
        rows = np.array([row[f] for f in unknown])
        labels = constrained_clusters(t["embedding"][rows], t["photo"][rows], t["quality"][rows], GROUP_PARAMS)
        for c in range(labels.max(initial=-1) + 1):
            groups.append(ReviewGroup(None, [unknown[i] for i in np.nonzero(labels == c)[0]]))
        alone = [unknown[i] for i in np.nonzero(labels < 0)[0]]
        if alone:
            groups.append(ReviewGroup(None, alone, seen_once=True))
    return groups

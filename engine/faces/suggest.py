"""Faces in no person, for review: "is this X?" suggestions ranked by
similarity, and the faces grouped by the person they most likely are.

Every face of reasonable quality (``quality.REVIEW_QUALITY``) that the
clustering left out ends up in one of three kinds of group, each with a
*top offer* that one key confirms:

- ``is_this``: its nearest person is within ``SUGGEST_EPS`` (``FAIR_SUGGEST_EPS``
  for a face below ``CORE_QUALITY``); the offer is
  that person, with up to ``TOP_K`` candidates ranked by similarity.
- ``new_person``: no person is that close, but two or more such faces look
  alike (the same constrained linkage as the clustering, within
  ``GROUP_PARAMS.eps``); the offer is "these faces are one new person".
- ``unsure``: no person is close and no other unknown face looks alike. The
  offer is "a new person" (nobody known: on the labelled party photos every
  person beyond 0.6 was a stranger), and the face still carries its best
  candidates, the people nearest to it within ``UNSURE_EPS``, ranked with
  their similarity, so that the user can say who it is or rule one out.

Candidates leave out a person the user said the face is not and a person
already in the face's photo. Nothing here is stored: the suggestions follow
the people as they are now, and a confirmed or rejected suggestion is stored
as the user's decision (``accept_suggestions``/``accept_as_new_person`` pin
the face, ``reject_suggestion`` keeps it out of the person for good), which
every re-clustering keeps.

Distances are dlib's Euclidean ones (same person below ~0.6). Similarity,
shown to the user, is ``1 - distance / 1.2``: 1 for the same face, 0.5 at
dlib's threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .cluster import ClusterParams, constrained_clusters, nearest
from .quality import CORE_QUALITY, REVIEW_QUALITY

TOP_K = 3
# dlib's own same-person threshold. It was 0.65; on the labelled party photos
# (tests/bench/bench_people_labelled.py --list) all 7 "is this X?" offers
# between 0.62 and 0.65 were strangers (and every candidate between 0.65 and
# 0.72 too): such a face is now unsure, its nearest people still listed.
SUGGEST_EPS = 0.6
# For a face below the clustering's core quality (small, soft or turned),
# whose descriptor says less: the clustering's own ``assign_eps``. On the
# labelled party photos strangers among such faces sat 0.48-0.53 from each
# other, and the one "is this X?" offer left at 0.60 was a stranger (q 0.53);
# beyond this such a face is unsure, the person still listed first.
FAIR_SUGGEST_EPS = 0.55
# An unsure face lists the people this close as candidates (similarity 0.25
# and up); further than that a "most like" is noise.
UNSURE_EPS = 0.9
# Unknown faces this close (and never two of one photo) are shown together
# as "a new person?". As tight as the clustering's pairs (``pair_eps``):
# these are small or turned faces, whose descriptors crowd together; on the
# labelled party photos two pairs of strangers sat at 0.48 and 0.53 (eps was
# 0.55 then), the one real pair (person_B) at 0.33.
GROUP_PARAMS = ClusterParams(eps=0.4, min_samples=2, merge_eps=0.4, core_quality=REVIEW_QUALITY)


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
    # Faces that match no person closely and no other face: each is its own
    # question ("a new person, or one of these?"), not one person.
    unsure: bool = False

    @property
    def kind(self) -> str:
        if self.person_id is not None:
            return "is_this"
        return "unsure" if self.unsure else "new_person"

    def offer(self, face_id: int) -> Optional[int]:
        """What confirming this face makes it: a person id, or None for a new
        person (with the whole group when it is a "new person?" group, alone
        when unsure)."""
        return self.person_id

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


def ranked_candidates(catalog, min_quality: float = REVIEW_QUALITY, table: Optional[dict] = None,
                      limit: float = UNSURE_EPS) -> dict[int, list[Suggestion]]:
    """face id -> every person within ``limit`` of it, nearest first, for
    every unassigned face of reasonable quality (people the user ruled out
    for the face, and people already in its photo, left out)."""
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
        out[fid] = [Suggestion(p, d) for p, d in cands if d <= limit and p not in banned]
    return out


def face_suggestions(catalog, top_k: int = TOP_K, eps: float = SUGGEST_EPS,
                     min_quality: float = REVIEW_QUALITY, table: Optional[dict] = None) -> dict[int, list[Suggestion]]:
    """face id -> its "is this X?" candidates (within ``eps``), best first,
    for every unassigned face of reasonable quality (an empty list: no person
    is close enough, the face is unsure or in a "new person?" group)."""
    t = catalog.face_table() if table is None else table
    ranked = ranked_candidates(catalog, min_quality, t, limit=max(eps, UNSURE_EPS))
    reach = _offer_reach(t, eps)
    return {f: [s for s in cands if s.distance <= reach[f]][:top_k] for f, cands in ranked.items()}


def _offer_reach(t: dict, eps: float) -> dict[int, float]:
    """Per face: how far a person may be to be offered as "is this X?"."""
    return {int(f): eps if q >= CORE_QUALITY else min(eps, FAIR_SUGGEST_EPS)
            for f, q in zip(t["id"].tolist(), t["quality"].tolist())}


def review_groups(catalog, top_k: int = TOP_K, eps: float = SUGGEST_EPS,
                  unsure_eps: float = UNSURE_EPS) -> list[ReviewGroup]:
    """The unassigned faces of reasonable quality, grouped: first by their
    best suggestion (most similar group first), then look-alike unknown
    faces ("new person?"), then the unsure faces, each with its nearest
    people within ``unsure_eps``."""
    t = catalog.face_table()
    ranked = ranked_candidates(catalog, table=t, limit=max(eps, unsure_eps))
    reach = _offer_reach(t, eps)
    by_person: dict[int, ReviewGroup] = {}
    unknown = []
    for fid, cands in ranked.items():
        close = [s for s in cands if s.distance <= reach[fid]][:top_k]
        if close:
            g = by_person.setdefault(close[0].person_id, ReviewGroup(close[0].person_id, []))
            g.face_ids.append(fid)
            g.suggestions[fid] = close
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
            members = [unknown[i] for i in np.nonzero(labels == c)[0]]
            groups.append(ReviewGroup(None, members, {f: ranked[f][:top_k] for f in members}))
        alone = [unknown[i] for i in np.nonzero(labels < 0)[0]]
        if alone:
            unsure = ReviewGroup(None, alone, unsure=True)
            unsure.suggestions = {f: [s for s in ranked[f] if s.distance <= unsure_eps][:top_k] for f in alone}
            # Faces with a candidate first, nearest first: the likelier "it is X".
            alone.sort(key=lambda f: unsure.suggestions[f][0].distance if unsure.suggestions[f] else float("inf"))
            groups.append(unsure)
    return groups

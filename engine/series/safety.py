"""Content safety of a clean-up: what a shot shows that the kept shots do not.

A shot of a group is never trashed automatically when
- it shows a person no kept shot of its group shows: a face of a person
  (the faces stage's clusters) that no keeper has, or more faces than every
  keeper (a person stepping into the frame before faces are named);
- the local evidence says no kept shot is a redundant copy of it: their
  common area is small (another part of the scene) or part of it changed
  (a person-sized region the keeper lacks).
Evidence comes from the series stage's cache (``series_pairs``) or the
cached keypoints; a pair with no keypoints at all (a photo that could not be
read) is judged by faces alone.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Iterable, Optional

from . import local
from .evidence import PairEvidence

PERSON_REASON = "shows a person the best shot lacks"
CHANGED_REASON = "shows a person or thing the best shot lacks"
OVERLAP_REASON = "shows a part of the scene the best shot does not"
SAFETY_REASONS = (PERSON_REASON, CHANGED_REASON, OVERLAP_REASON)


class ContentSafety:
    def __init__(self, catalog) -> None:
        self.catalog = catalog
        self.evidence = PairEvidence(catalog, store=False)
        self._faces: dict[str, list[tuple[Optional[int], float]]] = {}

    def load_faces(self, hashes: Iterable[str]) -> None:
        wanted = [h for h in dict.fromkeys(hashes) if h not in self._faces]
        found: dict[str, list] = defaultdict(list)
        try:
            for i in range(0, len(wanted), 900):
                chunk = wanted[i:i + 900]
                for r in self.catalog.db.execute(
                        f"SELECT content_hash, person_id, quality FROM faces "
                        f"WHERE content_hash IN ({','.join('?' * len(chunk))})", chunk):
                    found[r[0]].append((r[1], float(r[2] or 0.0)))
        except sqlite3.Error:  # a catalog without the faces domain: no faces known
            pass
        for h in wanted:
            self._faces[h] = found.get(h, [])

    def _person_missing(self, shot: str, keepers: list[str]) -> bool:
        faces = self._faces.get(shot, [])
        if not faces:
            return False
        kept_faces = [self._faces.get(k, []) for k in keepers]
        people = {p for p, _ in faces if p is not None}
        kept_people = {p for fs in kept_faces for p, _ in fs if p is not None}
        if people - kept_people:
            return True
        return len(faces) > max((len(fs) for fs in kept_faces), default=0)

    def reason_to_keep(self, shot: str, keepers: list[str]) -> Optional[str]:
        """Why the shot with content ``shot`` must stay beside the kept
        contents ``keepers``; None when one of them stands in for it."""
        keepers = [k for k in keepers if k != shot]
        if not keepers:
            return None  # an identical copy of a keeper
        if self._person_missing(shot, keepers):
            return PERSON_REASON
        evidences = [self.evidence(shot, k) for k in keepers]
        known = [e for e in evidences if e is not None]
        if not known:
            return None  # no keypoints: faces are all we know
        if any(local.verdict(e) == "redundant" for e in known):
            return None
        best = max(known, key=lambda e: min(e.overlap_a, e.overlap_b))
        if best.inliers and max(best.overlap_a, best.overlap_b) >= local.REDUNDANT_MAX_OVERLAP \
                and min(best.overlap_a, best.overlap_b) >= local.REDUNDANT_MIN_OVERLAP:
            return CHANGED_REASON
        return OVERLAP_REASON

"""Faces into people, with the user's corrections as constraints.

Two ways in:
Two faces of one photo are never one person: the clustering never links
them (``cluster.constrained_clusters``), a face never joins a person that
already has a face of its photo, and a last pass (``_one_face_per_photo``)
keeps the guarantee whatever the mapping below did (the face the user placed,
else the nearest, stays).

- ``recluster``: cluster every face (``cluster.constrained_clusters``), then map the
  clusters onto the people the user already knows so that names, merges,
  splits and "not this person" survive:
  * a face the user placed (``assigned_by = 'user'``) stays there (must-link);
  * a cluster goes to the person most of its faces belonged to; a person the
    user never touched keeps only its best-matching cluster (so automatic
    mistakes can still be undone by new evidence), a touched person keeps all
    (a merge stays merged);
  * a cluster holding faces of people the user separated (cannot-link, made
    by a split) is divided between them by the nearest person;
  * a face never goes to a person it was removed from (cannot-link), it
    falls back to the nearest other person within ``assign_eps`` or none.
- ``assign_new``: incremental. Faces without a person join the nearest person
  (distance to that person's exemplar faces within ``assign_eps``); the rest
  are clustered among themselves and dense groups become new people. No
  existing person is re-clustered.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Optional

import numpy as np

from .cluster import ClusterParams, constrained_clusters, nearest

log = logging.getLogger(__name__)

EXEMPLARS_PER_PERSON = 48
# A full re-clustering is redone when the library has this many times the
# faces it had at the last one (early people were formed on thin evidence).
RECLUSTER_GROWTH = 2.0
STATE_KEY = "faces.clustering"


def _exemplars(table: dict, person: np.ndarray, limit: int = EXEMPLARS_PER_PERSON):
    """Per person up to ``limit`` faces (pinned first, then best quality)."""
    idx = np.nonzero(person >= 0)[0]
    order = idx[np.lexsort((-table["quality"][idx], ~table["pinned"][idx], person[idx]))]
    keep, count = [], Counter()
    for i in order:
        p = person[i]
        if count[p] < limit:
            keep.append(i)
            count[p] += 1
    keep = np.array(keep, np.int64)
    return table["embedding"][keep], person[keep]


def _assign_nearest(x: np.ndarray, ex: np.ndarray, ex_person: np.ndarray, face_ids: np.ndarray,
                    rejections: dict[int, set[int]], eps, photos: Optional[np.ndarray] = None,
                    taken: Optional[dict[int, set[int]]] = None) -> tuple[np.ndarray, np.ndarray]:
    """Nearest person (by exemplar) within ``eps`` (one value, or one per face) that the face was not
    removed from and that has no face of the face's photo yet (``photos``:
    the faces' photo codes; ``taken``: photo code -> people in it, updated);
    -1 when none. Closest faces are placed first."""
    out = np.full(len(x), -1, np.int64)
    dist = np.full(len(x), np.inf, np.float32)
    if len(x) == 0 or len(ex) == 0:
        return out, dist
    taken = {} if taken is None else taken
    reach = np.broadcast_to(np.asarray(eps, np.float32), (len(x),))
    idx, d = nearest(x, ex, k=min(64, len(ex)))
    for r in np.argsort(d[:, 0], kind="stable"):
        banned = rejections.get(int(face_ids[r]), set())
        present = taken.setdefault(int(photos[r]), set()) if photos is not None else set()
        for c in range(idx.shape[1]):
            if d[r, c] > reach[r]:
                break
            p = int(ex_person[idx[r, c]])
            if p not in banned and p not in present:
                out[r], dist[r] = p, d[r, c]
                present.add(p)
                break
    return out, dist


def _join_reach(quality: np.ndarray, params: ClusterParams) -> np.ndarray:
    """How close a person must be for a loose face to join it: ``assign_eps``,
    but only ``pair_eps`` for a face below reasonable quality. Tiny and
    blurred faces crowd together: on the labelled party photos, once the
    strangers seen once were confirmed as people, four 15-25 px faces joined
    them at 0.46-0.54."""
    return np.where(np.asarray(quality) >= params.pair_quality, params.assign_eps, params.pair_eps)


def _people_by_photo(photos: np.ndarray, person: np.ndarray) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for ph, p in zip(photos.tolist(), person.tolist()):
        if p >= 0:
            out.setdefault(ph, set()).add(p)
    return out


def _one_face_per_photo(t: dict, person: np.ndarray, pinned: np.ndarray) -> int:
    """Where a person holds several faces of one photo, keep one (the one
    the user placed, else the nearest to the person's mean face) and leave
    the others unassigned; returns how many were taken out."""
    taken_out = 0
    key = t["photo"] * (person.max(initial=0) + 2) + person
    for k in np.unique(key[person >= 0]):
        rows = np.nonzero((key == k) & (person >= 0))[0]
        if len(rows) < 2:
            continue
        p = person[rows[0]]
        centre = t["embedding"][person == p].mean(axis=0)
        d = np.linalg.norm(t["embedding"][rows] - centre, axis=1) - 10.0 * pinned[rows]
        for r in rows[np.argsort(d)][1:]:
            if not pinned[r]:
                person[r] = -1
                taken_out += 1
    return taken_out


def recluster(catalog, params: ClusterParams = ClusterParams()) -> dict:
    """Cluster every face again, keeping the user's corrections."""
    t = catalog.face_table()
    n = len(t["id"])
    meta = catalog.people_meta()
    rejections = catalog.face_rejections()
    cannot = catalog.person_cannot_links()
    old = np.array([p if p in meta else -1 for p in t["person"]], np.int64)
    pinned = t["pinned"] & (old >= 0)
    new = np.where(pinned, old, -1)
    labels = constrained_clusters(t["embedding"], t["photo"], t["quality"], params) if n else np.zeros(0, np.int64)
    with catalog.write():  # one transaction: new people and assignments land together
        return _map_clusters(catalog, params, t, meta, rejections, cannot, old, pinned, new, labels)


def _map_clusters(catalog, params, t, meta, rejections, cannot, old, pinned, new, labels) -> dict:
    n = len(new)
    claimed: set[int] = set()
    created = 0
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(labels.max(initial=-1) + 2))
    groups = [order[bounds[c]:bounds[c + 1]] for c in range(len(bounds) - 1)]
    for members in sorted(groups, key=len, reverse=True):  # big clusters claim people first
        free = members[~pinned[members]]
        pinned_people = set(old[members[pinned[members]]].tolist())
        votes = Counter(old[free][old[free] >= 0].tolist())
        present = pinned_people | set(votes)
        apart = {p for p in present if any(frozenset((p, q)) in cannot for q in present if q != p)}
        if len(pinned_people) >= 2 or len(apart) >= 2:
            # People the user told apart share this cluster: divide it.
            group = sorted(pinned_people | apart)
            cents = np.stack([t["embedding"][members[old[members] == p]].mean(axis=0) for p in group])
            pick, _ = nearest(t["embedding"][free], cents, k=1)
            new[free] = np.array(group)[pick[:, 0]]
            claimed.update(group)
            continue
        if pinned_people:
            target = next(iter(pinned_people))
        else:
            target = -1
            for p, _ in votes.most_common():
                if meta[p]["user_touched"] or p not in claimed:
                    target = p
                    break
        if target < 0:
            target = catalog.new_person()
            meta[target] = {"user_touched": 0}
            created += 1
        claimed.add(target)
        new[free] = target
    # "Not this person" always wins over the cluster.
    for r in np.nonzero(new >= 0)[0]:
        if not pinned[r] and int(new[r]) in rejections.get(int(t["id"][r]), ()):
            new[r] = -1
    # Whatever the mapping did, one face per photo per person.
    _one_face_per_photo(t, new, pinned)
    # Faces left out (noise, rejected) join the nearest person if close enough.
    dist = np.full(n, np.nan, np.float32)
    loose = np.nonzero(new < 0)[0]
    ex, ex_person = _exemplars(t, new)
    got, d = _assign_nearest(t["embedding"][loose], ex, ex_person, t["id"][loose], rejections,
                             _join_reach(t["quality"][loose], params),
                             t["photo"][loose], _people_by_photo(t["photo"], new))
    new[loose] = got
    dist[loose] = np.where(got >= 0, d, np.nan)
    _save(catalog, t, new, pinned, dist)
    dropped = catalog.drop_empty_people()
    owner = catalog.update_owner_suggestion()
    catalog.set_pref(STATE_KEY, {"faces_at_full": int(n), "eps": params.eps, "min_samples": params.min_samples})
    return {"mode": "full", "faces": int(n), "people": len(set(new[new >= 0].tolist())),
            "new_people": created, "dropped_people": dropped, "unassigned": int((new < 0).sum()),
            "owner_person": owner}


def assign_new(catalog, params: ClusterParams = ClusterParams()) -> dict:
    """Incremental: faces without a person join people or form new ones."""
    t = catalog.face_table()
    n = len(t["id"])
    meta = catalog.people_meta()
    rejections = catalog.face_rejections()
    person = np.array([p if p in meta else -1 for p in t["person"]], np.int64)
    loose = np.nonzero(person < 0)[0]
    if len(loose) == 0:
        return {"mode": "incremental", "faces": int(n), "assigned": 0, "new_people": 0}
    ex, ex_person = _exemplars(t, person)
    got, d = _assign_nearest(t["embedding"][loose], ex, ex_person, t["id"][loose], rejections,
                             _join_reach(t["quality"][loose], params),
                             t["photo"][loose], _people_by_photo(t["photo"], person))
    rows = [(int(t["id"][r]), int(p), "auto", float(dd)) for r, p, dd in zip(loose, got, d) if p >= 0]
    assigned = len(rows)
    rest = loose[got < 0]
    created = 0
    with catalog.write():
        if len(rest):
            labels = constrained_clusters(t["embedding"][rest], t["photo"][rest], t["quality"][rest], params)
            for c in range(labels.max() + 1 if len(labels) else 0):
                pid = catalog.new_person()
                created += 1
                rows += [(int(t["id"][r]), pid, "auto", None) for r in rest[labels == c]]
        catalog.assign_faces(rows)
    owner = catalog.update_owner_suggestion()
    return {"mode": "incremental", "faces": int(n), "assigned": assigned, "new_people": created,
            "unassigned": int(len(loose) - len(rows)), "owner_person": owner}


def update_people(catalog, params: ClusterParams = ClusterParams(), full: Optional[bool] = None) -> dict:
    """What the faces stage runs: a full clustering the first time and when
    the library has grown a lot, the incremental path otherwise."""
    if full is None:
        state = catalog.get_pref(STATE_KEY)
        n = catalog.scalar("SELECT count(*) FROM faces") or 0
        full = not state or n >= RECLUSTER_GROWTH * max(state.get("faces_at_full", 0), 1)
    return recluster(catalog, params) if full else assign_new(catalog, params)


def _save(catalog, t: dict, new: np.ndarray, pinned: np.ndarray, dist: np.ndarray) -> None:
    rows = []
    for r in range(len(new)):
        if pinned[r]:
            continue
        p = int(new[r])
        d = None if np.isnan(dist[r]) else float(dist[r])
        rows.append((int(t["id"][r]), p if p >= 0 else None, "auto", d))
    catalog.assign_faces(rows)

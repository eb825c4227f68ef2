"""The owner's profile: what dominates their library and what they keep,
as plain data for the Insights charts.

The aggregation follows the preferences paper (Sec. 3.3): each photo m is a
feature vector x(m); the profile is x = sum_m w(x(m)) s(m) with
w = softmax over the photos of a learned score, and s(m) = W_s x(m) a
squeezed version of the features. Here:

- x(m) is the photo's 1000 ImageNet concept probabilities (the embed stage);
- s(m) squeezes them into ~30 coarse groups (dogs, landscapes, food,
  vehicles...: ``resources/interest/concept_groups.tsv``), a fixed W_s, since
  no category labels exist to learn one;
- the attention score of a photo is its interest logit (the interest model,
  whose "user" head is learned from the owner's decisions) instead of the
  paper's q^T s(m), which needs labelled users to learn. With no scores the
  weights are equal: the paper's own fallback (plain averaging).

``build_profile(catalog)`` returns a dict of chart series; every series is a
list of small dicts (label + numbers), or None while the stage that feeds it
(albums, faces) has not run.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections import Counter, defaultdict
from functools import lru_cache
from importlib import resources
from typing import Optional

import numpy as np

from .signals import combine, per_photo_signals

CONCEPT_MODEL = "effnet_lite0"
PLACE_RADIUS_KM = 25.0


@lru_cache(maxsize=1)
def concept_groups() -> list[str]:
    """The coarse group of each of the 1000 ImageNet classes."""
    text = (resources.files("photoorg.resources") / "interest" / "concept_groups.tsv").read_text(encoding="utf-8")
    table = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            idx, group = line.split("\t")
            table[int(idx)] = group
    return [table[i] for i in range(1000)]


@lru_cache(maxsize=1)
def _labels() -> list[str]:
    from ..analysis.imagenet import imagenet_labels

    return imagenet_labels()


def attention_weights(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """softmax over photos (equal weights for an empty or constant input)."""
    if not len(logits):
        return logits
    z = (logits - logits.max()) / temperature
    w = np.exp(z)
    return w / w.sum()


def aggregate(features: np.ndarray, weights: Optional[np.ndarray] = None) -> np.ndarray:
    """The paper's descriptor: sum_m w_m s(m) (the mean when no weights)."""
    if not len(features):
        return np.zeros(features.shape[1:], np.float32)
    if weights is None:
        return features.mean(0)
    return (weights[:, None] * features).sum(0)


def squeeze_groups(concepts: np.ndarray) -> tuple[list[str], np.ndarray]:
    """(P, 1000) -> the group names and (P, G) summed probabilities."""
    groups = concept_groups()
    names = sorted(set(groups))
    index = {g: i for i, g in enumerate(names)}
    w_s = np.zeros((1000, len(names)), np.float32)
    for c, g in enumerate(groups):
        w_s[c, index[g]] = 1.0
    return names, concepts @ w_s


def _period(ts: Optional[float], fmt: str = "%Y-%m") -> Optional[str]:
    return time.strftime(fmt, time.gmtime(ts)) if ts is not None else None


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def places(photos: list, radius_km: float = PLACE_RADIUS_KM, named: Optional[dict] = None) -> Optional[list[dict]]:
    """Leader clustering of the GPS positions, each cluster with its place in
    words ("name") from the photos' towns (``named``: photo id -> the albums
    stage's stored place; photos it has not named are named from the offline
    gazetteer here)."""
    located = [p for p in photos if p.gps_lat is not None and p.gps_lon is not None]
    if not located:
        return None
    clusters: list[dict] = []
    for p in sorted(located, key=lambda p: (p.capture_ts or 0, p.id)):
        pos = (p.gps_lat, p.gps_lon)
        best = min(clusters, key=lambda c: _haversine_km(c["center"], pos), default=None)
        if best is not None and _haversine_km(best["center"], pos) <= radius_km:
            best["members"].append(p)
            n = len(best["members"])
            best["center"] = ((best["center"][0] * (n - 1) + pos[0]) / n, (best["center"][1] * (n - 1) + pos[1]) / n)
        else:
            clusters.append({"center": pos, "members": [p]})
    from ..albums.geo import album_place
    from ..albums.places import name_places

    named = dict(named or {})
    rest = [p for p in located if p.id not in named]
    named.update(zip((p.id for p in rest), name_places([(p.gps_lat, p.gps_lon) for p in rest])))
    out = []
    for c in sorted(clusters, key=lambda c: -len(c["members"])):
        times = [m.capture_ts for m in c["members"] if m.capture_ts is not None]
        out.append({"lat": round(c["center"][0], 5), "lon": round(c["center"][1], 5), "photos": len(c["members"]),
                    "ids": [m.id for m in c["members"]],
                    "name": album_place([named.get(m.id) for m in c["members"]]),
                    "first": _period(min(times), "%Y-%m-%d") if times else None,
                    "last": _period(max(times), "%Y-%m-%d") if times else None})
    return out


def _events(catalog) -> Optional[dict]:
    """Photos per event, counted the way the window shows them: only albums
    titled with an event (the user's label, or the model's when the title
    names it; a guess is no event), of the grouping the Albums view shows,
    each photo once; named as the window names events."""
    from ..albums.naming import event_albums, event_display_name

    try:
        groups = event_albums(catalog)
    except sqlite3.OperationalError:
        return None
    if not groups:
        return None
    taken = {r[0]: r[1] for r in catalog.db.execute("SELECT id, capture_ts FROM photos WHERE status = 'ok'")}
    counts, timeline = [], defaultdict(set)
    for event, albums in groups.items():
        photos: set[int] = set()
        for album in albums:
            photos |= {m.photo_id for m in catalog.album_photos(album.id) if m.photo_id in taken}
        for pid in photos:  # by the year each photo was taken, as the library's date filter reads it
            timeline[(_period(taken[pid], "%Y") or "undated", event)].add(pid)
        if photos:
            counts.append({"event": event, "name": event_display_name(event), "albums": len(albums),
                           "photos": len(photos)})
    counts.sort(key=lambda c: (-c["photos"], c["name"]))
    return {
        "counts": counts,
        "timeline": [{"period": k[0], "event": k[1], "name": event_display_name(k[1]), "photos": len(p)}
                     for k, p in sorted(timeline.items())],
    }


def _people(catalog, top_k: int) -> Optional[list[dict]]:
    """The people chart: the people store's counts (the People view's)."""
    try:
        people = catalog.people_by_photos(top_k)
    except sqlite3.OperationalError:
        return None
    if not people:
        return None
    return [{"person_id": p["id"], "name": p["name"], "owner": bool(p["owner"]), "photos": p["photos"],
             "faces": p["faces"]} for p in people]


def _curation(catalog, photos: list, signals: dict[int, dict]) -> dict:
    trashed_files = catalog.scalar("SELECT count(*) FROM photos WHERE status = 'trashed'") or 0
    by_id = {p.id: p for p in photos}
    kept = trashed = 0
    monthly: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    ids: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for pid, sig in signals.items():
        if not sig:
            continue
        label, _ = combine(sig)
        if label == 0.5:
            continue
        period = _period(by_id[pid].capture_ts) if pid in by_id else None
        if label > 0.5:
            kept += 1
            monthly[period or "undated"][0] += 1
            ids[period or "undated"][0].append(pid)
        else:
            trashed += 1
            monthly[period or "undated"][1] += 1
            ids[period or "undated"][1].append(pid)
    ratings = Counter(v for v in catalog.file_ratings().values())
    flags = dict(catalog.db.execute("SELECT flag, count(*) FROM photos WHERE status = 'ok' AND flag IS NOT NULL "
                                    "GROUP BY flag").fetchall())
    return {
        "kept": kept, "trashed": trashed, "files_in_trash": int(trashed_files),
        "picked": int(flags.get("pick", 0)), "rejected": int(flags.get("reject", 0)),
        "ratings": [{"stars": s, "photos": ratings.get(s, 0)} for s in (-1, 1, 2, 3, 4, 5)],
        "by_month": [{"period": k, "kept": v[0], "trashed": v[1], "kept_ids": ids[k][0], "trashed_ids": ids[k][1]}
                     for k, v in sorted(monthly.items())],
    }


def _ranked(names: list[str], *columns: tuple[str, np.ndarray], key: str, top_k: int, label: str) -> list[dict]:
    cols = dict(columns)
    order = np.argsort(-cols[key], kind="stable")[:top_k]
    return [{label: names[i], **{c: round(float(v[i]), 4) for c, v in cols.items()}} for i in order if cols[key][i] > 0]


def build_profile(catalog, top_k: int = 15) -> dict:
    """Chart series for the Insights view (see the module docstring)."""
    photos = catalog.photos()
    hashes = [p.content_hash for p in photos]
    concepts, has = catalog.feature_matrix(CONCEPT_MODEL, "concepts", hashes)
    with_concepts = [p for p, ok in zip(photos, has) if ok]
    concepts = concepts[has] if concepts.shape[1] else np.zeros((0, 1000), np.float32)
    logits_by_id = catalog.interest_logits([p.id for p in with_concepts])
    scored = np.array([p.id in logits_by_id for p in with_concepts], bool)
    logits = np.array([sum(logits_by_id.get(p.id, {}).values()) for p in with_concepts], np.float32)
    weights = attention_weights(logits[scored]) if scored.any() else None
    signals = per_photo_signals(catalog.decisions(), catalog.file_ratings())
    label_of = {pid: combine(s)[0] for pid, s in signals.items() if s}
    kept = np.array([label_of.get(p.id, 0.5) > 0.5 for p in with_concepts], bool)
    trashed = np.array([label_of.get(p.id, 0.5) < 0.5 for p in with_concepts], bool)

    group_names, grouped = squeeze_groups(concepts)
    library_c = aggregate(concepts)
    library_g = aggregate(grouped)
    weighted_c = aggregate(concepts[scored], weights) if weights is not None else library_c
    weighted_g = aggregate(grouped[scored], weights) if weights is not None else library_g
    kept_g = aggregate(grouped[kept]) if kept.any() else np.zeros(len(group_names), np.float32)
    trashed_g = aggregate(grouped[trashed]) if trashed.any() else np.zeros(len(group_names), np.float32)
    labels = _labels()
    groups = concept_groups()
    # The photos behind a subject (for a click on its bar): those it is the strongest in.
    ids = np.array([p.id for p in with_concepts], np.int64)
    top_concept = concepts.argmax(axis=1) if len(concepts) else np.zeros(0, np.int64)
    top_group = grouped.argmax(axis=1) if len(grouped) else np.zeros(0, np.int64)
    concept_rows = [{"concept": labels[i], "group": groups[i], "index": int(i),
                     "library": round(float(library_c[i]), 4), "interest": round(float(weighted_c[i]), 4),
                     "photo_ids": ids[top_concept == i].tolist()}
                    for i in np.argsort(-weighted_c, kind="stable")[:top_k] if weighted_c[i] > 0]
    group_rows = _ranked(group_names, ("library", library_g), ("interest", weighted_g), ("kept", kept_g),
                         ("trashed", trashed_g), key="interest", top_k=len(group_names), label="group")
    for row in group_rows:
        row["photo_ids"] = ids[top_group == group_names.index(row["group"])].tolist()

    all_interest = np.array([1 / (1 + math.exp(-sum(t.values())))
                             for t in catalog.interest_logits([p.id for p in photos]).values()], np.float32)
    counts, edges = np.histogram(all_interest, bins=10, range=(0.0, 1.0))
    return {
        "photos": len(photos),
        "with_concepts": len(with_concepts),
        "weighting": "interest attention" if weights is not None else "equal (no interest scores yet)",
        "concepts": concept_rows,
        "groups": group_rows,
        "curation": _curation(catalog, photos, signals),
        "events": _events(catalog),
        "people": _people(catalog, top_k),
        "places": places(photos, named=catalog.photo_places()),
        "interest": {"photos": int(len(all_interest)),
                     "mean": round(float(all_interest.mean()), 4) if len(all_interest) else None,
                     "histogram": [{"from": round(float(edges[i]), 2), "to": round(float(edges[i + 1]), 2),
                                    "photos": int(counts[i])} for i in range(len(counts))]},
    }

"""Choosing the photos of a story.

1. Leave out what must not or need not be shown: private photos (unless the
   preferences allow them), rejected ones, copies of one content, and every
   member of a series but its pick.
2. Score the rest: the albums model's importance and the interest score (as
   percentile ranks within the album, so models of different scales mix), a
   cheap quality proxy from the thumbnail when neither exists, small bonuses
   for the user's stars and for people.
3. Pick greedily for variety (maximal marginal relevance): each next photo is
   the best score minus its similarity to what is already chosen: near
   identical frames (backbone embeddings, else a colour layout), the same
   moment (capture time), the same place (GPS); a person not yet in the story
   earns a bonus.
4. Show them in capture order; the next best become the alternates the
   window offers for editing.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Optional

import numpy as np

from ..catalog.photos import Photo
from ..progress import CancelToken, ProgressCallback, ProgressMeter, no_progress
from .ffmpeg import StoryError
from .plan import DEFAULT_PHOTO_S, DEFAULT_TITLE_S, DEFAULT_TRANSITION_S, StoryPlan, StorySlide
from .signals import ThumbSignals, live_faces, percentile_ranks, thumb_focus, thumb_signals
from .sources import (Signals, StorySource, album_source, date_range_text, folder_source, gather_signals,
                      place_text)

EMBED_MODEL, EMBED_KIND = "effnet_lite0", "embedding"
MIN_AUTO_S, MAX_AUTO_S = 30.0, 90.0
MAX_STORY_PHOTOS = 150
MAX_ALTERNATES = 60
THUMB_BUDGET = 300  # at most this many thumbnails are read for the fallback signals

W_LOOKS, W_MOMENT, W_PLACE, W_PERSON = 0.45, 0.25, 0.10, 0.12


def photo_count_for(seconds: float, candidates: int) -> int:
    stride = DEFAULT_PHOTO_S - DEFAULT_TRANSITION_S
    fit = int((seconds - (DEFAULT_TITLE_S - DEFAULT_TRANSITION_S) - DEFAULT_TRANSITION_S) // stride)
    return max(1, min(fit, candidates, MAX_STORY_PHOTOS))


def auto_seconds(candidates: int) -> float:
    stride = DEFAULT_PHOTO_S - DEFAULT_TRANSITION_S
    natural = candidates * stride + DEFAULT_TITLE_S
    return min(MAX_AUTO_S, max(MIN_AUTO_S, natural))


def _exclude(photos: list[Photo], sig: Signals, allow_private: bool) -> tuple[list[Photo], dict[str, int]]:
    excluded = {"private": 0, "rejected": 0, "duplicates": 0, "series": 0}
    kept: list[Photo] = []
    seen_hashes: dict[str, Photo] = {}
    for p in sorted(photos, key=lambda p: (-(p.rating or 0), p.id)):
        if not allow_private and p.id in sig.private:
            excluded["private"] += 1
        elif p.rating is not None and p.rating < 0:
            excluded["rejected"] += 1
        elif p.content_hash in seen_hashes:
            excluded["duplicates"] += 1
        else:
            seen_hashes[p.content_hash] = p
            kept.append(p)
    # One photo per series: its pick when still here, else its best-ranked member.
    by_series: dict[int, list[Photo]] = {}
    out = []
    for p in kept:
        sid = sig.series_of.get(p.id)
        (by_series.setdefault(sid, []) if sid is not None else out).append(p)
    for sid, members in by_series.items():
        pick = sig.series_pick.get(sid)
        best = next((m for m in members if m.id == pick), None) or min(
            members, key=lambda m: (sig.series_rank.get(m.id, 10 ** 6), -(m.rating or 0), m.id))
        out.append(best)
        excluded["series"] += len(members) - 1
    out.sort(key=lambda p: (p.capture_ts is None, p.capture_ts or 0.0, p.id))
    return out, {k: v for k, v in excluded.items() if v}


def _thin_by_time(photos: list[Photo], budget: int) -> list[Photo]:
    """At most ``budget`` photos spread evenly over the capture order (rated
    ones are always kept): the fallback signals then stay cheap."""
    if len(photos) <= budget:
        return photos
    keep = {p.id for p in photos if (p.rating or 0) > 0}
    step = len(photos) / max(1, budget - len(keep))
    keep |= {photos[int(i * step)].id for i in range(budget - len(keep)) if int(i * step) < len(photos)}
    return [p for p in photos if p.id in keep]


def _cosine(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit = matrix / np.maximum(norms, 1e-9)
    return unit @ unit.T


def _looks_similarity(cos: np.ndarray) -> np.ndarray:
    """Cosine re-scaled by the album's own spread: only the most alike quarter
    of pairs counts as similar, near-identical pairs as 1."""
    n = len(cos)
    if n < 3:
        return np.clip(cos, 0, 1) ** 2
    off = cos[~np.eye(n, dtype=bool)]
    q = float(np.quantile(off, 0.75))
    return np.clip((cos - q) / max(1e-6, 1.0 - q), 0.0, 1.0) ** 2


def _haversine_km(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def select_from_source(catalog, settings, source: StorySource, *, seconds: Optional[float] = None,
                       count: Optional[int] = None, progress: ProgressCallback = no_progress,
                       cancel: Optional[CancelToken] = None) -> StoryPlan:
    cancel = cancel or CancelToken()
    allow_private = bool(getattr(getattr(settings, "prefs", None), "allow_private_in_exports", False))
    sig = gather_signals(catalog, source.photos)
    cands, excluded = _exclude(source.photos, sig, allow_private)
    if not cands:
        why = ", ".join(f"{v} {k}" for k, v in excluded.items()) or "no photos"
        raise StoryError(f"{source.title}: no photo can go into the story ({why})")

    # -- scores ----------------------------------------------------------------------
    imp = percentile_ranks({p.id: source.importance[p.id] for p in cands if p.id in source.importance})
    inter = percentile_ranks({p.id: sig.interest[p.id] for p in cands if p.id in sig.interest})
    hashes = [p.content_hash for p in cands]
    emb, has_emb = catalog.feature_matrix(EMBED_MODEL, EMBED_KIND, hashes)
    need_thumbs = not imp and not inter or has_emb.mean() < 0.8
    if need_thumbs:
        cands = _thin_by_time(cands, THUMB_BUDGET)
        hashes = [p.content_hash for p in cands]
        emb, has_emb = catalog.feature_matrix(EMBED_MODEL, EMBED_KIND, hashes)
    thumbs: dict[int, ThumbSignals] = {}
    thumbs_dir = getattr(settings, "thumbs_dir", None)
    if need_thumbs:
        meter = ProgressMeter("story selection", progress, total=len(cands))
        for p in cands:
            cancel.raise_if_cancelled()
            if (s := thumb_signals(p.path, thumbs_dir, p.content_hash)) is not None:
                thumbs[p.id] = s
            meter.advance()
    quality = percentile_ranks({pid: s.quality for pid, s in thumbs.items()}) if not imp and not inter else {}

    n = len(cands)
    base = np.zeros(n)
    for i, p in enumerate(cands):
        parts = [d[p.id] for d in (imp, inter, quality) if p.id in d]
        base[i] = sum(parts) / len(parts) if parts else 0.4
        if (p.rating or 0) >= 3:
            base[i] += 0.08 * (p.rating - 2)
        if sig.faces.get(p.content_hash):
            base[i] += 0.05

    # -- similarities -------------------------------------------------------------------
    looks = np.zeros((n, n))
    if has_emb.any():
        looks = np.where(np.outer(has_emb, has_emb), _looks_similarity(_cosine(emb.astype(np.float32))), 0.0)
    if thumbs and not has_emb.all():
        desc = np.stack([thumbs[p.id].descriptor if p.id in thumbs else np.zeros(192, np.float32) for p in cands])
        has_d = np.array([p.id in thumbs for p in cands]) & ~has_emb
        both = np.outer(has_d, has_d)
        looks = np.where(both, _looks_similarity(desc @ desc.T), looks)
    ts = np.array([p.capture_ts if p.capture_ts is not None else np.nan for p in cands], dtype=np.float64)
    known_t = ~np.isnan(ts)
    span = float(np.nanmax(ts) - np.nanmin(ts)) if known_t.sum() > 1 else 0.0
    want = count or photo_count_for(seconds or auto_seconds(n), n)
    want = max(1, min(want, n, MAX_STORY_PHOTOS))
    tau = max(120.0, span / (3 * want))
    dt = np.abs(np.subtract.outer(np.nan_to_num(ts), np.nan_to_num(ts)))
    moment = np.where(np.outer(known_t, known_t), np.exp(-dt / tau), 0.0)
    lat = np.array([p.gps_lat if p.gps_lat is not None else np.nan for p in cands])
    lon = np.array([p.gps_lon if p.gps_lon is not None else np.nan for p in cands])
    has_gps = ~np.isnan(lat) & ~np.isnan(lon)
    place = np.zeros((n, n))
    if has_gps.sum() > 1:
        dist = _haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
        spread = float(np.nanmax(dist[np.outer(has_gps, has_gps)]))
        d0 = max(0.3, spread / (2 * want))
        place = np.where(np.outer(has_gps, has_gps), np.exp(-np.nan_to_num(dist) / d0), 0.0)
    people = [sig.people.get(p.content_hash, set()) for p in cands]

    # -- greedy selection for variety --------------------------------------------------------
    order: list[int] = []
    reasons: dict[int, str] = {}
    gains: dict[int, float] = {}
    max_looks, max_moment, max_place = np.zeros(n), np.zeros(n), np.zeros(n)
    covered: set[int] = set()
    chosen = np.zeros(n, bool)
    for _ in range(min(n, want + MAX_ALTERNATES)):
        new_people = np.array([min(len(pp - covered), 2) / 2 for pp in people])
        gain = (base + W_PERSON * new_people - W_LOOKS * max_looks - W_MOMENT * max_moment
                - W_PLACE * max_place)
        gain[chosen] = -np.inf
        i = int(np.argmax(gain))
        chosen[i] = True
        order.append(i)
        gains[i] = float(gain[i])
        reasons[i] = _reason(cands[i], imp, inter, quality, new_people[i], max_moment[i], max_looks[i])
        covered |= people[i]
        max_looks = np.maximum(max_looks, looks[i])
        max_moment = np.maximum(max_moment, moment[i])
        max_place = np.maximum(max_place, place[i])

    def slide(i: int) -> StorySlide:
        p = cands[i]
        return StorySlide(
            path=p.path, photo_id=p.id, content_hash=p.content_hash, capture_ts=p.capture_ts,
            capture_time=p.capture_time, width=p.width, height=p.height, score=round(gains[i], 4),
            importance=source.importance.get(p.id), reason=reasons[i],
            faces=list(sig.faces.get(p.content_hash, [])),
        )

    picked = [slide(i) for i in order[:want]]
    for s in picked:  # faces not analysed yet are found now; else a saliency focus
        cancel.raise_if_cancelled()
        if not s.faces and s.content_hash in sig.faces_unknown:
            s.faces = live_faces(s.path, thumbs_dir, s.content_hash)
        if not s.faces:
            s.focus = thumb_focus(s.path, thumbs_dir, s.content_hash)
    plan = StoryPlan(
        title=source.title, dates=date_range_text(source.photos),
        place=source.place or place_text(catalog, source.photos, settings.cache_dir), album_id=source.album_id,
        slides=picked, alternates=[slide(i) for i in order[want:]], excluded=excluded,
    )
    plan.sort_by_time()
    if seconds:
        plan.fit_to_seconds(seconds)
    elif not count:
        plan.fit_to_seconds(auto_seconds(n))
    return plan


def _reason(p: Photo, imp, inter, quality, new_people: float, moment: float, looks: float) -> str:
    parts = []
    for label, ranks in (("importance", imp), ("interest", inter), ("sharpness/exposure", quality)):
        if ranks.get(p.id, 0.0) >= 0.5:
            parts.append(f"{label} in the album's top {max(1, math.ceil((1 - ranks[p.id]) * 100))}%")
    if (p.rating or 0) >= 3:
        parts.append(f"{p.rating} stars")
    if new_people > 0:
        parts.append("someone not shown yet")
    if moment < 0.3:
        parts.append("a moment not shown yet")
    elif looks < 0.1:
        parts.append("unlike the photos already chosen")
    return "; ".join(parts) or "fills the story"


def select_story(catalog, settings, album_id: int, *, seconds: Optional[float] = None,
                 count: Optional[int] = None, progress: ProgressCallback = no_progress,
                 cancel: Optional[CancelToken] = None) -> StoryPlan:
    """The story of an album of the albums stage, with the best highlights of
    the videos taken during it."""
    plan = select_from_source(catalog, settings, album_source(catalog, album_id), seconds=seconds,
                              count=count, progress=progress, cancel=cancel)
    return _with_highlights(catalog, plan, seconds, count)


def _with_highlights(catalog, plan: StoryPlan, seconds: Optional[float], count: Optional[int],
                     folder: Optional[str] = None) -> StoryPlan:
    from .clips import add_highlights

    if add_highlights(catalog, plan, folder) and seconds:
        plan.fit_to_seconds(seconds)
    return plan


def select_story_for_folder(catalog, settings, folder, *, seconds: Optional[float] = None,
                            count: Optional[int] = None, progress: ProgressCallback = no_progress,
                            cancel: Optional[CancelToken] = None) -> StoryPlan:
    """The story of every catalogued photo in ``folder`` (and its subfolders)
    and the highlights of the videos there."""
    plan = select_from_source(catalog, settings, folder_source(catalog, folder), seconds=seconds,
                              count=count, progress=progress, cancel=cancel)
    return _with_highlights(catalog, plan, seconds, count, str(Path(folder).expanduser().resolve()))

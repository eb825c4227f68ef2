"""Making albums: group, store (keeping ids and corrections), label, score.

    build_albums(catalog, settings, mode="auto", progress, cancel) -> summary
    correct_event(catalog, album_id, "Wedding")   # the user's one action

Idempotent: an album is labelled again only when its photos, their features,
their series or the event model changed (its ``signature``).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Optional

import numpy as np

from ..progress import CancelToken, ProgressCallback, ProgressMeter, no_progress
from ..settings import Settings
from . import teacher
from .context import album_context, context_signature
from .events import FEATURE_KIND, FEATURE_MODEL, EventModel, model_version, weights_path
from .evidence import describe, features, load_combiner
from .geo import album_place, find_home, update_photo_places
from .importance import album_importance, interest_scores
from .segment import Group, PhotoPoint, SegmentParams, group_photos
from .titles import album_dates, compose_title, coordinates_place, dated_members, folder_name, has_real_date
from .trips import join_trips
from .words import update_photo_words

log = logging.getLogger(__name__)

MODES = ("auto", "folders", "time")
PREF_MODE = "albums_from"
EVENT_IN_TITLE = 0.5  # the model's event is named in a title only when at least this sure
# ... and only for an album of at least this many photos: the model was trained
# on albums of 4-120 photos (synth.SynthConfig.album_min), so what it says about
# one to three photos (a folder of two portraits came out "Wedding 0.72") is
# outside anything it learned.
MIN_EVENT_PHOTOS = 4
# Part of every album's signature: bump when titles or labelling change without
# new weights, so existing catalogs are labelled and titled again once.
# 2: dates from real capture dates only ("file dates ..." otherwise).
# 3: no event named for albums under MIN_EVENT_PHOTOS.
# 4: place names from the gazetteer, no camera / upload ids, no file dates,
#    trips, events from the model and the album's evidence (issue 18).
LABELS_VERSION = 4


def event_unnamed_reason(event_p: Optional[float], photo_count: int) -> Optional[str]:
    """Why the model's top event is not named as an album's event (in its
    title, its XMP keywords, the window), or None when it is. One rule for
    every place that shows an album's event; a label the user chose is
    always named."""
    if photo_count < MIN_EVENT_PHOTOS:
        return "too few photos to tell"
    if event_p is None or event_p < EVENT_IN_TITLE:
        return "no clear event"
    return None


def default_mode(catalog) -> str:
    mode = catalog.get_pref(PREF_MODE, "auto")
    return mode if mode in MODES else "auto"


def _proposals(catalog, settings: Settings, mode: str, params: SegmentParams):
    from .queries import AlbumProposal

    photos = catalog.photos()
    folders = catalog.folder_paths()
    folder_ids = {path: fid for fid, path in folders.items()}
    by_id = {p.id: p for p in photos}
    places = catalog.photo_places()
    home = find_home(catalog, photos, places, settings.prefs.home_place, settings.cache_dir)
    points = [PhotoPoint(p.id, p.capture_ts, p.gps_lat, p.gps_lon, folders.get(p.folder_id, ""), p.content_hash,
                         p.capture_time[:10] if has_real_date(p) else "")
              for p in photos]
    groups: list[Group] = join_trips(group_photos(points, mode, params), home.is_away if home else None)
    proposals = []
    for g in groups:
        if not g.photos:
            continue
        members = [by_id[pt.id] for pt in g.photos]
        coords = [(p.gps_lat, p.gps_lon) for p in members if p.gps_lat is not None and p.gps_lon is not None]
        # The town(s) in words; the coordinates only where no town is near (at sea).
        place = album_place([places.get(p.id) for p in members], home)
        named_any = any(places.get(p.id) is not None and places[p.id].city for p in members)
        if place is None and not named_any and len(coords) >= max(1, len(members) // 4):
            place = coordinates_place(coords)  # GPS far from any town (at sea), on enough of the album
        # The album's span from real capture dates when it has any (file times of copies are not dates).
        times = [p.capture_ts for p in dated_members(members)[0] if p.capture_ts is not None]
        proposals.append(AlbumProposal(
            key=g.key, source=g.source, folder_id=folder_ids.get(g.folder), photo_ids=tuple(p.id for p in members),
            content_hashes=tuple(p.content_hash for p in members), place=place,
            start_ts=min(times) if times else None, end_ts=max(times) if times else None))
    return proposals, by_id, places


def _title(info, members, event: Optional[str], event_p: float, folders: Optional[dict] = None) -> str:
    dates = album_dates(members)
    name = None
    if info.user_event:
        name = teacher.event_display_name(info.user_event)
    elif event and event_unnamed_reason(event_p, len(members)) is None:
        name = teacher.event_display_name(event)
    # A folder someone named names its album; a camera's or an upload's id does not.
    given = folder_name(folders.get(info.folder_id, "")) if folders and info.source == "folder" else None
    return compose_title(name, info.place, dates, given)


def _signature(version: str, hashes: list[str], has_feature: np.ndarray, series: list, context: str = "") -> str:
    h = hashlib.sha1(f"{version}|labels-{LABELS_VERSION}|{context}".encode())
    for ch, ok in zip(hashes, has_feature):
        h.update(f"{ch}:{int(ok)};".encode())
    h.update(repr(series).encode())
    return h.hexdigest()


def build_albums(catalog, settings: Settings, mode: Optional[str] = None, progress: ProgressCallback = no_progress,
                 cancel: Optional[CancelToken] = None, model: Optional[EventModel] = None,
                 params: SegmentParams = SegmentParams(), relabel: bool = False) -> dict:
    cancel = cancel or CancelToken()
    mode = mode or default_mode(catalog)
    if mode not in MODES:
        raise ValueError(f"albums mode must be one of {MODES}, not {mode!r}")
    # Inputs of titles and evidence first: the towns of GPS photos, the words in photos with text.
    named = update_photo_places(catalog, settings.cache_dir)
    read = update_photo_words(catalog, settings.prefs.max_megapixels, cancel, progress)
    proposals, by_id, places = _proposals(catalog, settings, mode, params)
    synced = catalog.sync_albums(mode, proposals)
    folders = catalog.folder_paths()
    combiner = load_combiner()
    cancel.raise_if_cancelled()
    if model is None:
        if weights_path(settings).exists():
            model = EventModel(settings)
        else:  # albums without events rather than no albums
            log.warning("no event model weights at %s; albums get no event labels", weights_path(settings))
    version = model.version if model is not None else model_version(settings)
    series_rank: dict[int, tuple[int, int]] = {}
    for s in catalog.series_list():
        for m in s.members:
            series_rank[m.photo_id] = (s.id, m.rank)
    interest = interest_scores(catalog, list(by_id))
    all_hashes = [p.content_hash for p in by_id.values()]
    words = catalog.photo_words(all_hashes)
    faces = catalog.face_counts(all_hashes)
    todo = []
    for info in catalog.albums(mode):
        members = [by_id[ap.photo_id] for ap in catalog.album_photos(info.id) if ap.photo_id in by_id]
        hashes = [p.content_hash for p in members]
        concepts, has = catalog.feature_matrix(FEATURE_MODEL, FEATURE_KIND, hashes)
        series = [(series_rank.get(p.id), interest.get(p.id)) for p in members]
        ctx = album_context(members, places, words, faces)
        sig = _signature(version, hashes, has, series, context_signature(ctx, combiner.version))
        if relabel or sig != info.signature:
            todo.append((info, members, concepts[has] if concepts.shape[1] else concepts[:0], has, sig, ctx))
    meter = ProgressMeter("albums", progress, total=len(todo))
    labelled = failed_photos = 0
    chunk = 256
    for start in range(0, len(todo), chunk):
        cancel.raise_if_cancelled()
        part = todo[start:start + chunk]
        # (No photo with features in this chunk: nothing to run, and no model export to wait for.)
        preds = model.predict([t[2] for t in part], cancel) if model is not None and any(len(t[2]) for t in part) \
            else [None] * len(part)
        for (info, members, concepts, has, sig, ctx), pred in zip(part, preds):
            ids_with = [p.id for p, ok in zip(members, has) if ok]
            failed_photos += int((~has).sum())
            photos_out = [(p.id, None, None, None, None) for p, ok in zip(members, has) if not ok]
            if pred is None:
                catalog.save_album_labels(info.id, title=_title(info, members, None, 0.0, folders), event=None,
                                          event_scores={}, signature=sig, model_version=version, photos=photos_out)
            else:
                # The model's probabilities, moved by the album's evidence (text, calendar, people...).
                model_event, model_p = pred.top_event()
                feats = features(ctx)
                probs = combiner.combine(pred.event_probs, feats)
                labels = teacher.event_labels()
                event = labels[int(np.argmax(probs))]
                p = float(probs.max())
                evidence = [{"source": "model", "text": f"the photos: {teacher.event_display_name(model_event)} "
                                                        f"{model_p:.0%}", "event": model_event, "p": round(model_p, 4)}]
                evidence += describe(ctx, event, feats, combiner)
                scored = album_importance(ids_with, pred.importance_head, pred.attention, probs,
                                          pred.photo_event_probs, series_rank, interest)
                photos_out += [(s.photo_id, s.importance, s.attention, s.head, s.confidence) for s in scored]
                catalog.save_album_labels(info.id, title=_title(info, members, event, p, folders), event=event,
                                          event_scores={l: round(float(q), 4) for l, q in zip(labels, probs)},
                                          signature=sig, model_version=version, photos=photos_out,
                                          evidence=evidence, event_confidence=round(p, 4))
            labelled += 1
            meter.advance(1, info.place or "")
    meter.emit("done")
    from ..video.albums import assign_album_videos

    videos = assign_album_videos(catalog)  # videos join the albums as they now are
    return {"mode": mode, "videos": videos, "albums": len(proposals), "created": synced["created"],
            "kept": synced["kept"],
            "removed": synced["removed"], "labelled": labelled, "photos_without_features": failed_photos,
            "photos_placed": named, "photos_read": read,
            "model": version if model is not None else None}


def correct_event(catalog, album_id: int, label: Optional[str]) -> None:
    """The user's one action: this album is a ``label`` (None: trust the model
    again). Logged as a decision for ``train-events``; the title follows."""
    catalog.set_album_event(album_id, label)
    info = catalog.album(album_id)
    members = catalog.photos(ids=[ap.photo_id for ap in catalog.album_photos(album_id)])
    top = max(info.event_scores.values()) if info.event_scores else 0.0
    catalog.set_album_title(album_id, _title(info, members, info.model_event, top, catalog.folder_paths()))

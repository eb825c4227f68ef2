"""photoorg albums: albums with their event and each photo's importance.

    photoorg albums [--from folders|time|auto] [--json]
    photoorg albums --set-event ALBUM LABEL     (the user's correction; "none" clears it)
"""

from __future__ import annotations

from ..wording import count
import argparse
import dataclasses
from typing import Optional

from ..albums.build import MODES, PREF_MODE, build_albums, correct_event, default_mode
from ..albums.evidence import evidence_text
from ..albums.geo import album_place
from ..albums.importance import interest_scores
from ..albums.naming import guess_text, named_event
from ..albums.titles import has_real_date
from ..albums.teacher import event_display_name, event_labels
from ..errors import PhotoOrgError
from .common import Context, ProgressPrinter


class UnknownAlbum(PhotoOrgError):
    """No album with that id."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("albums", help="albums with event labels and per-photo importance")
    p.add_argument("--from", dest="source", choices=MODES, default=None,
                   help="folders: each folder is an album; time: events cut from capture times and GPS; "
                        "auto: folders, with camera-roll folders cut by time (default: the saved choice, auto)")
    p.add_argument("--set-event", nargs=2, metavar=("ALBUM", "LABEL"), default=None,
                   help=f"correct an album's event (one of {', '.join(event_labels())}, or none)")
    p.add_argument("--home", default=None, metavar="PLACE",
                   help='where you live ("Lyon, France", "Lyon" or "45.76, 4.84"; "none": the library\'s most '
                        'frequent town), so that consecutive days away become one trip album; saved')
    p.add_argument("--top", type=int, default=0, metavar="N",
                   help="text output: list only the N most important photos of each album")
    p.set_defaults(func=run)


def album_days(catalog, info, places: dict) -> list[dict]:
    """The album's days in capture order (a trip's day sections): local date,
    the place in words, the photos. Photos without a real capture date are
    left out of the days (they are still in ``photos``)."""
    members = catalog.photos(ids=[ap.photo_id for ap in catalog.album_photos(info.id)], order="capture")
    by_day: dict[str, list] = {}
    for p in members:
        if has_real_date(p):
            by_day.setdefault(p.capture_time[:10], []).append(p)
    return [{"date": day, "place": album_place([places.get(p.id) for p in ps]), "photos": [p.path for p in ps]}
            for day, ps in sorted(by_day.items())]


def album_json(catalog, info, interest: dict, places: Optional[dict] = None) -> dict:
    photos = catalog.album_photos(info.id, order="importance")
    places = catalog.photo_places() if places is None else places
    return {
        "id": info.id, "title": info.title, "event": info.event,
        "event_source": "user" if info.user_event else ("model" if info.event else None),
        "event_confidence": info.event_confidence if not info.user_event else None,
        "event_evidence": evidence_text(info.evidence) or None,
        "evidence": list(info.evidence),
        "event_scores": dict(sorted(info.event_scores.items(), key=lambda kv: -kv[1])),
        "source": info.source, "place": info.place,
        "days": album_days(catalog, info, places),
        "photos": [{"path": ph.path, "importance": None if ph.importance is None else round(ph.importance, 4),
                    "interest": interest.get(ph.photo_id),
                    "attention": None if ph.attention is None else round(ph.attention, 4)} for ph in photos],
        "videos": _album_videos(catalog, info.id),
    }


def _album_videos(catalog, album_id: int) -> list[dict]:
    """The album's videos, as stored (engine/video/albums.py: its folder's, or by capture time)."""
    from ..video.store import album_videos, videos_json_brief

    return videos_json_brief(album_videos(catalog, album_id))


def run(ctx: Context) -> int:
    printer = ProgressPrinter(quiet=False)
    with ctx.open() as catalog:
        mode = ctx.args.source or default_mode(catalog)
        if ctx.args.set_event:
            album_id, label = ctx.args.set_event
            try:
                album_id = int(album_id)
            except ValueError:
                raise UnknownAlbum(f"album id must be a number, not {album_id!r}") from None
            if catalog.album(album_id) is None:
                raise UnknownAlbum(f"no album {album_id}; list them with 'photoorg albums'")
            label = None if label.lower() == "none" else label
            if label is not None and label not in event_labels():
                raise UnknownAlbum(f"unknown event {label!r}; one of: {', '.join(event_labels())}")
            correct_event(catalog, album_id, label)
            mode = catalog.album(album_id).mode
        else:
            if ctx.args.source:
                catalog.set_pref(PREF_MODE, mode)
            if ctx.args.home is not None:
                home = None if ctx.args.home.strip().lower() in ("", "none") else ctx.args.home.strip()
                catalog.set_pref("preferences", {**catalog.get_pref("preferences", {}), "home_place": home})
                ctx.settings = ctx.settings.with_prefs(dataclasses.replace(ctx.settings.prefs, home_place=home))
            build_albums(catalog, ctx.settings, mode, printer, ctx.cancel)
        printer.finish()
        albums = catalog.albums(mode)
        all_ids = [ap.photo_id for a in albums for ap in catalog.album_photos(a.id)]
        interest = interest_scores(catalog, all_ids)
        places = catalog.photo_places()
        data = {"mode": mode, "albums": [album_json(catalog, a, interest, places) for a in albums]}
        titled = {a.id: named_event(a) for a in albums}
    lines = []
    for a in data["albums"]:
        scores = ", ".join(f"{event_display_name(k)} {v:.2f}" for k, v in list(a["event_scores"].items())[:3])
        days = f", {len(a['days'])} days" if len(a["days"]) > 1 else ""
        videos = f", {count(len(a['videos']), 'video')}" if a["videos"] else ""
        lines.append(f"[{a['id']}] {a['title']}  ({count(len(a['photos']), 'photo')}{videos}{days})"
                     + (f"\n    event: {_event_text(a, titled.get(a['id']))}; {scores}" if a["event"] else "")
                     + (f"\n    evidence: {a['event_evidence']}" if a["event_evidence"] else ""))
        for ph in a["photos"][:ctx.args.top or 0]:
            imp = "-" if ph["importance"] is None else f"{ph['importance']:.2f}"
            lines.append(f"    {imp}  {ph['path']}")
    ctx.emit(data, "\n".join(lines) or "no albums (scan a folder first)")
    return 0


def _event_text(album: dict, titled: Optional[str]) -> str:
    """The event as the window says it (``albums.naming``): 'Nature trip
    (model)' where the title names it, else 'no clear event (best guess
    Halloween 45%)', a guess under the shown threshold left out."""
    if titled:
        return f"{event_display_name(titled)} ({album['event_source']})"
    return guess_text("no clear event", event_display_name(album["event"]),
                      album["event_scores"].get(album["event"]))

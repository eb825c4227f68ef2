"""What a story is made from: the album's photos and what the catalog knows
about them (importance, interest, series, faces, privacy).

Every other domain is read through its catalog mixin; a domain whose stage
has not run yet simply contributes nothing, so a story can be made right
after a scan and gets better as the analysis completes.
"""

from __future__ import annotations

import re
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Optional

from ..catalog.photos import Photo
from .ffmpeg import StoryError
from .plan import Box



@dataclass
class StorySource:
    """An album (or a folder, or any list of photos) to tell as a story."""

    title: str
    photos: list[Photo]
    album_id: Optional[int] = None
    place: str = ""
    importance: dict[int, float] = field(default_factory=dict)  # photo id -> albums model importance


@dataclass
class Signals:
    """Per-photo facts from the other domains, keyed by photo id / content hash."""

    interest: dict[int, float] = field(default_factory=dict)
    series_of: dict[int, int] = field(default_factory=dict)  # photo id -> series id
    series_pick: dict[int, Optional[int]] = field(default_factory=dict)  # series id -> pick photo id
    series_rank: dict[int, int] = field(default_factory=dict)  # photo id -> rank in its series
    faces: dict[str, list[Box]] = field(default_factory=dict)  # content hash -> face boxes
    people: dict[str, set[int]] = field(default_factory=dict)  # content hash -> person ids
    private: set[int] = field(default_factory=set)  # photo ids
    # contents the faces stage has not looked at yet (their faces are unknown)
    faces_unknown: set[str] = field(default_factory=set)


# -- album / folder / photo list -------------------------------------------------
def pretty_folder_title(folder: Path) -> str:
    name = folder.name or str(folder)
    name = name.replace("_", " ").replace("-", " ").strip()
    return name[:1].upper() + name[1:] if name else str(folder)


def folder_source(catalog, folder: os.PathLike | str) -> StorySource:
    """All catalogued photos in ``folder`` and its subfolders."""
    root = Path(os.path.abspath(os.path.expanduser(os.fsdecode(folder))))
    # The scanner stores absolute paths as given (abspath); a folder reached
    # through a symbolic link is matched by its real path too.
    prefixes = tuple({str(root).rstrip(os.sep) + os.sep, os.path.realpath(root).rstrip(os.sep) + os.sep})
    photos = [p for p in catalog.photos(order="capture") if p.path.startswith(prefixes)]
    if not photos:
        raise StoryError(f"no catalogued photos in {root}; run 'photoorg scan {root}' first")
    return StorySource(title=pretty_folder_title(root), photos=photos)


def photos_source(catalog, photo_ids: list[int], title: str) -> StorySource:
    photos = catalog.photos(ids=photo_ids, order="capture")
    if not photos:
        raise StoryError("none of the chosen photos is in the catalog any more")
    return StorySource(title=title, photos=photos)


def album_source(catalog, album_id: int) -> StorySource:
    """An album of the albums stage, with its per-photo importance."""
    album = catalog.album(album_id)
    if album is None:
        raise StoryError(f"no album {album_id}; 'photoorg albums' lists them")
    members = catalog.album_photos(album_id)
    importance = {m.photo_id: float(m.importance) for m in members if m.importance is not None}
    photos = catalog.photos(ids=[m.photo_id for m in members], order="capture")
    if not photos:
        raise StoryError(f"album {album_id} ({album.title}) has no photos that are still in the library")
    return StorySource(title=card_title(album.title) or f"Album {album_id}", photos=photos, album_id=album_id,
                       place=album.place or "", importance=importance)


def find_album(catalog, ref: str) -> Optional[int]:
    """An album id from what a person calls it (``albums.naming``: the id, the
    title as shown, its folder, an unambiguous part of the title); raises
    with the candidates when the name fits several albums."""
    from ..albums.naming import resolve_album

    return resolve_album(catalog, ref)


# -- signals of the other domains ----------------------------------------------------
def gather_signals(catalog, photos: list[Photo]) -> Signals:
    sig = Signals()
    ids = {p.id for p in photos}
    hashes = list({p.content_hash for p in photos})
    try:
        for info in catalog.series_list(kind="series"):
            members = [m for m in info.members if m.photo_id in ids]
            if len(members) < 2:
                continue
            sig.series_pick[info.id] = info.pick_photo_id
            for m in members:
                sig.series_of[m.photo_id] = info.id
                if m.rank is not None:
                    sig.series_rank[m.photo_id] = m.rank
    except AttributeError:
        pass
    _read_optional(sig, catalog, ids, hashes)
    return sig


def _read_optional(sig: Signals, catalog, ids: set[int], hashes: list[str]) -> None:
    """Interest, faces and privacy, read through their stores (empty where
    a stage has not run yet)."""
    sig.interest = {pid: float(v) for pid, v in catalog.interest_scores(sorted(ids)).items() if v is not None}
    by_hash: dict[str, int] = {}
    for pid in sorted(ids):
        for face in catalog.faces_of_photo(pid):
            if face.content_hash in by_hash and by_hash[face.content_hash] != pid:
                break  # another copy of this content already gave its faces
            by_hash[face.content_hash] = pid
            x, y, w, h = face.box
            sig.faces.setdefault(face.content_hash, []).append((x, y, x + w, y + h))
            if face.person_id is not None:
                sig.people.setdefault(face.content_hash, set()).add(face.person_id)
    from ..faces.stage import NAME, VERSION

    undetected = {p.content_hash for p in catalog.photos_needing_stage(NAME, VERSION)}
    sig.faces_unknown = {h for h in hashes if h in undetected}
    sig.private = {p.photo_id for p in catalog.privacy_list(only_private=True, photo_ids=ids)}


# -- title card text ----------------------------------------------------------------------
def _local_date(p: Photo) -> Optional[datetime]:
    if p.capture_time:
        try:
            return datetime.fromisoformat(p.capture_time[:19])
        except ValueError:
            pass
    if p.capture_ts is not None:
        return datetime.fromtimestamp(p.capture_ts)
    return None


def card_title(title: Optional[str]) -> str:
    """An album title for the title card, without the "file dates ..." part
    older catalogs put in titles (a file's time is not when a photo was taken)."""
    parts = [p for p in (title or "").split(" · ") if not p.strip().lower().startswith("file dates")]
    return " · ".join(re.sub(r",?\s*file dates\b.*$", "", p, flags=re.I) for p in parts).strip(" ·,")


def date_range_text(photos: list[Photo]) -> str:
    """'3 May 2019', '3 - 5 May 2019', '28 Apr - 5 May 2019', 'Dec 2018 - Jan 2019'.
    A file's modification time is no date of the photos (a copy has today's
    date): with no better source the card shows no dates at all, as the
    album titles do (``albums.titles.album_dates``)."""
    dated = [p for p in photos if p.capture_source != "mtime"]
    dates = sorted(d for d in (_local_date(p) for p in dated) if d is not None)
    if not dates:
        return ""
    a, b = dates[0], dates[-1]
    if a.date() == b.date():
        return f"{a.day} {a:%B %Y}"
    if (b - a).days > 62:
        return f"{a:%b %Y} - {b:%b %Y}" if a.year != b.year or a.month != b.month else f"{a:%B %Y}"
    if a.year == b.year and a.month == b.month:
        return f"{a.day} - {b.day} {a:%B %Y}"
    if a.year == b.year:
        return f"{a.day} {a:%b} - {b.day} {b:%b %Y}"
    return f"{a.day} {a:%b %Y} - {b.day} {b:%b %Y}"


def place_text(catalog, photos: list[Photo], cache_dir=None) -> str:
    """The photos' place in words for the title card ("Arezzo", "Lyon &
    Paris"): the towns the albums stage stored, or named now from the offline
    gazetteer for photos it has not seen; the coordinates only where no town
    is near."""
    from ..albums.geo import album_place
    from ..albums.places import name_places

    located = [p for p in photos if p.gps_lat is not None and p.gps_lon is not None]
    if not located:
        return ""
    stored = catalog.photo_places([p.id for p in located])
    rest = [p for p in located if p.id not in stored]
    named = list(stored.values()) + name_places([(p.gps_lat, p.gps_lon) for p in rest], cache_dir)
    return album_place(named) or coordinates_text(photos)


def coordinates_text(photos: list[Photo]) -> str:
    """The median GPS position, when the photos have one (where no town is near)."""
    pts = sorted((p.gps_lat, p.gps_lon) for p in photos if p.gps_lat is not None and p.gps_lon is not None)
    if not pts:
        return ""
    lats = sorted(a for a, _ in pts)
    lons = sorted(b for _, b in pts)
    lat, lon = lats[len(lats) // 2], lons[len(lons) // 2]
    return f"{abs(lat):.2f}\u00b0 {'N' if lat >= 0 else 'S'}, {abs(lon):.2f}\u00b0 {'E' if lon >= 0 else 'W'}"

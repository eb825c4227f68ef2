"""Album titles: the event, a place and the dates, said honestly.

There is no geocoder offline, so the place is the folder's name when the
folder is an album someone named, or else the rounded coordinates of the
album's centre ("around 43.5°N 11.9°E"); never an invented town name.

Dates come from the photos' real capture dates (EXIF, XMP, GPS, a dated
file name). A photo without one has only its file time (capture_source
"mtime"), which is the day it was copied as often as the day it was taken:
a folder of old photos copied today would read "Jan 1998 – Nov 2026". So file
times count only when no photo of the album has a real date, and the title
then says "file dates ..." rather than passing them off as capture dates.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import PurePath
from typing import Optional, Sequence

from .segment import DUMP_NAME

# A folder name that is only a date or a camera counter says nothing about a place.
_DATEISH = re.compile(r"^[\d\s._\-]+$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def folder_place(folder: str) -> Optional[str]:
    name = PurePath(folder).name.strip() if folder else ""
    if not name or DUMP_NAME.match(name) or _DATEISH.match(name):
        return None
    # "2019-05-03 Rome trip" -> "Rome trip"
    cleaned = re.sub(r"^[\d]{4}[\d._\- ]*", "", name).strip(" -_.") or name
    return cleaned


def coordinates_place(coords: Sequence[tuple[float, float]]) -> Optional[str]:
    if not coords:
        return None
    lat = sum(c[0] for c in coords) / len(coords)
    lon = sum(c[1] for c in coords) / len(coords)
    ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
    return f"around {abs(lat):.1f}°{ns} {abs(lon):.1f}°{ew}"


def _parse(local: Optional[str]) -> Optional[datetime]:
    if not local:
        return None
    try:
        return datetime.fromisoformat(local[:19])
    except ValueError:
        return None


def date_range(first_local: Optional[str], last_local: Optional[str]) -> Optional[str]:
    """"22 Oct 2008", "3–5 May 2019", "30 Apr – 2 May 2019", "Dec 2018 – Jan 2019"."""
    a, b = _parse(first_local), _parse(last_local) or _parse(first_local)
    if a is None:
        return None
    if b < a:
        a, b = b, a

    def day(d: datetime, year: bool = True) -> str:
        return f"{d.day} {_MONTHS[d.month - 1]}" + (f" {d.year}" if year else "")

    if a.date() == b.date():
        return day(a)
    if (b - a).days > 62:
        return f"{_MONTHS[a.month - 1]} {a.year} – {_MONTHS[b.month - 1]} {b.year}"
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{day(b)}"
    if a.year == b.year:
        return f"{day(a, year=False)} – {day(b)}"
    return f"{day(a)} – {day(b)}"


FILE_TIME_SOURCES = frozenset({"mtime"})  # capture_source values that are a file's time, not a capture date
FILE_DATES = "file dates"


def has_real_date(photo) -> bool:
    """Whether ``photo`` (capture_time, capture_source) has a capture date
    from the photo itself rather than its file's time."""
    return bool(getattr(photo, "capture_time", None)) and getattr(photo, "capture_source", None) not in FILE_TIME_SOURCES


def dated_members(photos: Sequence) -> tuple[list, bool]:
    """The photos whose times an album's dates should use, and whether those
    are real capture dates: the photos with one when any has; else every
    photo with a (file) time."""
    real = [p for p in photos if has_real_date(p)]
    if real:
        return real, True
    return [p for p in photos if getattr(p, "capture_time", None)], False


def album_dates(photos: Sequence) -> Optional[str]:
    """The dates part of an album's title from its photos (objects with
    ``capture_time`` and ``capture_source``): the range of the real capture
    dates; "file dates ..." when only file times exist; None when neither."""
    used, real = dated_members(photos)
    if not used:
        return None
    times = [p.capture_time for p in used]
    dates = date_range(min(times), max(times))
    if dates is None or real:
        return dates
    return f"{FILE_DATES} {dates}"


def compose_title(event_name: Optional[str], place: Optional[str], dates: Optional[str]) -> str:
    parts = [p for p in (event_name, place, dates) if p]
    return " · ".join(parts) if parts else "Untitled album"

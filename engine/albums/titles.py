"""Album titles as a person writes them: "Orlando, 12–14 May 2013",
"Birthday · Lyon, 3 Mar 2019", "Rome trip · 3–5 May 2019".

- The event, when the model is sure (build.event_unnamed_reason).
- The folder's name only when a person gave it: never a camera's or an
  upload's id (``DCIM/100APPLE``, ``100CANON``, ``0_64041142@N00``,
  ``IMG_1234``), nor a bare date (the dates part says it better).
- The place in words from the photos' GPS (geo.album_place: the offline
  gazetteer's town); the rounded coordinates only where no town is near.
- Dates from the photos' real capture dates (EXIF, XMP, GPS, a dated file
  name) only. A photo without one has only its file time (capture_source
  "mtime"), the day it was copied as often as the day it was taken (a folder
  of old photos copied today would read "Jan 1998 – Nov 2026"); an album
  whose photos have no real date says nothing about dates rather than show
  a copy date.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import PurePath
from typing import Optional, Sequence

from .segment import DUMP_NAME

# A folder name that is only a date or a camera counter says nothing about a place.
_DATEISH = re.compile(r"^[\d\s._\-]+$")
# Names machines give folders: camera counters (100CANON, 101_PANA, 100APPLE),
# upload and account ids (Flickr's 0_64041142@N00, hashes, UUIDs), file-name
# stems (IMG_1234, DSC01234, PXL_2019...), export, format and device folders.
_MACHINE_NAME = re.compile(
    r"^(\d{3}[a-z_]{3,5}\d*|\d{3}_?[a-z]{2,5}|[\w.-]*@n\d+|[0-9a-f]{12,}|[0-9a-f-]{32,36}|"
    r"(img|dsc[nf]?|dscf|pxl|mvimg|vid|p|sam|dji|gopr|imag|photo|pic|image|screenshot)[_-]?\d[\w-]*|"
    r"(jpe?g|heic|heif|avif|jxl|png|tiff?|raw|dng|cr[23w]|nef|arw|orf|rw2|raf|webp|gif|bmp|"
    r"originals?|thumbs?|thumbnails?|previews?|exports?|edited|edits|backups?|tmp|temp|cache|"
    r"sample|samples|test|tests|data|files|media|upload|uploads|\.\w+|"
    # devices and formats: a folder per camera or per file type is sorting, not an album
    r"gps|hdr|exif[\w-]*|heif[\w-]*|avif[\w-]*|raw[_-]\w+|iphone[\w ]*|pixel[\w ]*|galaxy[\w ]*|sony|canon|nikon|"
    r"xiaomi|apple|samsung|huawei|gopro|dji|fuji(film)?|olympus|panasonic|leica|ricoh|pentax))$",
    re.IGNORECASE)


def is_machine_name(name: str) -> bool:
    """Whether a folder name was given by a camera, a phone or a service
    rather than a person (no letters to speak of, a counter, an id)."""
    name = name.strip()
    if not name or DUMP_NAME.match(name) or _DATEISH.match(name) or _MACHINE_NAME.match(name):
        return True
    letters = sum(c.isalpha() for c in name)
    digits = sum(c.isdigit() for c in name)
    return letters < 2 or digits > letters
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def folder_name(folder: str) -> Optional[str]:
    """The name a person gave the folder, without a leading date ("2019-05-03
    Rome trip" -> "Rome trip"); None for a machine's name."""
    name = PurePath(folder).name.strip() if folder else ""
    cleaned = re.sub(r"^[\d]{4}[\d._\- ]*", "", name).strip(" -_.") or name
    if not name or DUMP_NAME.match(name) or _MACHINE_NAME.match(name) or is_machine_name(cleaned):
        return None
    return cleaned


folder_place = folder_name  # the old name (callers outside the albums package)


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
    dates; None when no photo has one (file times are not shown)."""
    used, real = dated_members(photos)
    if not used or not real:
        return None
    times = [p.capture_time for p in used]
    return date_range(min(times), max(times))


def compose_title(event_name: Optional[str], place: Optional[str], dates: Optional[str],
                  name: Optional[str] = None) -> str:
    """"Birthday · Lyon, 3 Mar 2019"; with a folder ``name``: "Rome trip ·
    3–5 May 2019" (the place only where the name does not already say it,
    the event only where the name does not)."""
    head = [p for p in (event_name, name) if p]
    if name and event_name and name.lower() in event_name.lower():
        head = [event_name]  # a folder "nature" holding a nature trip: the event says it better
    elif name and event_name and event_name.lower().split()[0] in name.lower():
        head = [name]  # "Birthday Anna" holding a birthday
    if place and name and (place.split(",")[0].lower() in name.lower()):
        place = None
    where_when = ", ".join(p for p in (place, dates) if p)
    parts = head + ([where_when] if where_when else [])
    return " · ".join(parts) if parts else "Untitled album"

"""Album titles: the event, a place and the dates, said honestly.

There is no geocoder offline, so the place is the folder's name when the
folder is an album someone named, or else the rounded coordinates of the
album's centre ("around 43.5°N 11.9°E"); never an invented town name.
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


def compose_title(event_name: Optional[str], place: Optional[str], dates: Optional[str]) -> str:
    parts = [p for p in (event_name, place, dates) if p]
    return " · ".join(parts) if parts else "Untitled album"

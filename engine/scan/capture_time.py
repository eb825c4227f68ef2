"""When a photo was taken, with the source of that answer.

Order of trust: EXIF DateTimeOriginal, EXIF DateTimeDigitized, the GPS clock
(UTC), XMP dates (embedded or sidecar), IPTC, EXIF DateTime (last among the
EXIF dates because editors rewrite it: it is the file's modification date, and
an XMP creation date beside it is the better answer), a date in the file name (IMG_20190503_142233, PXL_..., Screenshot 2019-05-03
at 14.22.33, IMG-20190503-WA0001), and finally the file's modification time.
The zone comes from the EXIF offset tags, else from the difference between
the camera clock and the GPS clock when both are present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional


@dataclass(frozen=True)
class CaptureTime:
    local: datetime  # naive wall-clock time where the photo was taken
    tz: Optional[str]  # "+02:00" when known
    source: str

    @property
    def timestamp(self) -> float:
        """Seconds since the epoch; a photo of unknown zone sorts as if UTC."""
        offset = parse_offset(self.tz) if self.tz else timedelta(0)
        return (self.local - offset).replace(tzinfo=timezone.utc).timestamp()

    @property
    def iso(self) -> str:
        return self.local.isoformat(timespec="seconds")


_EXIF_FORMATS = ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y:%m:%d %H:%M", "%Y-%m-%dT%H:%M:%S")


def parse_offset(text: str) -> Optional[timedelta]:
    m = re.fullmatch(r"\s*([+-])(\d{1,2}):?(\d{2})\s*", text or "")
    if not m:
        return None
    sign = -1 if m.group(1) == "-" else 1
    hours, minutes = int(m.group(2)), int(m.group(3))
    if hours > 14 or minutes > 59:
        return None
    return sign * timedelta(hours=hours, minutes=minutes)


def format_offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _plausible(dt: datetime) -> bool:
    return 1826 <= dt.year <= datetime.now().year + 1


def parse_exif_datetime(text: Optional[str], subsec: Optional[str] = None) -> Optional[datetime]:
    if not text:
        return None
    text = text.strip().rstrip("\x00").strip()
    for fmt in _EXIF_FORMATS:
        try:
            dt = datetime.strptime(text[: len(datetime(2000, 1, 1).strftime(fmt))], fmt)
        except ValueError:
            continue
        if subsec and subsec.strip().isdigit():
            frac = subsec.strip()[:6].ljust(6, "0")
            dt = dt.replace(microsecond=int(frac))
        return dt if _plausible(dt) else None
    return None


def parse_xmp_datetime(text: Optional[str]) -> Optional[tuple[datetime, Optional[str]]]:
    """XMP dates are ISO 8601, possibly partial, possibly with a zone."""
    if not text:
        return None
    m = re.match(
        r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?)?)?"
        r"\s*(Z|[+-]\d{2}:?\d{2})?",
        text.strip(),
    )
    if not m:
        return None
    y, mo, d, h, mi, s, frac, zone = m.groups()
    try:
        dt = datetime(
            int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), int(s or 0),
            int((frac or "0")[:6].ljust(6, "0")),
        )
    except ValueError:
        return None
    if not _plausible(dt):
        return None
    tz = None
    if zone == "Z":
        tz = "+00:00"
    elif zone:
        off = parse_offset(zone)
        tz = format_offset(off) if off is not None else None
    return dt, tz


_NAME_PATTERNS = [
    # IMG_20190503_142233, 20190503_142233123, PXL_20210101_123456789, VID-...
    (re.compile(r"(?<!\d)((?:19|20)\d{2})([01]\d)([0-3]\d)[_\-T ]?([0-2]\d)([0-5]\d)([0-5]\d)"), True),
    # 2019-05-03 14.22.33, Screenshot 2019-05-03 at 14.22.33, 2019-05-03_14-22-33
    (re.compile(r"(?<!\d)((?:19|20)\d{2})-([01]\d)-([0-3]\d)[ _\-T]+(?:at )?([0-2]\d)[.:\-]([0-5]\d)[.:\-]([0-5]\d)"), True),
    # IMG-20190503-WA0001 (WhatsApp), 2019-05-03: a date without a time.
    (re.compile(r"(?<!\d)((?:19|20)\d{2})-?([01]\d)-?([0-3]\d)(?!\d)"), False),
]


def parse_filename(name: str) -> Optional[tuple[datetime, bool]]:
    """A date in a file name; the flag says whether a time of day was found."""
    for pattern, has_time in _NAME_PATTERNS:
        for m in pattern.finditer(name):
            parts = [int(p) for p in m.groups()]
            try:
                dt = datetime(*parts) if has_time else datetime(*parts[:3], 12, 0, 0)
            except ValueError:
                continue
            if _plausible(dt):
                return dt, has_time
    return None


def gps_utc(gps_date: Optional[str], gps_time: Optional[list[float]]) -> Optional[datetime]:
    if not gps_date or not gps_time or len(gps_time) < 3:
        return None
    try:
        day = datetime.strptime(gps_date.strip()[:10].replace("-", ":"), "%Y:%m:%d")
        h, m, s = gps_time[:3]
        return day + timedelta(hours=float(h), minutes=float(m), seconds=float(s))
    except (ValueError, TypeError, OverflowError):
        return None


def zone_from_gps(local: datetime, utc: Optional[datetime]) -> Optional[str]:
    """The zone implied by the camera clock against the GPS clock, rounded to
    15 minutes; None when they are too far apart to be a zone difference."""
    if utc is None:
        return None
    delta = local - utc
    quarter = round(delta.total_seconds() / 900) * 900
    if abs(delta.total_seconds() - quarter) > 300 or abs(quarter) > 14 * 3600:
        return None
    return format_offset(timedelta(seconds=quarter))


@dataclass
class TimeEvidence:
    """Every date a file offered, gathered by the metadata reader."""

    exif_original: Optional[str] = None
    exif_original_subsec: Optional[str] = None
    exif_original_offset: Optional[str] = None
    exif_digitized: Optional[str] = None
    exif_digitized_offset: Optional[str] = None
    exif_datetime: Optional[str] = None
    exif_datetime_offset: Optional[str] = None
    gps_date: Optional[str] = None
    gps_time: Optional[list[float]] = None
    xmp_dates: Optional[list[tuple[str, str]]] = None  # (source, value)
    iptc_date: Optional[str] = None  # YYYYMMDD
    iptc_time: Optional[str] = None  # HHMMSS+HHMM
    filename: str = ""
    mtime_ns: int = 0


def _exif_time(source: str, text: Optional[str], subsec: Optional[str], offset: Optional[str],
               utc: Optional[datetime]) -> Optional[CaptureTime]:
    local = parse_exif_datetime(text, subsec)
    if local is None:
        return None
    off = parse_offset(offset) if offset else None
    tz = format_offset(off) if off is not None else zone_from_gps(local, utc)
    return CaptureTime(local, tz, source)


def choose(ev: TimeEvidence) -> CaptureTime:
    utc = gps_utc(ev.gps_date, ev.gps_time)
    for source, text, subsec, offset in (
        ("exif:DateTimeOriginal", ev.exif_original, ev.exif_original_subsec, ev.exif_original_offset),
        ("exif:DateTimeDigitized", ev.exif_digitized, None, ev.exif_digitized_offset),
    ):
        if found := _exif_time(source, text, subsec, offset, utc):
            return found
    if utc is not None and _plausible(utc):
        return CaptureTime(utc, "+00:00", "exif:GPS")
    for source, value in ev.xmp_dates or []:
        parsed = parse_xmp_datetime(value)
        if parsed:
            return CaptureTime(parsed[0], parsed[1], source)
    if ev.iptc_date:
        try:
            local = datetime.strptime(ev.iptc_date[:8], "%Y%m%d")
            tz = None
            if ev.iptc_time and len(ev.iptc_time) >= 6 and ev.iptc_time[:6].isdigit():
                t = ev.iptc_time
                local = local.replace(hour=int(t[:2]), minute=int(t[2:4]), second=int(t[4:6]))
                off = parse_offset(t[6:]) if len(t) > 6 else None
                tz = format_offset(off) if off is not None else None
            if _plausible(local):
                return CaptureTime(local, tz, "iptc:DateCreated")
        except ValueError:
            pass
    if found := _exif_time("exif:DateTime", ev.exif_datetime, None, ev.exif_datetime_offset, utc):
        return found
    named = parse_filename(ev.filename)
    if named:
        return CaptureTime(named[0], None, "filename" if named[1] else "filename:date")
    local = datetime.fromtimestamp(ev.mtime_ns / 1e9)
    offset = local.astimezone().utcoffset() or timedelta(0)
    return CaptureTime(local.replace(microsecond=0), format_offset(offset), "mtime")

"""EXIF tags (read with exifread) turned into the catalog's typed fields.

exifread is tolerant of the broken EXIF that real cameras write; anything it
still cannot parse yields empty fields, never an exception to the scanner.
"""

from __future__ import annotations

import io
import logging
from typing import Any, Optional

import exifread

from ..safe_io import TimeBudgetExceeded, time_budget
from .capture_time import TimeEvidence

# exifread logs "file format not recognized" and similar at WARNING level for
# formats it does not know; the scanner falls back to Pillow's EXIF instead.
logging.getLogger("exifread").setLevel(logging.CRITICAL)


# Reading a photo's EXIF takes milliseconds; a damaged block can keep
# exifread (pure Python) busy for a minute (a fuzzed 57 KB HEIC: 51 s). Past
# this budget the EXIF is ignored and the photo is still added.
EXIF_SECONDS = 2.0


def read_tags(data: bytes) -> dict[str, Any]:
    try:
        with time_budget(EXIF_SECONDS):
            return exifread.process_file(io.BytesIO(data), details=False, extract_thumbnail=False)
    except TimeBudgetExceeded:
        logging.getLogger(__name__).info("EXIF ignored: reading it took over %.0f s", EXIF_SECONDS)
        return {}
    except Exception:  # noqa: BLE001 - exifread raises anything on broken files
        return {}


def read_tags_from_exif_block(block: Optional[bytes]) -> dict[str, Any]:
    """EXIF from the raw block Pillow extracts (AVIF, WebP, PNG, JXL)."""
    if not block:
        return {}
    if block.startswith(b"Exif\x00\x00"):
        block = block[6:]
    if block[:4] not in (b"II*\x00", b"MM\x00*"):
        return {}
    return read_tags(block)


def _text(tags: dict, key: str) -> Optional[str]:
    tag = tags.get(key)
    if tag is None:
        return None
    try:
        value = str(tag.printable if hasattr(tag, "printable") else tag).strip().strip("\x00").strip()
    except Exception:  # noqa: BLE001
        return None
    return value or None


def _numbers(tags: dict, key: str) -> list[float]:
    tag = tags.get(key)
    if tag is None:
        return []
    values = tag.values if hasattr(tag, "values") else tag
    if not isinstance(values, (list, tuple)):
        values = [values]
    out = []
    for v in values:
        try:
            if hasattr(v, "den") and v.den == 0:
                continue
            out.append(float(v))
        except (TypeError, ValueError, ZeroDivisionError):
            return []
    return out


def _number(tags: dict, key: str) -> Optional[float]:
    values = _numbers(tags, key)
    return values[0] if values else None


def _gps_coord(tags: dict, key: str, ref_key: str) -> Optional[float]:
    parts = _numbers(tags, key)
    if len(parts) < 3:
        return None
    value = parts[0] + parts[1] / 60 + parts[2] / 3600
    ref = (_text(tags, ref_key) or "").upper()
    if ref in ("S", "W"):
        value = -value
    return value


def camera_fields(tags: dict) -> dict[str, Any]:
    lat = _gps_coord(tags, "GPS GPSLatitude", "GPS GPSLatitudeRef")
    lon = _gps_coord(tags, "GPS GPSLongitude", "GPS GPSLongitudeRef")
    # 0,0 is where broken GPS units put photos; treat it as unknown.
    if lat is not None and lon is not None and (abs(lat) > 90 or abs(lon) > 180 or (lat == 0 and lon == 0)):
        lat = lon = None
    alt = _number(tags, "GPS GPSAltitude")
    if alt is not None and _text(tags, "GPS GPSAltitudeRef") in ("1", "Below Sea Level"):
        alt = -alt
    orientation = _numbers(tags, "Image Orientation")
    iso = _number(tags, "EXIF ISOSpeedRatings") or _number(tags, "EXIF PhotographicSensitivity")
    rating = _number(tags, "Image Rating")
    lens = _text(tags, "EXIF LensModel")
    lens_make = _text(tags, "EXIF LensMake")
    if lens and lens_make and not lens.lower().startswith(lens_make.lower()):
        lens = f"{lens_make} {lens}"
    return {
        "camera_make": _text(tags, "Image Make"),
        "camera_model": _text(tags, "Image Model"),
        "lens": lens,
        "exposure_time": _number(tags, "EXIF ExposureTime"),
        "f_number": _number(tags, "EXIF FNumber"),
        "iso": int(iso) if iso else None,
        "focal_length": _number(tags, "EXIF FocalLength"),
        "focal_length_35mm": _number(tags, "EXIF FocalLengthIn35mmFilm"),
        "gps_lat": lat,
        "gps_lon": lon if lat is not None else None,
        "gps_alt": alt if lat is not None else None,
        "orientation": int(orientation[0]) if orientation and 1 <= orientation[0] <= 8 else None,
        "rating": int(rating) if rating is not None and -1 <= rating <= 5 else None,
    }


def time_evidence(tags: dict) -> TimeEvidence:
    return TimeEvidence(
        exif_original=_text(tags, "EXIF DateTimeOriginal"),
        exif_original_subsec=_text(tags, "EXIF SubSecTimeOriginal"),
        exif_original_offset=_text(tags, "EXIF OffsetTimeOriginal"),
        exif_digitized=_text(tags, "EXIF DateTimeDigitized"),
        exif_digitized_offset=_text(tags, "EXIF OffsetTimeDigitized"),
        exif_datetime=_text(tags, "Image DateTime"),
        exif_datetime_offset=_text(tags, "EXIF OffsetTime"),
        gps_date=_text(tags, "GPS GPSDate"),
        gps_time=_numbers(tags, "GPS GPSTimeStamp") or None,
    )

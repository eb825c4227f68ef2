"""Read the XMP fields the organizer cares about, tolerant of every dialect.

Lightroom, digiKam, darktable, Apple and phone cameras all write XMP slightly
differently: properties as attributes or as elements, dates with or without
zones, keywords in ``dc:subject``, ``lr:hierarchicalSubject`` or
``digiKam:TagsList``. Parsing goes through defusedxml (no entity expansion).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET

from ..safe_io import NotRegularFile, TooLarge, read_regular

# Bounds on what one photo's metadata may cost. Real sidecars are a few KB
# (a few hundred with many face regions) and hold tens of keywords; beyond
# these a file is broken or hostile, and parsing it all would cost seconds
# to minutes per photo.
MAX_SIDECAR_BYTES = 4 * 1024 * 1024
MAX_PACKET_BYTES = 4 * 1024 * 1024
MAX_KEYWORDS = 1000
MAX_TEXT = 1000  # characters of a label, a date or one keyword

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "lr": "http://ns.adobe.com/lightroom/1.0/",
    "digiKam": "http://www.digikam.org/ns/1.0/",
    "exif": "http://ns.adobe.com/exif/1.0/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "MicrosoftPhoto": "http://ns.microsoft.com/photo/1.0/",
}

PACKET_START = b"<x:xmpmeta"
PACKET_END = b"</x:xmpmeta>"


@dataclass
class XmpInfo:
    rating: Optional[int] = None
    label: Optional[str] = None
    subjects: list[str] = field(default_factory=list)
    hierarchical: list[str] = field(default_factory=list)
    date_original: Optional[str] = None  # exif:DateTimeOriginal
    date_created: Optional[str] = None  # photoshop:DateCreated
    create_date: Optional[str] = None  # xmp:CreateDate

    @property
    def keywords(self) -> list[str]:
        out = dict.fromkeys(kw for kw in self.subjects + [h.split("|")[-1] for h in self.hierarchical] if kw)
        return list(out)[:MAX_KEYWORDS]

    @property
    def best_date(self) -> Optional[tuple[str, str]]:
        for source, value in (
            ("xmp:exif:DateTimeOriginal", self.date_original),
            ("xmp:photoshop:DateCreated", self.date_created),
            ("xmp:xmp:CreateDate", self.create_date),
        ):
            if value:
                return source, value
        return None


def find_packet(data: bytes) -> Optional[bytes]:
    """The first XMP packet embedded in an image file's bytes, if any."""
    start = data.find(PACKET_START)
    if start < 0:
        return None
    end = data.find(PACKET_END, start)
    if end < 0:
        return None
    return data[start : end + len(PACKET_END)]


def _q(prefix: str, name: str) -> str:
    return "{%s}%s" % (NS[prefix], name)


def _prop(desc: Element, prefix: str, name: str) -> Optional[str]:
    key = _q(prefix, name)
    if key in desc.attrib:
        return desc.attrib[key].strip()[:MAX_TEXT]
    el = desc.find(key)
    if el is None:
        return None
    if el.text and el.text.strip():
        return el.text.strip()[:MAX_TEXT]
    # A value wrapped in rdf:Alt/Seq/Bag: take the first item.
    li = el.find(".//" + _q("rdf", "li"))
    return li.text.strip()[:MAX_TEXT] if li is not None and li.text else None


def _list(desc: Element, prefix: str, name: str) -> list[str]:
    el = desc.find(_q(prefix, name))
    if el is None:
        value = desc.attrib.get(_q(prefix, name))
        return [value.strip()[:MAX_TEXT]] if value else []
    items = []
    for li in el.iter(_q("rdf", "li")):
        if li.text and li.text.strip():
            items.append(li.text.strip()[:MAX_TEXT])
            if len(items) >= MAX_KEYWORDS:
                break
    if not items and el.text and el.text.strip():
        items = [el.text.strip()[:MAX_TEXT]]
    return items


def _rating(text: str) -> Optional[int]:
    """-1..5 from any number; None for what is no finite number ("inf",
    "NaN", "3 stars")."""
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return max(-1, min(5, int(round(value))))


def parse(data: bytes) -> XmpInfo:
    """Parse an XMP packet or sidecar; raises ValueError if it is not XML (or
    too large to be XMP)."""
    if len(data) > MAX_PACKET_BYTES:
        raise ValueError(f"XMP packet of {len(data) / 1e6:.1f} MB, above the "
                         f"{MAX_PACKET_BYTES / 1e6:.0f} MB limit")
    text: bytes | str = data
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16")  # some Lightroom sidecars are UTF-16
    else:
        text = data.strip(b"\x00")
    try:
        root = SafeET.fromstring(text)
    except Exception as exc:  # defusedxml raises several kinds
        raise ValueError(f"unreadable XMP: {exc}") from None
    info = XmpInfo()
    subjects: dict[str, None] = {}
    hierarchical: dict[str, None] = {}
    for desc in root.iter(_q("rdf", "Description")):
        rating = _prop(desc, "xmp", "Rating")
        if rating is not None and info.rating is None:
            info.rating = _rating(rating)
        info.label = info.label or _prop(desc, "xmp", "Label")
        info.date_original = info.date_original or _prop(desc, "exif", "DateTimeOriginal")
        info.date_created = info.date_created or _prop(desc, "photoshop", "DateCreated")
        info.create_date = info.create_date or _prop(desc, "xmp", "CreateDate")
        # Dictionaries keep the order and drop repeats in linear time (a
        # sidecar with 100,000 keywords cost minutes with list lookups).
        for kw in _list(desc, "dc", "subject"):
            if len(subjects) < MAX_KEYWORDS:
                subjects.setdefault(kw)
        for prefix, name in (("lr", "hierarchicalSubject"), ("digiKam", "TagsList")):
            for kw in _list(desc, prefix, name):
                if len(hierarchical) < MAX_KEYWORDS:
                    hierarchical.setdefault(kw.replace("/", "|") if prefix == "digiKam" else kw)
    info.subjects = list(subjects)
    info.hierarchical = list(hierarchical)
    return info


def read_sidecar(path: str) -> Optional[XmpInfo]:
    """The sidecar's fields, or None when it cannot be read (see
    ``read_sidecar_or_reason`` for why)."""
    info, _ = read_sidecar_or_reason(path)
    return info


def read_sidecar_or_reason(path: str) -> tuple[Optional[XmpInfo], Optional[str]]:
    """(fields, None), or (None, why the sidecar was ignored). A FIFO or
    device is never opened, a sidecar above ``MAX_SIDECAR_BYTES`` never read."""
    try:
        return parse(read_regular(path, MAX_SIDECAR_BYTES, "sidecar")), None
    except (NotRegularFile, TooLarge) as exc:
        return None, f"XMP sidecar ignored: {exc}"
    except FileNotFoundError:
        return None, None  # gone since the folder was listed: no sidecar
    except OSError as exc:
        return None, f"XMP sidecar ignored: it cannot be read ({exc.strerror or exc})"
    except ValueError as exc:
        return None, f"XMP sidecar ignored: it is not readable XMP ({' '.join(str(exc).split())[:200]})"

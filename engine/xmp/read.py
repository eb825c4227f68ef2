"""Read the XMP fields the organizer cares about, tolerant of every dialect.

Lightroom, digiKam, darktable, Apple and phone cameras all write XMP slightly
differently: properties as attributes or as elements, dates with or without
zones, keywords in ``dc:subject``, ``lr:hierarchicalSubject`` or
``digiKam:TagsList``. Parsing goes through defusedxml (no entity expansion).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET

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
        out: list[str] = []
        for kw in self.subjects + [h.split("|")[-1] for h in self.hierarchical]:
            if kw and kw not in out:
                out.append(kw)
        return out

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
        return desc.attrib[key].strip()
    el = desc.find(key)
    if el is None:
        return None
    if el.text and el.text.strip():
        return el.text.strip()
    # A value wrapped in rdf:Alt/Seq/Bag: take the first item.
    li = el.find(".//" + _q("rdf", "li"))
    return li.text.strip() if li is not None and li.text else None


def _list(desc: Element, prefix: str, name: str) -> list[str]:
    el = desc.find(_q(prefix, name))
    if el is None:
        value = desc.attrib.get(_q(prefix, name))
        return [value.strip()] if value else []
    items = [li.text.strip() for li in el.iter(_q("rdf", "li")) if li.text and li.text.strip()]
    if not items and el.text and el.text.strip():
        items = [el.text.strip()]
    return items


def parse(data: bytes) -> XmpInfo:
    """Parse an XMP packet or sidecar; raises ValueError if it is not XML."""
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
    for desc in root.iter(_q("rdf", "Description")):
        rating = _prop(desc, "xmp", "Rating")
        if rating is not None and info.rating is None:
            try:
                info.rating = max(-1, min(5, int(round(float(rating)))))
            except ValueError:
                pass
        info.label = info.label or _prop(desc, "xmp", "Label")
        info.date_original = info.date_original or _prop(desc, "exif", "DateTimeOriginal")
        info.date_created = info.date_created or _prop(desc, "photoshop", "DateCreated")
        info.create_date = info.create_date or _prop(desc, "xmp", "CreateDate")
        for kw in _list(desc, "dc", "subject"):
            if kw not in info.subjects:
                info.subjects.append(kw)
        for prefix, name in (("lr", "hierarchicalSubject"), ("digiKam", "TagsList")):
            for kw in _list(desc, prefix, name):
                kw = kw.replace("/", "|") if prefix == "digiKam" else kw
                if kw not in info.hierarchical:
                    info.hierarchical.append(kw)
    return info


def read_sidecar(path: str) -> Optional[XmpInfo]:
    try:
        with open(path, "rb") as fh:
            return parse(fh.read(4 * 1024 * 1024))
    except (OSError, ValueError):
        return None

"""Merging XMP: this program's properties into any sidecar, keeping the rest.

Parsed with defusedxml; only the properties this program writes are
replaced; every other property and namespace stays as it was, and a keyword or
face region another tool wrote is never removed. What this program added is
remembered in its own namespace (``photoorg:Managed*``), so that a changed
event label replaces the old one instead of piling up. Output is UTF-8 with
the document's own namespace prefixes, whatever the input's encoding.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence
from xml.etree import ElementTree as ET
from xml.etree.ElementTree import Element, SubElement

import defusedxml.ElementTree as SafeET

from .read import NS as READ_NS

NS = {
    **READ_NS,
    "mwg-rs": "http://www.metadataworkinggroup.com/schemas/regions/",
    "stArea": "http://ns.adobe.com/xmp/sType/Area#",
    "stDim": "http://ns.adobe.com/xap/1.0/sType/Dimensions#",
    "photoorg": "http://ns.photoorg.app/xmp/1.0/",
}
XML_NS = "http://www.w3.org/XML/1998/namespace"
PACKET_HEAD = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
PACKET_TAIL = '\n<?xpacket end="w"?>\n'
TOOLKIT = "photoorg XMP writer"


def q(prefix: str, name: str) -> str:
    return "{%s}%s" % (NS[prefix], name)


@dataclass(frozen=True)
class FaceRegion:
    """A named face: centre (x, y) and size (w, h), normalized 0..1 in the
    image as stored (before EXIF rotation), as MWG regions are."""

    name: str
    x: float
    y: float
    w: float
    h: float

    @classmethod
    def from_box(cls, name: str, left: float, top: float, width: float, height: float,
                 image_width: int, image_height: int) -> "FaceRegion":
        """From a pixel box (left, top, width, height) in the stored image."""
        return cls(name, (left + width / 2) / image_width, (top + height / 2) / image_height,
                   width / image_width, height / image_height)


@dataclass
class SidecarData:
    """What this program writes; None means "leave as it is"."""

    rating: Optional[int] = None  # -1 rejected, 0 unrated, 1..5
    label: Optional[str] = None  # "" removes the label
    pick: Optional[str] = None  # 'pick' | 'reject' -> digiKam:PickLabel
    keywords: list[str] = field(default_factory=list)  # the user's own flat keywords (added, never removed)
    # Keywords this program manages, by category: {"Events": ["Birthday"],
    # "People": ["Anna"]} -> "Events|Birthday"... A category left out stays as
    # it is in the sidecar; an empty list removes ours from it.
    managed: dict[str, list[str]] = field(default_factory=dict)
    regions: Optional[list[FaceRegion]] = None  # named faces; None leaves ours as they are
    image_size: Optional[tuple[int, int]] = None  # stored width, height (mwg-rs:AppliedToDimensions)
    interest: Optional[float] = None  # 0..1: the "Interest" category and photoorg:Interest


def interest_keyword(score: float) -> str:
    level = "High" if score >= 2 / 3 else "Medium" if score >= 1 / 3 else "Low"
    return f"{level} interest"


# -- parsing -------------------------------------------------------------------
_DECL = re.compile(rb"^\s*<\?xml[^>]*\?>", re.S)


def _decode(data: bytes) -> bytes:
    """Any XMP encoding -> UTF-8 bytes without an XML declaration."""
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        text = data.decode("utf-32")
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("not UTF-8, UTF-16 or UTF-32 text") from None
    raw = text.strip("\x00 \r\n\t\ufeff").encode("utf-8")
    return _DECL.sub(b"", raw, count=1)


def parse_packet(data: bytes) -> tuple[Element, dict[str, str]]:
    """The x:xmpmeta element and the document's own prefixes (uri -> prefix)."""
    raw = _decode(data)
    try:
        root = SafeET.fromstring(raw)
        prefixes: dict[str, str] = {}
        for _, (prefix, uri) in SafeET.iterparse(io.BytesIO(raw), events=("start-ns",)):
            if prefix and uri not in prefixes:
                prefixes[uri] = prefix
    except Exception as exc:  # defusedxml raises several kinds
        raise ValueError(f"not valid XML: {exc}") from None
    if root.tag == q("rdf", "RDF"):
        meta = Element(q("x", "xmpmeta"))
        meta.append(root)
        root = meta
    if root.tag != q("x", "xmpmeta") or root.find(q("rdf", "RDF")) is None:
        raise ValueError("not an XMP packet (no x:xmpmeta / rdf:RDF)")
    return root, prefixes


def _new_root() -> Element:
    root = Element(q("x", "xmpmeta"), {q("x", "xmptk"): TOOLKIT})
    rdf = SubElement(root, q("rdf", "RDF"))
    SubElement(rdf, q("rdf", "Description"), {q("rdf", "about"): ""})
    return root


# -- reading and removing properties across every rdf:Description ------------------
def list_items(el: Element) -> list[str]:
    return [li.text.strip() for li in el.iter(q("rdf", "li")) if li.text and li.text.strip()]


def _take(descs: list[Element], key: str) -> list[Element]:
    """Remove property ``key`` (element or attribute form) from every
    description; returns the removed elements (attributes become elements)."""
    out = []
    for desc in descs:
        if key in desc.attrib:
            el = Element(key)
            el.text = desc.attrib.pop(key)
            out.append(el)
        for el in desc.findall(key):
            desc.remove(el)
            out.append(el)
    return out


def _take_list(descs: list[Element], prefix: str, name: str) -> list[str]:
    values: list[str] = []
    for el in _take(descs, q(prefix, name)):
        found = list_items(el) or ([el.text.strip()] if el.text and el.text.strip() else [])
        values += [v for v in found if v not in values]
    return values


def _add_list(desc: Element, prefix: str, name: str, values: Sequence[str], container: str = "Bag") -> None:
    if not values:
        return
    prop = SubElement(desc, q(prefix, name))
    box = SubElement(prop, q("rdf", container))
    for v in values:
        SubElement(box, q("rdf", "li")).text = v


def _add_simple(desc: Element, prefix: str, name: str, value: str) -> None:
    SubElement(desc, q(prefix, name)).text = value


def _unique(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return out


# -- regions ----------------------------------------------------------------------
def _region_name(li: Element) -> Optional[str]:
    name = li.find(".//" + q("mwg-rs", "Name"))
    if name is not None and name.text:
        return name.text.strip()
    for desc in li.iter(q("rdf", "Description")):
        if q("mwg-rs", "Name") in desc.attrib:
            return desc.attrib[q("mwg-rs", "Name")].strip()
    return None


def _region_li(region: FaceRegion) -> Element:
    li = Element(q("rdf", "li"), {q("rdf", "parseType"): "Resource"})
    area = SubElement(li, q("mwg-rs", "Area"), {q("rdf", "parseType"): "Resource"})
    for key, value in (("x", region.x), ("y", region.y), ("w", region.w), ("h", region.h)):
        SubElement(area, q("stArea", key)).text = f"{min(max(value, 0.0), 1.0):.6f}"
    SubElement(area, q("stArea", "unit")).text = "normalized"
    SubElement(li, q("mwg-rs", "Name")).text = region.name
    SubElement(li, q("mwg-rs", "Type")).text = "Face"
    return li


def _merge_regions(descs: list[Element], desc: Element, data: SidecarData, previous: list[str]) -> list[str]:
    """Replace our regions, keep every other tool's; returns our region names."""
    if data.regions is None or (not data.regions and not previous):
        return previous
    old = _take(descs, q("mwg-rs", "Regions"))
    foreign: list[Element] = []
    dims: Optional[Element] = None
    for regions in old:
        dims = dims if dims is not None else regions.find(".//" + q("mwg-rs", "AppliedToDimensions"))
        for li in regions.iter(q("rdf", "li")):
            if li.find(".//" + q("mwg-rs", "Area")) is None and _region_name(li) is None:
                continue
            if _region_name(li) not in previous:
                foreign.append(li)
    foreign_names = {_region_name(li) for li in foreign}
    ours = [r for r in data.regions if r.name and r.name not in foreign_names]
    if not foreign and not ours:
        return []
    regions_el = SubElement(desc, q("mwg-rs", "Regions"), {q("rdf", "parseType"): "Resource"})
    if data.image_size:
        dims = Element(q("mwg-rs", "AppliedToDimensions"), {q("rdf", "parseType"): "Resource"})
        SubElement(dims, q("stDim", "w")).text = str(int(data.image_size[0]))
        SubElement(dims, q("stDim", "h")).text = str(int(data.image_size[1]))
        SubElement(dims, q("stDim", "unit")).text = "pixel"
    if dims is not None:
        regions_el.append(dims)
    bag = SubElement(SubElement(regions_el, q("mwg-rs", "RegionList")), q("rdf", "Bag"))
    for li in foreign:
        bag.append(li)
    for region in ours:
        bag.append(_region_li(region))
    return [r.name for r in ours]


# -- merging -------------------------------------------------------------------------
def merge(existing: Optional[bytes], data: SidecarData) -> bytes:
    """The sidecar bytes after merging ``data`` into ``existing`` (None: a new
    sidecar). Raises ValueError when ``existing`` is not readable XMP."""
    if existing is not None and existing.strip(b"\x00 \r\n\t"):
        root, prefixes = parse_packet(existing)
    else:
        root, prefixes = _new_root(), {}
    rdf = root.find(q("rdf", "RDF"))
    descs = rdf.findall(q("rdf", "Description"))
    if not descs:
        descs = [SubElement(rdf, q("rdf", "Description"), {q("rdf", "about"): ""})]
    desc = descs[0]

    prev_flat = _take_list(descs, "photoorg", "ManagedKeywords")
    prev_hier = _take_list(descs, "photoorg", "ManagedHierarchy")
    prev_regions = _take_list(descs, "photoorg", "ManagedRegions")
    subjects = [s for s in _take_list(descs, "dc", "subject") if s not in prev_flat]
    hier = [h for h in _take_list(descs, "lr", "hierarchicalSubject") if h not in prev_hier]
    prev_tags = {h.replace("|", "/") for h in prev_hier}
    tags = [t for t in _take_list(descs, "digiKam", "TagsList") if t not in prev_tags]

    categories = {c: list(v) for c, v in data.managed.items()}
    if data.interest is not None:
        categories["Interest"] = [interest_keyword(data.interest)]
    managed = _unique([h for h in prev_hier if h.split("|")[0] not in categories]
                      + [f"{c}|{v}" for c, values in categories.items() for v in values if v])
    leaves = _unique(m.split("|")[-1] for m in managed)
    user = [k for k in _unique(data.keywords) if k not in prev_flat]
    # Ours: the leaves we added before, and new ones nobody else had written.
    new_flat = [leaf for leaf in leaves if leaf in prev_flat or (leaf not in subjects and leaf not in user)]
    _add_list(desc, "dc", "subject", _unique(subjects + user + leaves))
    _add_list(desc, "lr", "hierarchicalSubject", _unique(hier + managed))
    _add_list(desc, "digiKam", "TagsList", _unique(tags + [m.replace("|", "/") for m in managed]), "Seq")

    rating = data.rating
    if data.pick == "reject" and not (rating and rating >= 1):
        rating = -1
    if rating is not None:
        _take(descs, q("xmp", "Rating"))
        _add_simple(desc, "xmp", "Rating", str(int(rating)))
    if data.label is not None:
        _take(descs, q("xmp", "Label"))
        if data.label:
            _add_simple(desc, "xmp", "Label", data.label)
    if data.pick in ("pick", "reject"):
        _take(descs, q("digiKam", "PickLabel"))
        _add_simple(desc, "digiKam", "PickLabel", "3" if data.pick == "pick" else "1")
    if data.interest is not None:
        _take(descs, q("photoorg", "Interest"))
        _add_simple(desc, "photoorg", "Interest", f"{data.interest:.3f}")
    region_names = _merge_regions(descs, desc, data, prev_regions)

    _add_list(desc, "photoorg", "ManagedKeywords", new_flat)
    _add_list(desc, "photoorg", "ManagedHierarchy", managed)
    _add_list(desc, "photoorg", "ManagedRegions", region_names)
    return serialize(root, prefixes)


# -- serializing with the document's own prefixes ---------------------------------------
def _escape(text: str, attr: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attr:
        text = text.replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    return text


def serialize(root: Element, prefixes: dict[str, str]) -> bytes:
    uri_prefix = dict(prefixes)
    used_prefixes = set(uri_prefix.values())
    for prefix, uri in NS.items():
        if uri not in uri_prefix and prefix not in used_prefixes:
            uri_prefix[uri] = prefix
            used_prefixes.add(prefix)
    declared: dict[str, str] = {}

    def name(tag: str) -> str:
        if not tag.startswith("{"):
            return tag
        uri, local = tag[1:].split("}", 1)
        if uri == XML_NS:
            return "xml:" + local
        if uri not in uri_prefix:
            n = 0
            while f"ns{n}" in used_prefixes:
                n += 1
            uri_prefix[uri] = f"ns{n}"
            used_prefixes.add(f"ns{n}")
        declared[uri] = uri_prefix[uri]
        return f"{uri_prefix[uri]}:{local}"

    ET.indent(root, space=" ")

    def write(el: Element, out: list[str]) -> None:
        attrs = "".join(f' {name(k)}="{_escape(v, True)}"' for k, v in el.attrib.items())
        tag = name(el.tag)
        if len(el) == 0 and not el.text:
            out.append(f"<{tag}{attrs}/>")
        else:
            out.append(f"<{tag}{attrs}>")
            out.append(_escape(el.text or ""))
            for child in el:
                write(child, out)
            out.append(f"</{tag}>")
        out.append(_escape(el.tail or ""))

    body: list[str] = []
    write(root, body)
    # Every namespace is declared once, on x:xmpmeta.
    decls = "".join(f' xmlns:{p}="{_escape(u, True)}"' for u, p in sorted(declared.items(), key=lambda i: i[1]))
    first = body[0]
    cut = len(first) - (2 if first.endswith("/>") else 1)
    body[0] = first[:cut] + decls + first[cut:]
    return (PACKET_HEAD + "".join(body).strip() + PACKET_TAIL).encode("utf-8")

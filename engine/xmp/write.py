"""Write XMP sidecars that other photo tools read, merging, never clobbering.

Conventions written (what Lightroom, digiKam, darktable, exiftool read):
``xmp:Rating`` (1-5 stars, -1 rejected), ``xmp:Label``, ``dc:subject`` (flat
keywords), ``lr:hierarchicalSubject`` ("Events|Birthday") and
``digiKam:TagsList`` ("Events/Birthday"), ``digiKam:PickLabel`` (3 accepted,
1 rejected) and ``mwg-rs:Regions`` for named faces.

An existing sidecar is merged: it is parsed (defusedxml), only the properties
above are replaced, every other property and namespace stays as it was, and a
keyword or face region another tool wrote is never removed. What this program
added is remembered in its own namespace (``photoorg:Managed*``), so that a
changed event label replaces the old one instead of piling up. Files are
written atomically (temporary file, fsync, rename) and as UTF-8, whatever the
original's encoding.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence
from xml.etree import ElementTree as ET
from xml.etree.ElementTree import Element, SubElement

import defusedxml.ElementTree as SafeET

from ..errors import PhotoOrgError
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


class XmpWriteError(PhotoOrgError):
    """A sidecar could not be written (the existing one is left untouched)."""


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


def _parse(data: bytes) -> tuple[Element, dict[str, str]]:
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
def _items(el: Element) -> list[str]:
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
        found = _items(el) or ([el.text.strip()] if el.text and el.text.strip() else [])
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
        root, prefixes = _parse(existing)
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


# -- files ------------------------------------------------------------------------------
def sidecar_path(photo_path: str, naming: str = "auto", folder: Optional[str] = None) -> str:
    """Where the sidecar of ``photo_path`` lives: ``photo.jpg.xmp`` ("append",
    darktable / digiKam) or ``photo.xmp`` ("replace", Lightroom); "auto" takes
    the one that exists, else follows the other sidecars of the folder, else
    "append" (which never mixes up photo.jpg and photo.cr2). With ``folder``
    the sidecars mirror the photos' absolute paths under that folder."""
    photo_path = os.path.abspath(photo_path)
    where = os.path.dirname(photo_path)
    if folder:
        where = os.path.join(os.path.abspath(os.path.expanduser(folder)), where.lstrip(os.sep))
    name = os.path.basename(photo_path)
    append, replace = name + ".xmp", os.path.splitext(name)[0] + ".xmp"
    if naming == "append":
        return os.path.join(where, append)
    if naming == "replace":
        return os.path.join(where, replace)
    try:
        entries = os.listdir(where)
    except OSError:
        entries = []
    by_lower = {e.lower(): e for e in entries}
    for wanted in (append, replace):
        if wanted.lower() in by_lower:
            return os.path.join(where, by_lower[wanted.lower()])
    # Follow the folder's convention: "x.xmp" beside "x.<ext>" vs "x.<ext>.xmp".
    sidecars = [e for e in entries if e.lower().endswith(".xmp")]
    appended = sum(1 for s in sidecars if os.path.splitext(s[:-4])[1])
    return os.path.join(where, replace if sidecars and appended * 2 < len(sidecars) else append)


def write_atomic(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step (a crash leaves the old or
    the new file, never half of one); keeps the old file's permissions."""
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f".{os.path.basename(path)}.photoorg-{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        except FileNotFoundError:
            pass
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def write_sidecar(path: str, data: SidecarData) -> bool:
    """Merge ``data`` into the sidecar at ``path`` (created when missing);
    returns whether the file changed. Never overwrites a sidecar it cannot
    read."""
    try:
        with open(path, "rb") as fh:
            existing: Optional[bytes] = fh.read()
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise XmpWriteError(f"cannot read the sidecar {path}: {exc.strerror or exc}") from None
    if existing is not None and not os.access(path, os.W_OK):
        raise XmpWriteError(f"the sidecar {path} is read-only; it was left untouched")
    try:
        merged = merge(existing, data)
    except ValueError as exc:
        raise XmpWriteError(f"the sidecar {path} is not readable XMP ({exc}); it was left untouched") from None
    if merged == existing:
        return False
    try:
        write_atomic(path, merged)
    except OSError as exc:
        raise XmpWriteError(f"cannot write the sidecar {path}: {exc.strerror or exc}") from None
    return True


def photo_sidecar_data(state: dict, events: Optional[Sequence[str]] = None,
                       people: Optional[Sequence[str]] = None, regions: Optional[Sequence[FaceRegion]] = None,
                       interest: Optional[float] = None) -> SidecarData:
    """SidecarData from a photo's catalog state (``catalog.sidecar_state``)
    and what the later stages know about it (None: unknown, left as written)."""
    managed: dict[str, list[str]] = {"Curation": []}
    if state.get("best_shot"):
        managed["Curation"].append("Best shot")
    if state.get("flag") == "reject" or state.get("rating") == -1:
        managed["Curation"].append("Rejected")
    if events is not None:
        managed["Events"] = [e for e in events if e]
    if people is not None:
        managed["People"] = [p for p in people if p]
    size = None
    if state.get("width") and state.get("height"):
        w, h = state["width"], state["height"]
        size = (h, w) if state.get("orientation") in (5, 6, 7, 8) else (w, h)  # stored, not displayed
    return SidecarData(rating=state.get("rating"), label=state.get("label"), pick=state.get("flag"),
                       keywords=list(state.get("keywords") or []), managed=managed,
                       regions=None if regions is None else [r for r in regions if r.name],
                       image_size=size, interest=interest)


def write_photo_sidecar(catalog, settings, photo_id: int, *, events: Optional[Sequence[str]] = None,
                        people: Optional[Sequence[str]] = None, regions: Optional[Sequence[FaceRegion]] = None,
                        interest: Optional[float] = None, force: bool = False) -> Optional[str]:
    """Write (merge) the sidecar of one photo from the catalog: rating, flag,
    label, keywords, best shot / rejected, plus what the caller knows: event
    labels, people names, named face regions, interest (0..1). An argument
    left at None keeps what an earlier call wrote for it, so each stage can
    write its own part. Returns the sidecar's path, or None when the user has
    not opted in (Preferences.xmp_write) and ``force`` is not set."""
    prefs = settings.prefs
    if not (prefs.xmp_write or force):
        return None
    state = catalog.sidecar_state(photo_id)
    if state is None:
        raise XmpWriteError(f"no photo {photo_id} in the catalog")
    path = sidecar_path(state["path"], prefs.xmp_naming, prefs.xmp_folder)
    previous = _read_managed(path)
    state = dict(state, keywords=[k for k in state.get("keywords") or [] if k not in previous])
    write_sidecar(path, photo_sidecar_data(state, events, people, regions, interest))
    if not prefs.xmp_folder and _paired_sidecar(state["path"]) == path:
        # The scanner pairs this sidecar with the photo: record its time so
        # that the next scan does not re-read a file we just wrote ourselves.
        catalog.set_sidecar_mtime(photo_id, os.stat(path).st_mtime_ns)
    return path


def _read_managed(path: str) -> set[str]:
    """Keywords a previous write added (so that the catalog's copy of them,
    read back by a rescan, is not taken for the user's own)."""
    try:
        with open(path, "rb") as fh:
            root, _ = _parse(fh.read())
    except (OSError, ValueError):
        return set()
    out: set[str] = set()
    for key in ("ManagedKeywords", "ManagedHierarchy"):
        for el in root.iter(q("photoorg", key)):
            out.update(v.split("|")[-1] for v in _items(el))
    return out


def _paired_sidecar(photo_path: str) -> Optional[str]:
    """The sidecar the scanner's walker pairs with a photo (photo.jpg.xmp,
    then photo.xmp, any case)."""
    folder, name = os.path.split(photo_path)
    try:
        by_lower = {e.lower(): e for e in os.listdir(folder) if e.lower().endswith(".xmp")}
    except OSError:
        return None
    for wanted in (name.lower() + ".xmp", os.path.splitext(name)[0].lower() + ".xmp"):
        if wanted in by_lower:
            return os.path.join(folder, by_lower[wanted])
    return None

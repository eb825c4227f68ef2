"""Write XMP sidecars that other photo tools read, merging, never clobbering.

Conventions written (what Lightroom, digiKam, darktable, exiftool read):
``xmp:Rating`` (1-5 stars, -1 rejected), ``xmp:Label``, ``dc:subject`` (flat
keywords), ``lr:hierarchicalSubject`` ("Events|Birthday") and
``digiKam:TagsList`` ("Events/Birthday"), ``digiKam:PickLabel`` (3 accepted,
1 rejected) and ``mwg-rs:Regions`` for named faces.

An existing sidecar is merged (``merge``): only the properties above are
replaced, everything else another tool wrote stays. Files are written
atomically (temporary file, fsync, rename); a sidecar that cannot be parsed,
or is read-only, is never overwritten. Writing is opt-in
(``Preferences.xmp_write``); naming follows ``Preferences.xmp_naming`` and
sidecars may go to a separate folder (``Preferences.xmp_folder``).
"""

from __future__ import annotations

import os
from typing import Optional, Sequence

from ..errors import PhotoOrgError
from ..paths import display
from ..walls import Walls
from .merge import (NS, FaceRegion, SidecarData, interest_keyword, list_items, merge, parse_packet, q,
                    serialize)

__all__ = ["FaceRegion", "SidecarData", "XmpWriteError", "merge", "serialize", "interest_keyword", "NS",
           "sidecar_path", "write_atomic", "write_sidecar", "photo_sidecar_data", "write_photo_sidecar",
           "upright_to_stored", "face_region"]


# A sidecar bigger than this is not one a photo tool wrote (a few KB is usual,
# a few hundred KB with many face regions): it is left alone, not parsed.
MAX_SIDECAR_BYTES = 4 * 1024 * 1024


class XmpWriteError(PhotoOrgError):
    """A sidecar could not be written (the existing one is left untouched)."""


# -- face boxes: upright (the catalog's faces) -> stored (MWG regions) --------------------
# Where a point (x, y) of the stored image lands in the upright one, for each
# EXIF orientation (what PIL's ImageOps.exif_transpose does), inverted: the
# stored point of an upright (u, v), all normalized to 0..1.
_UPRIGHT_TO_STORED = {
    1: lambda u, v: (u, v),
    2: lambda u, v: (1 - u, v),          # mirrored left-right
    3: lambda u, v: (1 - u, 1 - v),      # upside down
    4: lambda u, v: (u, 1 - v),          # mirrored top-bottom
    5: lambda u, v: (v, u),              # transposed
    6: lambda u, v: (v, 1 - u),          # stored turned 90 degrees counter-clockwise: shown turned clockwise
    7: lambda u, v: (1 - v, 1 - u),      # transverse
    8: lambda u, v: (1 - v, u),          # stored turned clockwise: shown turned counter-clockwise
}


def upright_to_stored(box: Sequence[float], orientation: Optional[int]) -> tuple[float, float, float, float]:
    """A normalized box (x, y, w, h; x, y its top-left corner) in the upright
    image -> (centre x, centre y, w, h) in the image as stored, before its
    EXIF ``orientation`` is applied (None or unknown values: 1), which is
    how MWG regions are given (immich's metadata/faces/portrait.jpg and its
    orientation-6 twin hold the same face both ways)."""
    x, y, w, h = (float(v) for v in box)
    o = orientation if orientation in _UPRIGHT_TO_STORED else 1
    cx, cy = _UPRIGHT_TO_STORED[o](x + w / 2, y + h / 2)
    if o >= 5:  # a quarter turn swaps width and height
        w, h = h, w
    return cx, cy, w, h


def face_region(name: str, box: Sequence[float], orientation: Optional[int]) -> FaceRegion:
    """The MWG region of a named face whose ``box`` (x, y, w, h) is
    normalized to the upright image, as the catalog keeps faces."""
    return FaceRegion(name, *upright_to_stored(box, orientation))


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


def write_sidecar(path: str, data: SidecarData, walls: Optional[Walls] = None) -> bool:
    """Merge ``data`` into the sidecar at ``path`` (created when missing);
    returns whether the file changed. Never overwrites a sidecar it cannot
    read, nor one that is no regular file, nor (with ``walls``) one whose
    real path lies outside them."""
    if walls is not None and (why := walls.reason(path, "written")):
        raise XmpWriteError(f"the sidecar {display(path)} is {why}")
    if os.path.lexists(path) and not os.path.isfile(path):
        raise XmpWriteError(f"the sidecar {display(path)} is not a regular file; it was left untouched")
    try:
        size = os.path.getsize(path)
    except OSError:
        size = 0
    if size > MAX_SIDECAR_BYTES:
        raise XmpWriteError(f"the sidecar {display(path)} is {size // 1_000_000} MB, more than an XMP sidecar "
                            f"holds (limit {MAX_SIDECAR_BYTES // 1_000_000} MB); it was left untouched")
    try:
        with open(path, "rb") as fh:
            existing: Optional[bytes] = fh.read()
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise XmpWriteError(f"cannot read the sidecar {display(path)}: {exc.strerror or exc}") from None
    if existing is not None and not os.access(path, os.W_OK):
        raise XmpWriteError(f"the sidecar {display(path)} is read-only; it was left untouched")
    try:
        merged = merge(existing, data)
    except ValueError as exc:
        raise XmpWriteError(f"the sidecar {display(path)} is not readable XMP ({exc}); it was left untouched") from None
    if merged == existing:
        return False
    if walls is not None and (why := walls.reason(path, "written")):  # the last look, right before writing
        raise XmpWriteError(f"the sidecar {display(path)} is {why}")
    try:
        write_atomic(path, merged)
    except OSError as exc:
        raise XmpWriteError(f"cannot write the sidecar {display(path)}: {exc.strerror or exc}") from None
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
                        interest: Optional[float] = None, force: bool = False,
                        clear: Sequence[str] = ()) -> Optional[str]:
    """Write (merge) the sidecar of one photo from the catalog: rating, flag,
    label, keywords, best shot / rejected, plus what the caller knows: event
    labels, people names, named face regions, interest (0..1). An argument
    left at None keeps what an earlier call wrote for it, so each stage can
    write its own part. ``clear``: "rating" and/or "label" that an earlier
    write put in the sidecar and the catalog no longer has (rating 0 and no
    label are written then, instead of leaving the old ones for other tools).
    Returns the sidecar's path, or None when the user has not opted in
    (Preferences.xmp_write) and ``force`` is not set."""
    prefs = settings.prefs
    if not (prefs.xmp_write or force):
        return None
    state = catalog.sidecar_state(photo_id)
    if state is None:
        raise XmpWriteError(f"no photo {photo_id} in the catalog")
    path = sidecar_path(state["path"], prefs.xmp_naming, prefs.xmp_folder)
    previous = _read_managed(path)
    state = dict(state, keywords=[k for k in state.get("keywords") or [] if k not in previous])
    if "rating" in clear and state.get("rating") is None:
        state["rating"] = 0
    if "label" in clear and state.get("label") is None:
        state["label"] = ""
    # Sidecars go beside the photos, inside the library, or into the folder
    # chosen for them: never through a link to elsewhere.
    walls = Walls([prefs.xmp_folder]) if prefs.xmp_folder else Walls.of_catalog(catalog)
    write_sidecar(path, photo_sidecar_data(state, events, people, regions, interest), walls)
    if not prefs.xmp_folder and _paired_sidecar(state["path"]) == path:
        # The scanner pairs this sidecar with the photo: record its time so
        # that the next scan does not re-read a file we just wrote ourselves.
        catalog.set_sidecar_mtime(photo_id, os.stat(path).st_mtime_ns)
    return path


def _read_managed(path: str) -> set[str]:
    """Keywords a previous write added (so that the catalog's copy of them,
    read back by a rescan, is not taken for the user's own)."""
    try:
        if not os.path.isfile(path) or os.path.getsize(path) > MAX_SIDECAR_BYTES:
            return set()  # write_sidecar refuses it with a reason
        with open(path, "rb") as fh:
            root, _ = parse_packet(fh.read())
    except (OSError, ValueError):
        return set()
    out: set[str] = set()
    for key in ("ManagedKeywords", "ManagedHierarchy"):
        for el in root.iter(q("photoorg", key)):
            out.update(v.split("|")[-1] for v in list_items(el))
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

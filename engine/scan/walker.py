"""Walking photo folders without tripping over what real disks hold.

Symbolic links to folders are followed once (a loop or a second path to the
same folder is visited once, by device and inode, also across several roots),
and only when their target lies inside the library (``WalkState.walls``: a
link to ``/usr/share`` or to a sibling folder is reported and not followed;
the same holds for a link to a single file);
a file reachable by two names (hard links, symlinks) is listed once; folders
that cannot be listed are reported, not fatal; names need not be valid UTF-8.
Hidden files and folders (a leading dot, which includes the "._" AppleDouble
files macOS leaves on shared drives) and program folders are not photos.
XMP sidecars beside a photo are paired with it (photo.jpg.xmp or photo.xmp,
any case).

Something that vanishes while it is walked is simply not there (the scanner
marks its catalogued photos missing); something that exists but cannot be
looked at (permission denied, an I/O error) is a ``WalkProblem``, and the
scanner leaves the catalogued photos under it alone.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from typing import Iterator, Optional, Union

from ..imaging.decode import IMAGE_EXTENSIONS
from ..paths import display
from ..walls import Walls

VIDEO_EXTENSIONS = frozenset(
    ".mp4 .mov .m4v .avi .mkv .3gp .3g2 .mts .m2ts .wmv .webm .mpg .mpeg .ogv".split()
)
SIDECAR_EXTENSION = ".xmp"
# Folders that hold a program's own data, never the user's photos.
IGNORED_DIRS = frozenset({".git", ".thumbnails", "@eaDir", ".Trash", ".Trashes", "$RECYCLE.BIN", "#recycle"})
# Errors meaning "not there (any more)", as opposed to "there but unreadable".
_GONE = (FileNotFoundError, NotADirectoryError)


@dataclass(frozen=True)
class FileEntry:
    path: str
    kind: str  # "image" | "video"
    size: int
    mtime_ns: int
    sidecar: Optional[str]
    sidecar_mtime_ns: Optional[int]


@dataclass(frozen=True)
class WalkProblem:
    path: str
    reason: str
    is_folder: bool = True  # everything under the path went unseen
    # "unreadable": there but could not be looked at (its catalogued photos
    # stay as they were); "outside": a link leading out of the library (not
    # part of it: what was catalogued through it is no longer there).
    kind: str = "unreadable"


@dataclass
class WalkState:
    """What has been visited; share one between roots so that overlapping
    roots or links between them list each folder and file once."""

    dirs: set[tuple[int, int]] = field(default_factory=set)
    files: set[tuple[int, int]] = field(default_factory=set)
    # The library's roots: links are followed only to inside them. None: no
    # walls beyond the root being walked.
    walls: Optional[Walls] = None


def _outside(entry: os.DirEntry, walls: Walls, is_dir: bool) -> Optional[WalkProblem]:
    """A problem when ``entry`` is a link whose target lies outside the walls."""
    try:
        if not entry.is_symlink():
            return None
    except OSError:
        return None
    if walls.contains(entry.path):
        return None
    target = os.path.realpath(entry.path)
    what = "folder" if is_dir else "file"
    return WalkProblem(
        entry.path,
        f"a link to a {what} outside the library ({display(target)}): not followed; "
        f"scan that {what if is_dir else 'folder'} itself to include it",
        is_folder=is_dir, kind="outside")


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _sidecar_for(name: str, sidecars: dict[str, os.DirEntry]) -> Optional[os.DirEntry]:
    lower = name.lower()
    stem = os.path.splitext(lower)[0]
    return sidecars.get(lower + SIDECAR_EXTENSION) or sidecars.get(stem + SIDECAR_EXTENSION)


def media_kind(name: str) -> Optional[str]:
    ext = os.path.splitext(name)[1].lower()
    if ext in IMAGE_EXTENSIONS:
        return "image"
    if ext in VIDEO_EXTENSIONS:
        return "video"
    return None


def walk(root: str, state: Optional[WalkState] = None) -> Iterator[Union[FileEntry, WalkProblem]]:
    """Yield media files under ``root`` and the problems met on the way."""
    state = state or WalkState()
    walls = state.walls if state.walls is not None else Walls([root])
    try:
        st = os.stat(root)
    except _GONE:
        yield WalkProblem(root, "folder not found")
        return
    except PermissionError:
        yield WalkProblem(root, "permission denied: the folder cannot be opened")
        return
    except OSError as exc:
        yield WalkProblem(root, f"folder cannot be opened: {_why(exc)}")
        return
    if not stat.S_ISDIR(st.st_mode):
        yield WalkProblem(root, "not a folder")
        return
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            fst = os.stat(folder)
        except _GONE:
            continue  # vanished since its parent was listed
        except OSError as exc:
            yield WalkProblem(folder, f"folder cannot be opened: {_why(exc)}")
            continue
        key = (fst.st_dev, fst.st_ino)
        if key in state.dirs:
            continue  # a symlink loop or a second link to the same folder
        state.dirs.add(key)
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except _GONE:
            continue
        except PermissionError:
            yield WalkProblem(folder, "permission denied: the folder cannot be listed")
            continue
        except OSError as exc:
            yield WalkProblem(folder, f"folder cannot be listed: {_why(exc)}")
            continue
        sidecars = {e.name.lower(): e for e in entries if e.name.lower().endswith(SIDECAR_EXTENSION)}
        subdirs = []
        for entry in sorted(entries, key=lambda e: e.name):
            name = entry.name
            if name.startswith("."):
                continue
            kind = media_kind(name)
            try:
                is_dir = entry.is_dir()  # follows symlinks; loops are caught above
            except OSError as exc:
                # A link that points to itself (ELOOP) is, like a dangling
                # one, no content; one that cannot be followed is reported.
                if exc.errno != errno.ELOOP and (kind or isinstance(exc, PermissionError)):
                    yield WalkProblem(entry.path, f"cannot be opened: {_why(exc)}", is_folder=kind is None)
                continue
            if is_dir:
                if name not in IGNORED_DIRS:
                    problem = _outside(entry, walls, True)
                    if problem is not None:
                        yield problem
                    else:
                        subdirs.append(entry.path)
                continue
            if kind is None:
                continue
            problem = _outside(entry, walls, False)
            if problem is not None:
                yield problem
                continue
            try:
                est = entry.stat()
            except _GONE:
                continue  # vanished between listing and stat, or a dangling link
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    continue
                yield WalkProblem(entry.path, f"cannot be read: {_why(exc)}", is_folder=False)
                continue
            if not stat.S_ISREG(est.st_mode):
                continue
            fkey = (est.st_dev, est.st_ino)
            if fkey in state.files:
                continue
            state.files.add(fkey)
            side = _sidecar_for(name, sidecars) if kind == "image" else None
            side_mtime = None
            if side is not None:
                try:
                    side_mtime = side.stat().st_mtime_ns
                except OSError:
                    side = None
            yield FileEntry(
                entry.path, kind, est.st_size, est.st_mtime_ns,
                side.path if side is not None else None, side_mtime,
            )
        stack.extend(reversed(subdirs))

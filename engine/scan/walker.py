"""Walking photo folders without tripping over what real disks hold.

Symbolic links to folders are followed once (a loop or a second path to the
same folder is visited once, by device and inode); a file reachable by two
names (hard links, symlinks) is listed once; folders that cannot be listed are
reported, not fatal; names need not be valid UTF-8. XMP sidecars beside a
photo are paired with it (photo.jpg.xmp or photo.xmp, any case).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from typing import Iterator, Optional, Union

from ..imaging.decode import IMAGE_EXTENSIONS

VIDEO_EXTENSIONS = frozenset(
    ".mp4 .mov .m4v .avi .mkv .3gp .3g2 .mts .m2ts .wmv .webm .mpg .mpeg .ogv".split()
)
SIDECAR_EXTENSION = ".xmp"
# Folders that hold a program's own data, never the user's photos.
IGNORED_DIRS = frozenset({".git", ".thumbnails", "@eaDir", ".Trash", ".Trashes", "$RECYCLE.BIN", "#recycle"})


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


def _sidecar_for(name: str, sidecars: dict[str, os.DirEntry]) -> Optional[os.DirEntry]:
    lower = name.lower()
    stem = os.path.splitext(lower)[0]
    return sidecars.get(lower + SIDECAR_EXTENSION) or sidecars.get(stem + SIDECAR_EXTENSION)


def walk(root: str) -> Iterator[Union[FileEntry, WalkProblem]]:
    """Yield media files under ``root`` and the problems met on the way."""
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()
    try:
        st = os.stat(root)
    except FileNotFoundError:
        yield WalkProblem(root, "folder not found")
        return
    except PermissionError:
        yield WalkProblem(root, "permission denied: the folder cannot be opened")
        return
    except OSError as exc:
        yield WalkProblem(root, f"folder cannot be opened: {exc.strerror or exc}")
        return
    if not stat.S_ISDIR(st.st_mode):
        yield WalkProblem(root, "not a folder")
        return
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            fst = os.stat(folder)
        except OSError as exc:
            yield WalkProblem(folder, f"folder vanished or cannot be opened: {exc.strerror or exc}")
            continue
        key = (fst.st_dev, fst.st_ino)
        if key in seen_dirs:
            continue  # a symlink loop or a second link to the same folder
        seen_dirs.add(key)
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except PermissionError:
            yield WalkProblem(folder, "permission denied: the folder cannot be listed")
            continue
        except OSError as exc:
            yield WalkProblem(folder, f"folder cannot be listed: {exc.strerror or exc}")
            continue
        sidecars = {e.name.lower(): e for e in entries if e.name.lower().endswith(SIDECAR_EXTENSION)}
        subdirs = []
        for entry in sorted(entries, key=lambda e: e.name):
            try:
                if entry.is_dir():  # follows symlinks; loops are caught above
                    if entry.name not in IGNORED_DIRS and not entry.name.startswith("."):
                        subdirs.append(entry.path)
                    continue
                ext = os.path.splitext(entry.name)[1].lower()
                if ext in IMAGE_EXTENSIONS:
                    kind = "image"
                elif ext in VIDEO_EXTENSIONS:
                    kind = "video"
                else:
                    continue
                est = entry.stat()
            except FileNotFoundError:
                continue  # vanished between listing and stat: not there
            except OSError as exc:
                yield WalkProblem(entry.path, f"cannot be read: {exc.strerror or exc}")
                continue
            if not stat.S_ISREG(est.st_mode):
                continue
            fkey = (est.st_dev, est.st_ino)
            if fkey in seen_files:
                continue
            seen_files.add(fkey)
            side = _sidecar_for(entry.name, sidecars) if kind == "image" else None
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

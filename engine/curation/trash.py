"""The freedesktop.org trash (Trash specification 1.0), implemented here.

Why not ``send2trash``: undo must know exactly where each file went, and that
name must be in the journal *before* the file moves. send2trash picks the name
itself and returns nothing, so a crash between its move and our journal write
would leave a file in the trash that no journal knows about. Implementing the
spec's few rules ourselves gives the name up front:

- home trash ``$XDG_DATA_HOME/Trash`` (default ``~/.local/share/Trash``) for
  files on the same file system; ``files/NAME`` holds the file and
  ``info/NAME.trashinfo`` its original path (URL-encoded) and deletion date;
- files on another file system go to that file system's top folder:
  ``$topdir/.Trash/$uid`` when an administrator made ``$topdir/.Trash`` (a
  sticky, non-symlink folder), else ``$topdir/.Trash-$uid`` (created 0700),
  with paths relative to ``$topdir``; when neither can be used, to the home
  trash by a verified copy;
- the .trashinfo file is created first with O_EXCL: that atomically reserves
  the name against every other program using the same trash.
"""

from __future__ import annotations

import os
import stat
import time
import urllib.parse
from dataclasses import dataclass
from typing import Optional

INFO_SUFFIX = ".trashinfo"
NAME_MAX = 255


@dataclass(frozen=True)
class TrashDir:
    root: str
    topdir: Optional[str]  # None for the home trash (absolute paths in .trashinfo)

    @property
    def files(self) -> str:
        return os.path.join(self.root, "files")

    @property
    def info(self) -> str:
        return os.path.join(self.root, "info")

    def info_path(self, name: str) -> str:
        return os.path.join(self.info, name + INFO_SUFFIX)

    def file_path(self, name: str) -> str:
        return os.path.join(self.files, name)


def home_trash_root() -> str:
    data = os.environ.get("XDG_DATA_HOME", "")
    if not data or not os.path.isabs(data):  # the spec ignores relative values
        data = os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(data, "Trash")


def _existing_ancestor(path: str) -> str:
    path = os.path.abspath(path)
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path


def _dev(path: str) -> int:
    return os.stat(_existing_ancestor(path)).st_dev


def mount_point(path: str) -> str:
    """The top folder of the file system holding ``path``."""
    path = os.path.realpath(_existing_ancestor(path))
    dev = os.stat(path).st_dev
    while True:
        parent = os.path.dirname(path)
        if parent == path or os.stat(parent).st_dev != dev:
            return path
        path = parent


def _ensure(root: str) -> TrashDir:
    os.makedirs(os.path.dirname(root), mode=0o700, exist_ok=True)  # e.g. a new ~/.local/share
    for folder in (root, os.path.join(root, "files"), os.path.join(root, "info")):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass
    st = os.lstat(root)
    if not stat.S_ISDIR(st.st_mode):
        raise NotADirectoryError(root)
    return TrashDir(root, None)


def _usable_topdir_trash(top: str) -> Optional[TrashDir]:
    uid = os.getuid()
    shared = os.path.join(top, ".Trash")
    try:
        st = os.lstat(shared)
        if stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_ISVTX:
            root = os.path.join(shared, str(uid))
            _ensure(root)
            return TrashDir(root, top)
    except OSError:
        pass
    root = os.path.join(top, f".Trash-{uid}")
    try:
        _ensure(root)
        st = os.lstat(root)
        if stat.S_ISDIR(st.st_mode) and st.st_uid == uid and os.access(os.path.join(root, "info"), os.W_OK):
            return TrashDir(root, top)
    except OSError:
        pass
    return None


class TrashLocator:
    """Picks the trash for each file, once per file system."""

    def __init__(self) -> None:
        self.home_root = home_trash_root()
        self._by_dev: dict[int, TrashDir] = {}

    def for_file(self, path: str) -> TrashDir:
        dev = _dev(os.path.dirname(path))
        if dev not in self._by_dev:
            if dev == _dev(self.home_root):
                self._by_dev[dev] = _ensure(self.home_root)
            else:
                top = mount_point(os.path.dirname(path))
                self._by_dev[dev] = _usable_topdir_trash(top) or _ensure(self.home_root)
        return self._by_dev[dev]


def info_text(original: str, trash: TrashDir, when: Optional[float] = None) -> bytes:
    path = original
    if trash.topdir is not None:
        rel = os.path.relpath(original, trash.topdir)
        if not rel.startswith(os.pardir):
            path = rel
    quoted = urllib.parse.quote(os.fsencode(path), safe="/")
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(when or time.time()))
    return f"[Trash Info]\nPath={quoted}\nDeletionDate={stamp}\n".encode("ascii")


def original_path_in(info_file: str) -> Optional[str]:
    """The original path a .trashinfo file records (absolute), or None."""
    try:
        with open(info_file, "rb") as fh:
            lines = fh.read(64 * 1024).splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(b"Path="):
            path = os.fsdecode(urllib.parse.unquote_to_bytes(line[5:].strip()))
            if not os.path.isabs(path):
                # topdir trash: relative to the folder holding .Trash-$uid
                # (or .Trash/$uid)
                root = os.path.dirname(os.path.dirname(info_file))
                top = os.path.dirname(root)
                if os.path.basename(top) == ".Trash":
                    top = os.path.dirname(top)
                path = os.path.join(top, path)
            return path
    return None


def _fit(stem: str, ext: str, suffix: str) -> str:
    """A name of at most NAME_MAX bytes once ``.trashinfo`` is appended."""
    limit = NAME_MAX - len(INFO_SUFFIX.encode())
    name = stem + suffix + ext
    while len(os.fsencode(name)) > limit and stem:
        stem = stem[:-1]
        name = stem + suffix + ext
    return name


def free_name(trash: TrashDir, basename: str, taken: set[str]) -> str:
    """A name free in this trash (files/ and info/) and not in ``taken``."""
    stem, ext = os.path.splitext(basename)
    if not stem:
        stem, ext = basename, ""
    n = 1
    while True:
        name = _fit(stem, ext, "" if n == 1 else f".{n}")
        if (name not in taken and not os.path.lexists(trash.file_path(name))
                and not os.path.lexists(trash.info_path(name))):
            return name
        n += 1


def reserve(info_path: str, content: bytes) -> None:
    """Create the .trashinfo exclusively (FileExistsError if taken).

    Not fsynced one by one (that would double the cost of a curation): undo
    finds files through the journal, which is synced, and accepts an info
    file that a power cut left empty."""
    fd = os.open(info_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, content)
    finally:
        os.close(fd)

"""The library's walls: which real paths the organizer may read, move or write.

A library is the folders the user scanned (its roots). Links inside them may
point anywhere (``/usr/share``, a sibling folder, another disk), and a catalog
is a file that anyone can edit, so every place that reads or changes files
asks here, with the *real* path (``os.path.realpath``: every link resolved),
right before it acts:

- the scanner follows a link only when its target lies inside a root;
- curation moves a file out of the library, and undo puts one back, only
  when the file's real path lies inside a root;
- sidecars are written only inside a root (or inside the folder the user
  chose for sidecars).

The check is a string comparison of resolved paths; it costs one
``realpath`` per file.
"""

from __future__ import annotations

import os
from typing import Iterable, Optional

from .errors import PhotoOrgError
from .paths import display


class OutsideLibrary(PhotoOrgError):
    """A path whose real location lies outside every library folder."""


def real(path: str) -> str:
    """The absolute path with every symbolic link resolved (also for a path
    that does not exist yet: its existing folders are resolved)."""
    return os.path.realpath(os.path.abspath(os.path.expanduser(path)))


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep) or folder == os.sep


class Walls:
    """The real paths of a library's roots (plus any extra allowed folders)."""

    def __init__(self, roots: Iterable[str], extra: Iterable[Optional[str]] = ()) -> None:
        folders = [real(r) for r in roots] + [real(e) for e in extra if e]
        self.folders = sorted(set(folders))

    @classmethod
    def of_catalog(cls, catalog, extra: Iterable[Optional[str]] = ()) -> "Walls":
        return cls(catalog.roots(), extra)

    def contains(self, path: str) -> bool:
        """Does the real location of ``path`` lie inside the walls?"""
        where = real(path)
        return any(_under(where, f) for f in self.folders)

    def reason(self, path: str, action: str = "touched") -> Optional[str]:
        """None when ``path`` is inside, else why it is refused."""
        if self.contains(path):
            return None
        where = real(path)
        via = "" if where == os.path.abspath(path) else f" (it leads to {display(where)})"
        return f"outside the library folders{via}: not {action}"

    def check(self, path: str, action: str = "touched") -> None:
        """Raise ``OutsideLibrary`` when ``path`` is outside the walls."""
        why = self.reason(path, action)
        if why:
            raise OutsideLibrary(f"{display(path)} is {why}")

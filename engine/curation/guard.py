"""The last check before a curation moves a file, whatever the catalog says.

The journal and the catalog are files anyone can edit (or a link inside the
library may lead elsewhere): a photo's path may point out of the library, a
destination anywhere. So right before each move, and before undo puts a file
back, the real paths are checked:

- the library side (the photo moved out, the path restored to) must lie
  inside the library's roots (``walls.Walls``);
- the other side must be where a curation sends files: a freedesktop trash
  (``ROOT/files/NAME`` with its ``ROOT/info/NAME.trashinfo``) or the
  transaction's quarantine folder.
"""

from __future__ import annotations

import os
from typing import Optional

from ..paths import display
from ..walls import Walls, real
from . import trash as fdo


def library_walls(catalog) -> Walls:
    return Walls.of_catalog(catalog)


def _is_trash_root(root: str) -> bool:
    name = os.path.basename(root.rstrip(os.sep))
    parent = os.path.basename(os.path.dirname(root.rstrip(os.sep)))
    return (real(root) == real(fdo.home_trash_root()) or name.startswith(".Trash-")
            or (parent == ".Trash" and name.isdigit()))


def destination_reason(dest: Optional[str], info: Optional[str], quarantine_dir: Optional[str]) -> Optional[str]:
    """None when ``dest`` is a place a curation sends files to, else why not."""
    if not dest:
        return "the journal names no destination: not moved"
    if quarantine_dir:
        base = real(quarantine_dir)
        if real(dest).startswith(base.rstrip(os.sep) + os.sep):
            return None
        return f"its destination {display(dest)} is not inside the quarantine folder {display(quarantine_dir)}: not moved"
    files = os.path.dirname(dest)
    root = os.path.dirname(files)
    if (os.path.basename(files) == "files" and info is not None
            and os.path.dirname(info) == os.path.join(root, "info")
            and os.path.basename(info) == os.path.basename(dest) + fdo.INFO_SUFFIX
            and _is_trash_root(root)):
        return None
    return f"its destination {display(dest)} is not a trash folder: not moved"

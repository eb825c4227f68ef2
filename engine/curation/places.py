"""Which copy of an exact duplicate sits in the most meaningful place.

Identical bytes, different paths: the copy a person filed in an album-like
folder matters more than the one in Downloads, a messenger's media folder or a
temporary folder, and an original name (``IMG_1234.jpg``) more than an
exported or edited copy (``IMG_1234-edited.jpg``, ``IMG_1234 (1).jpg``,
``export/``). Ties go to the shorter path, then the older file.
"""

from __future__ import annotations

import os
import re
from typing import Sequence

# Folder names (lower case) that hold transient or received copies.
TRANSIENT_FOLDERS = {
    "downloads", "download", "tmp", "temp", ".tmp", "cache", ".cache", "caches", "trash", ".trash",
    "whatsapp", "whatsapp images", "whatsapp business images", "sent", "telegram", "telegram images",
    "signal", "messenger", "facebook", "instagram", "snapchat", "received", "inbox", "attachments",
    "bluetooth", "airdrop", "dropbox camera uploads", "lost+found", "backup", "backups", "old",
}
TRANSIENT_PARTS = re.compile(r"whatsapp|telegram|download|\btemp\b|\btmp\b|\.trash|trash-\d|cache", re.I)
# Folder names that hold exported or edited renderings.
EXPORT_FOLDERS = {"export", "exports", "exported", "edited", "edits", "output", "out", "converted",
                  "resized", "web", "share", "shared", "for web", "copies", "copy"}
# File names of copies: "x (1).jpg", "x copy.jpg", "Copy of x", "x-edited", "x_export", "x~2".
COPY_NAME = re.compile(
    r"(\(\d+\)$|[ _-]copy( \d+)?$|^copy of |[ _-](edit|edited|export|exported|final|small|web|resized)$|~\d+$)",
    re.I,
)
# Folder names that are only a device's default, not a person's filing.
GENERIC_FOLDERS = {"dcim", "camera", "pictures", "photos", "images", "img", "100apple", "100andro",
                   "100media", "camera roll", "screenshots", "home", "users", "mnt", "media", "data"}
ALBUM_HINT = re.compile(r"[a-z]{3,}", re.I)


def _parts(path: str) -> list[str]:
    return [p for p in os.path.dirname(path).split(os.sep) if p]


def place_score(path: str, skip: int = 0) -> tuple[int, int, int]:
    """(transient, exported, not_album): lower is a more meaningful place.
    ``skip`` leading folders (those every candidate shares) are not judged:
    a library under /tmp is not "temporary" relative to its own copies."""
    folders = [p.lower() for p in _parts(path)][skip:]
    transient = int(any(f in TRANSIENT_FOLDERS or TRANSIENT_PARTS.search(f) for f in folders))
    stem = os.path.splitext(os.path.basename(path))[0].strip()
    exported = int(any(f in EXPORT_FOLDERS for f in folders) or bool(COPY_NAME.search(stem)))
    # An album-like parent: a named folder, not a device default or a bare
    # number (a person wrote "Paris 2019" or "Birthday Anna").
    parent = folders[-1] if folders else ""
    album = bool(parent) and parent not in GENERIC_FOLDERS and bool(ALBUM_HINT.search(parent)) \
        and not transient and parent not in EXPORT_FOLDERS
    return transient, exported, int(not album)


def best_copy(paths: Sequence[tuple[int, str, int]]) -> int:
    """Given (photo_id, path, mtime_ns) of identical copies, the id to keep."""
    folder_lists = [_parts(p) for _, p, _ in paths]
    shared = 0
    while all(len(f) > shared for f in folder_lists) and len({f[shared] for f in folder_lists}) == 1:
        shared += 1

    def key(item: tuple[int, str, int]):
        photo_id, path, mtime_ns = item
        return (*place_score(path, shared), len(path.split(os.sep)), len(path), mtime_ns, photo_id)

    return min(paths, key=key)[0]

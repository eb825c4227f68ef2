"""Paths as the catalog stores them.

File names on Linux are bytes and need not be UTF-8. SQLite text must be, so a
photo's path is stored as readable text (undecodable bytes shown as ``\\xNN``)
plus, only for such names, the exact bytes in ``raw_path``. ``fs_path`` gives
back the name the operating system knows.
"""

from __future__ import annotations

import os
from typing import Optional


def to_db(path: str) -> tuple[str, Optional[bytes]]:
    raw = os.fsencode(path)
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace"), raw


def fs_path(text: str, raw: Optional[bytes] = None) -> str:
    return os.fsdecode(raw) if raw else text


def display(path: str) -> str:
    """A printable form of any OS path (for messages and JSON)."""
    return to_db(path)[0]

"""The one-writer rule across processes: an advisory lock beside the catalog.

SQLite's own locking would let a second window write too and then fail later
with "database is locked"; a lock file taken at open time gives a clear error
up front, naming the process that holds it. Within one process the lock is
shared (reference-counted), because flock locks belong to an open file and a
second open in the same process would otherwise lock itself out.
"""

from __future__ import annotations

import fcntl
import os
import sys
import threading
from pathlib import Path

from ..errors import CatalogLocked, CatalogUnreadable

_held: dict[str, list[int]] = {}  # lock path -> [fd, refcount]
_guard = threading.Lock()


def lock_path_for(catalog_path: Path) -> Path:
    """The lock file beside the catalog's real file: two names (links) of one
    catalog take the same lock."""
    real = Path(catalog_path).expanduser().resolve()
    return real.with_name(real.name + ".lock")


def acquire(catalog_path: Path) -> None:
    path = str(lock_path_for(catalog_path).resolve())
    with _guard:
        if path in _held:
            _held[path][1] += 1
            return
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise CatalogUnreadable(
                f"cannot open the lock file {path} beside the catalog ({exc.strerror or exc}); "
                "check that its folder is writable, or pass --catalog to use another catalog"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if not isinstance(exc, BlockingIOError):
                os.close(fd)
                raise CatalogUnreadable(
                    f"cannot lock the catalog {catalog_path} ({exc.strerror or exc}); its file system "
                    "may not support locks: keep the catalog on a local disk"
                ) from None
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
            os.close(fd)
            raise CatalogLocked(
                f"the catalog {catalog_path} is in use by another photoorg window or "
                f"command ({holder}); close it first, or pass --catalog to use another catalog"
            ) from None
        holder = f"pid {os.getpid()}: {' '.join(os.path.basename(a) for a in sys.argv[:2])}"
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, holder.encode(), 0)
        except OSError:
            pass  # a full disk: the lock holds without the holder's name (the catalog then says why it cannot write)
        _held[path] = [fd, 1]


def release(catalog_path: Path) -> None:
    path = str(lock_path_for(catalog_path).resolve())
    with _guard:
        entry = _held.get(path)
        if not entry:
            return
        entry[1] -= 1
        if entry[1] == 0:
            fd = entry[0]
            del _held[path]
            try:
                os.ftruncate(fd, 0)
                fcntl.flock(fd, fcntl.LOCK_UN)
            except OSError:
                pass
            os.close(fd)

"""Faults (a full or read-only disk, a damaged catalog, a bug) as one sentence.

Domain code raises ``PhotoOrgError`` with a message written for the user;
whatever else reaches the top of a command or a stage (``OSError``,
``sqlite3.Error``, ``MemoryError``, a bug) goes through ``describe_fault``,
so that the user reads what happened and what to do, never a traceback.
"""

from __future__ import annotations

import errno
import os
import sqlite3

from .catalog.db import catalog_fault
from .paths import display


_OS_FAULTS = {
    errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted", errno.EIO: "input/output error (a failing or removed disk?)",
    errno.ENOENT: "a file or folder is missing", errno.ENOTDIR: "a folder in the path is a file",
    errno.EMFILE: "too many open files", errno.ENOMEM: "not enough memory",
}


def describe_fault(exc: BaseException, catalog_path=None) -> str:
    """One sentence for an error no domain code turned into one: a full or
    read-only disk, a damaged catalog, an unexpected bug. The command line
    prints it instead of a traceback (``-v`` prints the traceback too)."""
    if isinstance(exc, sqlite3.Error):
        fault = catalog_fault(exc, catalog_path or "")
        if fault is not None:
            return str(fault)
        return f"the catalog could not be used ({exc})"
    if isinstance(exc, MemoryError):
        return "not enough memory for this command; close other programs or run it on fewer photos"
    if isinstance(exc, OSError):
        what = _OS_FAULTS.get(exc.errno or 0, exc.strerror or str(exc))
        where = f" ({display(os.fsdecode(exc.filename))})" if exc.filename else ""
        hint = "; free some space and run the command again (work done so far is kept)" \
            if exc.errno in (errno.ENOSPC, errno.EDQUOT) else ""
        return f"{what}{where}{hint}"
    return (f"unexpected error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]} "
            "(run with -v for the details; work done so far is kept)")


def is_fault(exc: BaseException) -> bool:
    """An error of the machine (disk, memory, catalog file), not a bug."""
    return isinstance(exc, (OSError, MemoryError)) or (
        isinstance(exc, sqlite3.Error) and catalog_fault(exc, "") is not None)

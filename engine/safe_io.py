"""Reading files that may be anything: a FIFO, a device, a socket, a giant.

A library is full of names that only look like photos. Opening a FIFO for
reading blocks until a writer comes (forever, in a scan), a character device
never ends, and a 50 MB "sidecar" is not one. ``read_regular`` opens without
blocking, checks with ``fstat`` that the name is a regular file, and reads at
most ``limit`` bytes; anything else is a ``NotRegularFile`` or ``TooLarge``
whose message is a skip reason.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import threading
from typing import Iterator

from .errors import PhotoOrgError


class NotRegularFile(PhotoOrgError):
    """The name is a FIFO, a device, a socket or a folder: never read."""


class TooLarge(PhotoOrgError):
    """The file is larger than what this kind of file can reasonably be."""


def kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def open_regular(path: str) -> int:
    """A file descriptor of ``path`` opened for reading, only when it is a
    regular file (checked on the open file, so a name swapped meanwhile does
    not slip through). The caller closes it."""
    st = os.stat(path)  # a device is not even opened (opening some has effects)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(f"{kind_of(st.st_mode)}, not a file: never opened for reading")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(f"{kind_of(st.st_mode)}, not a file: never opened for reading")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: str, limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes."""
    fd = open_regular(path)
    with os.fdopen(fd, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            raise TooLarge(f"the {what} is {size / 1e6:.1f} MB, above the {limit / 1e6:.0f} MB limit for a {what}: "
                           "ignored")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"the {what} grew above the {limit / 1e6:.0f} MB limit for a {what} while it was read: ignored")
    return data


class TimeBudgetExceeded(BaseException):  # not swallowed by a library's "except Exception"
    """Raised inside ``time_budget`` when the time is up."""


@contextlib.contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise ``TimeBudgetExceeded`` in the block after ``seconds`` (a damaged
    EXIF block can send a pure-Python parser round for a minute). Works in a
    process's main thread (scan workers, the command line); elsewhere (a
    window's thread) the block runs without a limit."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum, frame):
        raise TimeBudgetExceeded()

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

"""Small helpers for wiring Qt signals safely.

A Python slot connected to a signal must return None: PySide6 6.x releases
a slot's return value one time too many, which after enough calls frees
``True`` itself and aborts the process ("bool_dealloc"). Every lambda slot
that would return something goes through these helpers instead.
"""

from __future__ import annotations

from typing import Any, Callable


def start_once(timer) -> None:
    """Start a single-shot coalescing timer unless it is already running."""
    if not timer.isActive():
        timer.start()


def slot(fn: Callable[..., Any], *args: Any) -> Callable[..., None]:
    """A slot that ignores the signal's arguments, calls ``fn(*args)`` and returns None."""

    def call(*_ignored: Any) -> None:
        fn(*args)

    return call


_guarded = False


def guard_pyside_refcount_bug() -> bool:
    """Work around a PySide6 6.12 bug: ``SignalInstance.emit()`` (and
    ``disconnect()``) return ``True`` without taking a reference to it, so
    every emit from Python drops one reference to ``True``; on Python 3.11,
    where ``True`` is not immortal, a long session reaches zero and the
    process aborts ("bool_dealloc"). Detected at run time (a few emits on a
    private signal); only when the bug is there, ``True``'s count is raised by
    a margin no session can use up. Returns whether the guard was needed."""
    global _guarded
    if _guarded:
        return True
    import ctypes
    import sys

    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    if lost <= 0:
        return False
    # True lives as long as the interpreter: extra references cost nothing.
    ctypes.c_ssize_t.from_address(id(True)).value += 1 << 40
    ctypes.c_ssize_t.from_address(id(False)).value += 1 << 40
    _guarded = True
    return True

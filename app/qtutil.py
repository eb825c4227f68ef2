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

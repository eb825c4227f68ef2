"""Progress reporting and cancellation shared by every long engine task.

Long work takes a ``ProgressCallback`` and a ``CancelToken``; the CLI turns the
callbacks into a bar on stderr, the GUI into its status strip.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from .errors import Cancelled


@dataclass(frozen=True)
class Progress:
    stage: str
    done: int
    total: Optional[int]  # None while the total is still unknown (walking)
    message: str = ""
    rate: float = 0.0  # items per second over the stage so far
    eta_s: Optional[float] = None


ProgressCallback = Callable[[Progress], None]


def no_progress(_: Progress) -> None:
    """A callback that ignores progress (the default)."""


class CancelToken:
    """Thread-safe flag a caller sets to stop long work at the next item."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


@dataclass
class ProgressMeter:
    """Turns counts into throttled ``Progress`` events with rate and ETA."""

    stage: str
    callback: ProgressCallback = no_progress
    total: Optional[int] = None
    min_interval_s: float = 0.1
    done: int = 0
    _started: float = field(default_factory=time.monotonic)
    _last_emit: float = 0.0

    def advance(self, n: int = 1, message: str = "", force: bool = False) -> None:
        self.done += n
        now = time.monotonic()
        if force or now - self._last_emit >= self.min_interval_s:
            self._last_emit = now
            self.emit(message)

    def emit(self, message: str = "") -> None:
        elapsed = max(time.monotonic() - self._started, 1e-6)
        rate = self.done / elapsed
        eta = None
        if self.total is not None and rate > 0:
            eta = max(self.total - self.done, 0) / rate
        self.callback(Progress(self.stage, self.done, self.total, message, rate, eta))

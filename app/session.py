"""One open catalog and everything that works on it: the catalog (opened
once), the settings with the stored preferences, the task runner, the
thumbnail cache, the undo stack, the XMP sidecar writer, and the interest
signals the window logs (a photo opened large). Views receive the session; switching
catalogs closes one session and opens another.
"""

from __future__ import annotations

import logging
import time
from typing import Optional

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from photoorg.engine.catalog import Catalog
from photoorg.engine.progress import Progress
from photoorg.engine.settings import Preferences, Settings

from .changes import Change, from_word
from .sidecars import SidecarWriter
from .thumbs import ThumbnailCache
from .workers import Task, TaskRunner

log = logging.getLogger(__name__)

# While a scan or analysis writes, views refresh at most this often.
LIVE_REFRESH_S = 1.0


class Session(QObject):
    # What changed (``changes.Change`` flags): views reload what they show.
    changed = Signal(object)
    # The older word form ("scan", "people"...), bridged to ``changed``;
    # new code calls ``notify``.
    library_changed = Signal(str)
    # Some photos' rows changed (flags, ratings, picks): their ids.
    photos_changed = Signal(list)
    # A readable error from any task, for the window's banner.
    error = Signal(str)
    message = Signal(str)
    # The session is about to close: views stop their own loader threads.
    closing = Signal()

    def __init__(self, settings: Settings, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.catalog = Catalog(settings.catalog_path)
        prefs = Preferences.from_dict(self.catalog.get_pref("preferences", {}) or {})
        self.settings = settings.with_prefs(prefs)
        self.runner = TaskRunner(self)
        self.thumbs = ThumbnailCache(self.settings.thumbs_dir, parent=self)
        self.undo = QUndoStack(self)
        self.sidecars = SidecarWriter(self)
        self._opened: set[int] = set()
        self._last_live = 0.0
        self._live_pending = Change.none()
        self._live_timer = QTimer(self, singleShot=True)
        self._live_timer.timeout.connect(self._emit_live)
        self.closed = False
        self.library_changed.connect(lambda word: self.notify(from_word(word)))

    # -- preferences -------------------------------------------------------------------
    def save_prefs(self, prefs: Preferences) -> Task:
        """Store the preferences under the key the command line reads too."""
        self.settings = self.settings.with_prefs(prefs)
        return self.runner.call(
            "save settings", lambda: self.catalog.set_pref("preferences", prefs.to_dict()), lane="edit",
            on_done=lambda _: self.notify(Change.PREFS), on_error=self.error.emit)

    # -- interest signals -----------------------------------------------------------------
    def record_open(self, photo_id: int) -> Optional[Task]:
        """The user opened a photo large: an "open" decision (a mild sign of
        interest the interest model learns from), once per photo per session."""
        if photo_id is None or photo_id < 0 or photo_id in self._opened or self.closed:
            return None
        self._opened.add(photo_id)
        catalog = self.catalog
        return self.runner.call("log an opened photo", lambda: catalog.record_decision("open", photo_id=photo_id),
                                lane="edit", on_error=lambda msg: log.info("open not logged: %s", msg))

    # -- live refresh while work writes --------------------------------------------------
    def notify(self, kinds: Change) -> None:
        """Tell every view what changed (one or several kinds)."""
        if kinds and not self.closed:
            self.changed.emit(kinds)

    def live_changed(self, kinds: Change = Change.PROGRESS) -> None:
        """Called on progress of writing work: views refresh, throttled."""
        if isinstance(kinds, str):  # the older word form
            kinds = from_word(kinds)
        self._live_pending |= kinds
        wait = LIVE_REFRESH_S - (time.monotonic() - self._last_live)
        if wait <= 0:
            self._emit_live()
        elif not self._live_timer.isActive():
            self._live_timer.start(int(wait * 1000))

    def _emit_live(self) -> None:
        if self._live_pending and not self.closed:
            self._last_live = time.monotonic()
            self.thumbs.forget_missing()
            kinds, self._live_pending = self._live_pending, Change.none()
            self.notify(kinds)

    # -- closing ---------------------------------------------------------------------------
    def close(self, timeout_s: float = 15.0) -> bool:
        """Cancel all work, wait for it, close the catalog. True if work stopped in time."""
        if self.closed:
            return True
        self.closed = True
        self.closing.emit()
        self._live_timer.stop()
        stopped = self.runner.shutdown(timeout_s)
        self.thumbs.shutdown()
        if stopped:
            if self.settings.prefs.xmp_write:
                try:  # edits made just before closing still get their sidecars
                    self.sidecars.flush()
                except Exception:  # noqa: BLE001 - closing goes on
                    log.warning("sidecars not written while closing", exc_info=True)
            self.catalog.close()
        else:
            log.warning("background work did not stop in %.0f s; the catalog is left to the process exit", timeout_s)
        return stopped


def progress_text(p: Progress) -> str:
    """'read 1,234 / 10,000 · 85/s · about 1 min left · IMG_0001.JPG'"""
    parts = [f"{p.stage} {p.done:,}" + (f" / {p.total:,}" if p.total else "")]
    if p.rate >= 0.1:
        parts.append(f"{p.rate:,.0f}/s" if p.rate >= 10 else f"{p.rate:.1f}/s")
    if p.eta_s is not None and p.total and p.done < p.total:
        parts.append(f"{format_duration(p.eta_s)} left")
    if p.message:
        parts.append(p.message)
    return " · ".join(parts)


def format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def format_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"

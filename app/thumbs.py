"""Thumbnails for the grid: read off the GUI thread, kept in an LRU cache.

The scanner writes one JPEG per content hash into ``settings.thumbs_dir``
(``thumb_path``). Here two loader threads read and shrink them into QImages
(QImage is safe to use outside the GUI thread, QPixmap is not). Requests are
served newest first, and the queue is bounded, so fast scrolling loads what
is on screen now rather than what was on screen a second ago. A thumbnail not
written yet (the scan is still running) is retried after ``forget_missing``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QImageReader

from photoorg.engine.imaging.thumbnails import thumb_path
from photoorg.engine.video.browse import poster_path_for_key

from .workers import lower_priority

MAX_PENDING = 400  # older requests than this are dropped (scrolled away)


class ThumbnailCache(QObject):
    """``get(hash)`` returns a QImage or None (and queues a load); ``ready``
    fires on the GUI thread when a queued one arrives."""

    ready = Signal(str)

    def __init__(self, thumbs_dir: Path, *, capacity: int = 4000, max_px: int = 320,
                 threads: int = 2, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.thumbs_dir = Path(thumbs_dir)
        self.capacity = capacity
        self.max_px = max_px
        self._cache: "OrderedDict[str, QImage]" = OrderedDict()
        self._missing: set[str] = set()
        self._pending: "OrderedDict[str, None]" = OrderedDict()  # newest last
        self._cond = threading.Condition()
        self._stop = False
        self.loaded = 0
        self._loaded.connect(self._store, Qt.ConnectionType.QueuedConnection)
        self._threads = [threading.Thread(target=self._loop, name=f"photoorg-thumbs-{i}", daemon=True)
                         for i in range(threads)]
        for t in self._threads:
            t.start()

    # -- GUI thread ------------------------------------------------------------------
    def get(self, content_hash: str) -> Optional[QImage]:
        image = self._cache.get(content_hash)
        if image is not None:
            self._cache.move_to_end(content_hash)
            return image
        if content_hash not in self._missing:
            self.request(content_hash)
        return None

    def is_missing(self, content_hash: str) -> bool:
        """True when the file was looked for and is not there (yet)."""
        return content_hash in self._missing

    def request(self, content_hash: str) -> None:
        with self._cond:
            if content_hash in self._pending:
                self._pending.move_to_end(content_hash)
            else:
                self._pending[content_hash] = None
                while len(self._pending) > MAX_PENDING:
                    self._pending.popitem(last=False)
            self._cond.notify()

    def set_target(self, px: int) -> None:
        """Load thumbnails at about this size (the grid's cell), so painting
        draws them without scaling; cached ones of another size are dropped."""
        px = max(64, int(px))
        if abs(px - self.max_px) > 0.1 * self.max_px:
            self.max_px = px
            self._cache.clear()

    def forget_missing(self) -> None:
        """Look again for thumbnails that were not there (new scan results)."""
        self._missing.clear()

    def clear(self) -> None:
        self._cache.clear()
        self._missing.clear()

    def shutdown(self) -> None:
        with self._cond:
            self._stop = True
            self._pending.clear()
            self._cond.notify_all()
        for t in self._threads:
            t.join(2.0)

    def _store(self, content_hash: str, image: Optional[QImage]) -> None:
        # Runs on the GUI thread (queued from a loader thread).
        if image is None:
            self._missing.add(content_hash)
            return
        self._cache[content_hash] = image
        self._cache.move_to_end(content_hash)
        while len(self._cache) > self.capacity:
            self._cache.popitem(last=False)
        self.loaded += 1
        self.ready.emit(content_hash)

    # -- loader threads ---------------------------------------------------------------
    _loaded = Signal(str, object)

    def _loop(self) -> None:
        lower_priority()
        while True:
            with self._cond:
                while not self._pending and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                content_hash, _ = self._pending.popitem(last=True)  # newest first
            image = self._read(content_hash)
            if self._stop:
                return
            self._loaded.emit(content_hash, image)

    def _read(self, content_hash: str) -> Optional[QImage]:
        # A video's key names its poster frame (video/browse.py), a photo's its hash.
        path = poster_path_for_key(self.thumbs_dir, content_hash) or thumb_path(self.thumbs_dir, content_hash)
        reader = QImageReader(str(path))
        if not reader.canRead():
            return None
        size = reader.size()
        if size.isValid() and max(size.width(), size.height()) > self.max_px:
            reader.setScaledSize(size.scaled(QSize(self.max_px, self.max_px), Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if image.isNull():
            return None
        return image.convertToFormat(QImage.Format.Format_RGB32)

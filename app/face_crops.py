"""Face crops for the People view, cut off the GUI thread from the photo's
thumbnail (upright, like the normalized face boxes), or from the photo itself
when the face is too small in the thumbnail."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Optional

from PySide6.QtCore import QObject, QRect, Qt, Signal
from PySide6.QtGui import QImage

from photoorg.engine.imaging.thumbnails import thumb_path

from .workers import lower_priority

MIN_PX = 56  # a smaller crop in the thumbnail is cut from the photo instead


class FaceCrops(QObject):
    ready = Signal(int)  # face id
    _loaded = Signal(int, object)

    def __init__(self, thumbs_dir, size: int = 112, capacity: int = 2000, parent=None) -> None:
        super().__init__(parent)
        self.thumbs_dir = thumbs_dir
        self.size = size
        self.capacity = capacity
        self._cache: "OrderedDict[int, QImage]" = OrderedDict()
        self._pending: "OrderedDict[int, object]" = OrderedDict()
        self._asked: set[int] = set()
        self._cond = threading.Condition()
        self._stop = False
        self._loaded.connect(self._store, Qt.ConnectionType.QueuedConnection)
        self._thread = threading.Thread(target=self._loop, name="photoorg-faces", daemon=True)
        self._thread.start()

    def get(self, face) -> Optional[QImage]:
        image = self._cache.get(face.id)
        if image is not None:
            self._cache.move_to_end(face.id)
            return image
        if face.id not in self._asked:
            self._asked.add(face.id)
            with self._cond:
                self._pending[face.id] = face
                self._cond.notify()
        return None

    def shutdown(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(2.0)

    def _store(self, face_id: int, image: Optional[QImage]) -> None:
        if image is None:
            return
        self._cache[face_id] = image
        while len(self._cache) > self.capacity:
            old, _ = self._cache.popitem(last=False)
            self._asked.discard(old)
        self.ready.emit(face_id)

    def _loop(self) -> None:
        lower_priority()
        while True:
            with self._cond:
                while not self._pending and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                face_id, face = self._pending.popitem(last=True)
            try:
                image = self._crop(face)
            except Exception:  # noqa: BLE001 - a bad file shows no crop, never breaks the view
                image = None
            if not self._stop:
                self._loaded.emit(face_id, image)

    def _crop(self, face) -> Optional[QImage]:
        source = QImage(str(thumb_path(self.thumbs_dir, face.content_hash)))
        x, y, w, h = face.box
        if source.isNull() or min(w * source.width(), h * source.height()) < MIN_PX:
            source = self._from_photo(face) or source
        if source.isNull():
            return None
        # A square around the face with some margin, as face grids show them.
        side = max(w * source.width(), h * source.height()) * 1.5
        cx, cy = (x + w / 2) * source.width(), (y + h / 2) * source.height()
        rect = QRect(int(cx - side / 2), int(cy - side / 2), int(side), int(side)).intersected(source.rect())
        crop = source.copy(rect)
        return crop.scaled(self.size, self.size, Qt.AspectRatioMode.KeepAspectRatio,
                           Qt.TransformationMode.SmoothTransformation)

    def _from_photo(self, face) -> Optional[QImage]:
        if not face.path:
            return None
        from photoorg.engine.imaging.decode import decode

        from .widgets.loupe import pil_to_qimage

        want = int(MIN_PX * 2 / max(min(face.box[2], face.box[3]), 0.01))
        return pil_to_qimage(decode(face.path, name=face.path, target=min(want, 2048)))

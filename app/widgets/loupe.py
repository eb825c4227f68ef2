"""The loupe: one photo large. The grid's thumbnail shows at once; the full
image is decoded on the "preview" lane (any format the engine reads, upright)
and replaces it. Left / Right step through the grid, Space / Esc go back,
P / X / 0-5 cull as in the grid."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QWidget

from photoorg.engine.imaging.decode import decode

from .photo_grid import FLAG_KEYS, RATING_KEYS


def pil_to_qimage(im) -> QImage:
    """Runs on a worker thread (QImage, unlike QPixmap, may)."""
    im = im.convert("RGB")
    data = im.tobytes()
    return QImage(data, im.width, im.height, im.width * 3, QImage.Format.Format_RGB888).copy()


class Loupe(QWidget):
    closed = Signal()
    step = Signal(int)
    flag_requested = Signal(object)
    rating_requested = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("Loupe")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.image: Optional[QImage] = None
        self.full = False
        self.caption = ""
        self.error = ""
        self.photo_id = -1
        self._task = None

    def show_photo(self, session, photo_id: int, thumb: Optional[QImage], caption: str, path: str) -> None:
        self.photo_id = photo_id
        self.image = thumb
        self.full = False
        self.error = ""
        self.caption = caption
        self.update()
        if self._task is not None:
            self._task.cancel()
        target = max(self.width(), self.height(), 1024)
        max_mp = session.settings.prefs.max_megapixels

        def load():
            return photo_id, pil_to_qimage(decode(path, name=path, target=target, max_megapixels=max_mp))

        def done(result) -> None:
            pid, image = result
            if pid == self.photo_id:
                self.image, self.full = image, True
                self.update()

        def failed(message: str) -> None:
            if photo_id == self.photo_id:
                self.error = message
                self.update()

        self._task = session.runner.call("preview", load, lane="preview", key="loupe",
                                         on_done=done, on_error=failed)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#111111"))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        area = self.rect().adjusted(16, 16, -16, -36)
        if self.image is not None and not self.image.isNull():
            size = self.image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            if not self.full:  # a thumbnail is not enlarged past twice its size
                size = size.boundedTo(self.image.size() * 2)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(area.center())
            painter.drawImage(target, self.image)
        painter.setPen(QColor("#9a9a9a"))
        status = self.error or ("" if self.full else "loading full size…")
        text = self.caption + (f"   —   {status}" if status else "")
        painter.drawText(self.rect().adjusted(16, 0, -16, -10), Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter, text)
        painter.end()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        key = event.key()
        if key in (Qt.Key.Key_Space, Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.closed.emit()
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self.step.emit(1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self.step.emit(-1)
        elif key in FLAG_KEYS and not event.modifiers():
            self.flag_requested.emit(FLAG_KEYS[key])
        elif key in RATING_KEYS and not event.modifiers():
            self.rating_requested.emit(RATING_KEYS[key])
        else:
            super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        self.closed.emit()

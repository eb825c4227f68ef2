"""Paints one grid cell: the thumbnail (or a placeholder while it loads) and
the badges that make decisions visible: pick / reject flag, stars, the kept
photo of a series, a private photo. Rejected photos are dimmed, as in the
culling tools photographers know."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ..grid_model import RowRole
from ..theme import icon_image

BG = QColor("#161616")
CELL_BG = QColor("#202020")
CELL_HOVER = QColor("#272727")
SELECTED_BG = QColor("#2d3b4a")
SELECTED_FRAME = QColor("#4a90d0")
PLACEHOLDER = QColor("#2a2a2a")
TEXT_DIM = QColor("#7c7c7c")


class ThumbDelegate(QStyledItemDelegate):
    def __init__(self, thumbs, parent=None, cell: int = 180) -> None:
        super().__init__(parent)
        self.thumbs = thumbs
        self.cell = cell
        self._small = QFont()
        self._small.setPointSizeF(8)

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:  # noqa: N802
        return QSize(self.cell, self.cell)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        row = index.data(RowRole)
        if row is None:
            return
        rect: QRect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hover = bool(option.state & QStyle.StateFlag.State_MouseOver)
        current = bool(option.state & QStyle.StateFlag.State_HasFocus)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        cell = rect.adjusted(2, 2, -2, -2)
        painter.fillRect(cell, SELECTED_BG if selected else (CELL_HOVER if hover else CELL_BG))
        area = cell.adjusted(6, 6, -6, -16)
        image = self.thumbs.get(row.content_hash)
        if row.flag == "reject":
            painter.setOpacity(0.35)
        if image is not None:
            if image.width() <= area.width() and image.height() <= area.height() + 4:
                size = image.size()  # loaded at the cell's size: drawn as it is, no scaling
            else:
                size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(area.center())
            painter.drawImage(target, image)
        else:
            painter.fillRect(area.adjusted(8, 8, -8, -8), PLACEHOLDER)
            if self.thumbs.is_missing(row.content_hash):
                painter.setPen(TEXT_DIM)
                painter.setFont(self._small)
                painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "no preview yet")
        painter.setOpacity(1.0)
        self._badges(painter, cell, row)
        if selected or current:
            pen = QPen(SELECTED_FRAME if selected else QColor("#5a5a5a"), 2 if selected else 1)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(cell).adjusted(1, 1, -1, -1))
        painter.restore()

    def _badges(self, painter: QPainter, cell: QRect, row) -> None:
        s = 16
        x = cell.left() + 4
        y = cell.top() + 4
        if row.flag in ("pick", "reject"):
            painter.drawImage(QRect(x, y, s, s), icon_image(row.flag, s))
            x += s + 2
        if row.series_id is not None:
            name = "crown" if row.is_pick else "stack"
            painter.drawImage(QRect(cell.right() - s - 3, cell.top() + 4, s, s), icon_image(name, s))
        if row.private:
            painter.drawImage(QRect(cell.right() - s - 3, cell.top() + 6 + s, s, s), icon_image("lock", s))
        if row.rating and row.rating > 0:
            star = 11
            sx = cell.left() + 6
            sy = cell.bottom() - star - 2
            for i in range(row.rating):
                painter.drawImage(QRect(sx + i * (star + 1), sy, star, star), icon_image("star", star))

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

    def badge_rects(self, cell: QRect, row) -> list[tuple[str, QRect]]:
        """Where each badge of ``row`` is painted in ``cell`` (also what a
        tooltip hit-tests): flag, series mark, private lock, stars."""
        s = 16
        out = []
        if row.flag in ("pick", "reject"):
            out.append((row.flag, QRect(cell.left() + 4, cell.top() + 4, s, s)))
        if row.series_id is not None:
            out.append(("crown" if row.is_pick else "stack", QRect(cell.right() - s - 3, cell.top() + 4, s, s)))
        if row.private:
            out.append(("lock", QRect(cell.right() - s - 3, cell.top() + 6 + s, s, s)))
        if row.rating and row.rating > 0:
            star = 11
            out.append(("stars", QRect(cell.left() + 6, cell.bottom() - star - 2, row.rating * (star + 1), star)))
        return out

    def badge_at(self, cell: QRect, row, pos) -> str:
        """The badge under ``pos`` (a few pixels of slack), or ""."""
        for name, r in self.badge_rects(cell, row):
            if r.adjusted(-3, -3, 3, 3).contains(pos):
                return name
        return ""

    def _badges(self, painter: QPainter, cell: QRect, row) -> None:
        for name, r in self.badge_rects(cell, row):
            if name == "stars":
                star = r.height()
                for i in range(row.rating):
                    painter.drawImage(QRect(r.left() + i * (star + 1), r.top(), star, star), icon_image("star", star))
            else:
                painter.drawImage(r, icon_image(name, r.width()))

"""Paints one grid cell: the thumbnail (or a placeholder while it loads) and
the badges that make decisions visible: pick / reject flag, stars, the kept
photo of a series, a private photo. Rejected photos are dimmed, as in the
culling tools photographers know."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from photoorg.engine.video.browse import is_video_row

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
        if is_video_row(row):
            self._video_badge(painter, area, row.duration)
        self._badges(painter, cell, row)
        if selected or current:
            pen = QPen(SELECTED_FRAME if selected else QColor("#5a5a5a"), 2 if selected else 1)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(cell).adjusted(1, 1, -1, -1))
        painter.restore()

    def _video_badge(self, painter: QPainter, area: QRect, duration) -> None:
        """A video: a play mark in the middle and its duration in a corner."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        r = max(8.0, min(area.width(), area.height()) / 9)
        c = QPointF(area.center())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 140))
        painter.drawEllipse(c, r * 1.5, r * 1.5)
        painter.setBrush(QColor(255, 255, 255, 230))
        painter.drawPolygon(QPolygonF([c + QPointF(-r / 2, -r * 0.75), c + QPointF(-r / 2, r * 0.75),
                                       c + QPointF(r * 0.85, 0)]))
        text = duration_text(duration) if duration is not None else "video"
        painter.setFont(self._small)
        w = painter.fontMetrics().horizontalAdvance(text) + 8
        box = QRect(area.right() - w - 2, area.bottom() - 16, w, 14)
        painter.setBrush(QColor(0, 0, 0, 170))
        painter.drawRoundedRect(box, 3, 3)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

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


def duration_text(seconds) -> str:
    """0:07, 12:03, 1:02:03 (as phones show a video's length)."""
    s = int(round(seconds or 0))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"

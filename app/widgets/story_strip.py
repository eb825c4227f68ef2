"""A strip of story slides: thumbnails in order with a caption (position and
time on screen, or when it was taken) and, as tooltip, why the selection
chose the photo. The story's own strip can be reordered by dragging; the
alternates' strip is only picked from."""

from __future__ import annotations

import datetime as dt
import os
from typing import Optional, Sequence

from PySide6.QtCore import QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem, QStyle, QStyledItemDelegate

from ..qtutil import slot, start_once
from ..theme import icon_image

ID_ROLE = Qt.ItemDataRole.UserRole + 1
HASH_ROLE = Qt.ItemDataRole.UserRole + 2
PRIVATE_ROLE = Qt.ItemDataRole.UserRole + 3
CAPTION_H = 18


def slide_tooltip(slide, lead: str = "") -> str:
    """Name, when, and the selection's reason (why it is in the story)."""
    lines = [lead] if lead else []
    lines.append(os.path.basename(slide.path))
    if slide.capture_ts:
        lines.append(dt.datetime.fromtimestamp(slide.capture_ts).strftime("taken %d %b %Y, %H:%M"))
    lines.append(f"Why: {slide.reason or 'fills the story'}")
    return "\n".join(lines)


def taken_caption(slide) -> str:
    if not slide.capture_ts:
        return "undated"
    return dt.datetime.fromtimestamp(slide.capture_ts).strftime("%d %b %H:%M")


class SlideDelegate(QStyledItemDelegate):
    def __init__(self, thumbs, cell: QSize, parent=None) -> None:
        super().__init__(parent)
        self.thumbs = thumbs
        self.cell = cell
        self._small = QFont()
        self._small.setPointSizeF(8.5)

    def sizeHint(self, option, index) -> QSize:  # noqa: N802
        return self.cell

    def paint(self, painter: QPainter, option, index) -> None:
        rect: QRect = option.rect.adjusted(3, 3, -3, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.fillRect(rect, QColor("#2d3b4a") if selected else QColor("#202020"))
        area = rect.adjusted(5, 5, -5, -5 - CAPTION_H)
        image = self.thumbs.get(index.data(HASH_ROLE) or "")
        if image is not None:
            size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(area.center())
            painter.drawImage(target, image)
        else:
            painter.fillRect(area.adjusted(10, 10, -10, -10), QColor("#2a2a2a"))
        if index.data(PRIVATE_ROLE):  # on a dark disc: visible on light photos too
            badge = QRect(area.right() - 21, area.top() + 3, 20, 20)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(0, 0, 0, 150))
            painter.drawEllipse(badge)
            painter.drawImage(badge.adjusted(3, 2, -3, -4), icon_image("lock", 14))
        painter.setFont(self._small)
        painter.setPen(QColor("#e6e6e6") if selected else QColor("#a8a8a8"))
        painter.drawText(QRect(rect.left() + 4, rect.bottom() - CAPTION_H, rect.width() - 8, CAPTION_H),
                         Qt.AlignmentFlag.AlignCenter, index.data(Qt.ItemDataRole.DisplayRole) or "")
        if selected:
            painter.setPen(QPen(QColor("#4a90d0"), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        painter.restore()


class StoryStrip(QListWidget):
    """``order_changed`` fires (with the photo ids in their new order) when
    the user drags a slide to another place."""

    order_changed = Signal(list)

    def __init__(self, thumbs, *, movable: bool, cell: QSize = QSize(176, 150), parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("AlbumGrid")
        self.thumbs = thumbs
        self.setItemDelegate(SlideDelegate(thumbs, cell, self))
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setSpacing(0)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        if movable:
            self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
            self.setDefaultDropAction(Qt.DropAction.MoveAction)
            self.setDropIndicatorShown(True)
            self.model().rowsMoved.connect(slot(self._moved))
        self._repaint = QTimer(self, singleShot=True, interval=60)
        self._repaint.timeout.connect(self.viewport().update)
        thumbs.ready.connect(slot(start_once, self._repaint))

    def set_slides(self, slides: Sequence, captions: Sequence[str], tooltips: Sequence[str],
                   private: frozenset = frozenset(), keep: Optional[int] = None) -> None:
        """Show ``slides`` (StorySlide); the photo ``keep`` stays selected."""
        self.blockSignals(True)
        self.clear()
        for s, caption, tip in zip(slides, captions, tooltips):
            item = QListWidgetItem(caption)
            item.setData(ID_ROLE, s.photo_id)
            item.setData(HASH_ROLE, s.content_hash)
            item.setData(PRIVATE_ROLE, s.photo_id in private)
            item.setToolTip(tip)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsDropEnabled)
            self.addItem(item)
            if keep is not None and s.photo_id == keep:
                self.setCurrentItem(item)
        self.blockSignals(False)

    def ids(self) -> list[int]:
        return [self.item(i).data(ID_ROLE) for i in range(self.count())]

    def selected_id(self) -> Optional[int]:
        item = self.currentItem()
        return item.data(ID_ROLE) if item is not None and item.isSelected() else None

    def select_id(self, photo_id: Optional[int]) -> None:
        for i in range(self.count()):
            if self.item(i).data(ID_ROLE) == photo_id:
                self.setCurrentRow(i)
                return

    def _moved(self) -> None:
        self.order_changed.emit(self.ids())

"""The virtualized thumbnail grid: a QListView in wrapping list mode with
uniform cells (its layout is then arithmetic, not per item, so 100,000 rows
cost nothing until they are painted) and keyboard-first culling.

Keys: arrows move, P pick, X reject, U unflag, 0-5 rating, Space / Enter the
loupe. The grid only asks; the library view does the edits.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QListView, QToolTip

from ..grid_model import PhotoGridModel
from ..qtutil import slot, start_once
from .thumb_delegate import ThumbDelegate

FLAG_KEYS = {Qt.Key.Key_P: "pick", Qt.Key.Key_X: "reject", Qt.Key.Key_U: None}
RATING_KEYS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(6)}


class PhotoGrid(QListView):
    flag_requested = Signal(object)  # 'pick' | 'reject' | None
    rating_requested = Signal(int)
    preview_requested = Signal()
    current_photo_changed = Signal(int)  # photo id, -1 when none

    def __init__(self, model: PhotoGridModel, thumbs, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("PhotoGrid")
        self.setModel(model)
        self.thumbs = thumbs
        self.cell_delegate = ThumbDelegate(thumbs, self)
        self.setItemDelegate(self.cell_delegate)
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.SinglePass)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # Always shown, so the columns fitted to the width never change with it.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.verticalScrollBar().setSingleStep(24)
        self.setMouseTracking(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setDragEnabled(False)
        self.setSpacing(0)
        self.target_cell = self.cell_delegate.cell
        self.setGridSize(QSize(self.cell_delegate.cell, self.cell_delegate.cell))
        # Thumbnails arrive one by one; repaint the viewport at most every 40 ms.
        self._repaint = QTimer(self, singleShot=True, interval=40)
        self._repaint.timeout.connect(self.viewport().update)
        thumbs.ready.connect(slot(start_once, self._repaint))
        self.badge_tips = None  # badge_tips.BadgeTips: what each badge means (set by the view)
        self.selectionModel().currentChanged.connect(self._on_current)
        model.modelReset.connect(self._announce_current)

    # -- zoom ---------------------------------------------------------------------
    def set_cell_size(self, px: int) -> None:
        """The wanted cell size; cells stretch a little so that the columns
        fill the width (no ragged strip on the right)."""
        self.target_cell = px
        self._fit_cells()

    def _fit_cells(self) -> None:
        width = max(1, self.viewport().width())
        columns = max(1, round(width / self.target_cell))
        px = max(60, width // columns)
        if px != self.cell_delegate.cell:
            self.cell_delegate.cell = px
            self.thumbs.set_target(px - 16)
            self.setGridSize(QSize(px, px))
            self.verticalScrollBar().setSingleStep(max(24, px // 6))

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_cells()

    # -- selection ------------------------------------------------------------------
    def current_id(self) -> int:
        row = self.model().row_at(self.currentIndex().row()) if self.currentIndex().isValid() else None
        return row.id if row else -1

    def selected_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.selectionModel().selectedIndexes())
        if not rows and self.currentIndex().isValid():
            rows = [self.currentIndex().row()]
        return self.model().ids(rows)

    def select_photo(self, photo_id: int) -> bool:
        row = self.model().row_of(photo_id)
        if row < 0:
            return False
        index = self.model().row_index(row)
        self.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.scrollTo(index)
        return True

    def step(self, delta: int) -> None:
        """Move the current photo by ``delta`` (the loupe's left / right)."""
        count = self.model().rowCount()
        if not count:
            return
        row = self.currentIndex().row() if self.currentIndex().isValid() else -1
        row = max(0, min(count - 1, row + delta))
        index = self.model().row_index(row)
        self.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.scrollTo(index)

    def _announce_current(self) -> None:
        self.current_photo_changed.emit(self.current_id())

    def _on_current(self, current, _previous) -> None:
        row = self.model().row_at(current.row()) if current.isValid() else None
        self.current_photo_changed.emit(row.id if row else -1)

    # -- badge tooltips ------------------------------------------------------------------
    def viewportEvent(self, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ToolTip and self.badge_tips is not None:
            pos = event.pos()
            index = self.indexAt(pos)
            row = self.model().row_at(index.row()) if index.isValid() else None
            rect = self.visualRect(index)
            badge = self.cell_delegate.badge_at(rect.adjusted(2, 2, -2, -2), row, pos) if row else ""
            if not badge:
                QToolTip.hideText()
                return True
            viewport, where = self.viewport(), QPoint(event.globalPos())

            def later(text: str, pid=row.id) -> None:
                # still over the same photo's badge: replace the "looking up" text
                if QToolTip.isVisible() and self.indexAt(viewport.mapFromGlobal(where)) == index \
                        and self.model().row_at(index.row()) is not None and self.model().row_at(index.row()).id == pid:
                    QToolTip.showText(where, text, viewport, rect)

            QToolTip.showText(where, self.badge_tips.text(row, badge, later), viewport, rect)
            return True
        return super().viewportEvent(event)

    # -- keys -----------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:  # noqa: N802
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods == Qt.KeyboardModifier.NoModifier:
            if key in FLAG_KEYS:
                self.flag_requested.emit(FLAG_KEYS[key])
                return
            if key in RATING_KEYS:
                self.rating_requested.emit(RATING_KEYS[key])
                return
            if key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.preview_requested.emit()
                return
        super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        if self.indexAt(event.position().toPoint()).isValid():
            self.preview_requested.emit()
            return
        super().mouseDoubleClickEvent(event)

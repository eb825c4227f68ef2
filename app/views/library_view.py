"""The Library view: the filter bar, the virtualized grid and the loupe.

The rows are loaded on the "query" lane (``load_grid``); a new filter or
sort replaces the rows (reset), a refresh while a scan writes applies only
the inserted and removed runs and keeps the photo at the top of the view in
place. Culling keys become undoable edits (``culling.push_edit``).
"""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import QPoint, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QLabel, QStackedWidget, QVBoxLayout

from photoorg.engine.catalog.browse import BrowseFilter
from photoorg.engine.video.browse import is_video_row

from ..changes import Change
from ..culling import push_edit
from ..badge_tips import BadgeTips
from ..grid_model import GridData, PhotoGridModel, load_grid
from ..session import Session
from ..widgets.filter_bar import FilterBar
from ..widgets.loupe import Loupe
from ..widgets.photo_grid import PhotoGrid
from ..widgets.video_player import VideoPlayer
from .lazy import LazyView


FIRST_PAGE = 800  # rows shown before the whole list is read


class LibraryView(LazyView):
    # Rows, their badges and sort keys: everything a grid row shows, and the
    # live notices while analysis writes (new series marks, interest, locks).
    watches = (Change.PHOTOS | Change.FLAGS | Change.SERIES | Change.CURATION | Change.ALBUMS | Change.PEOPLE
               | Change.PRIVACY | Change.ANALYSIS | Change.PROGRESS)
    current_photo_changed = Signal(int)
    count_changed = Signal(int)
    save_filter_requested = Signal(dict, str)  # filter fields, sort

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.base: dict[str, Any] = {}
        self.model = PhotoGridModel(self)
        self.bar = FilterBar()
        self.grid = PhotoGrid(self.model, session.thumbs)
        self.grid.badge_tips = BadgeTips(session)
        self.loupe = Loupe()
        self.player = VideoPlayer()  # a video's loupe: it plays
        self.empty = QLabel("")
        self.empty.setObjectName("Hint")
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        for w in (self.grid, self.loupe, self.player):
            self.stack.addWidget(w)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.bar)
        layout.addWidget(self.empty)
        layout.addWidget(self.stack, 1)
        self.empty.hide()
        self._pending_select: Optional[int] = None

        self.bar.changed.connect(lambda: self.refresh(reset=True))
        self.bar.zoom_changed.connect(self.grid.set_cell_size)
        self.bar.save_requested.connect(self._save_filter)
        self.grid.flag_requested.connect(lambda v: self.edit("flag", v))
        self.grid.rating_requested.connect(lambda v: self.edit("rating", v))
        self.grid.preview_requested.connect(self.open_loupe)
        self.grid.current_photo_changed.connect(self._current_changed)
        self.loupe.closed.connect(self.close_loupe)
        self.loupe.step.connect(self._loupe_step)
        self.loupe.flag_requested.connect(lambda v: self.edit("flag", v))
        self.loupe.rating_requested.connect(lambda v: self.edit("rating", v))
        self.player.closed.connect(self.close_loupe)
        self.player.step.connect(self._loupe_step)
        self.listen(session)
        self.update_sorts()

    # -- what is shown ------------------------------------------------------------------
    def filter(self) -> BrowseFilter:
        return BrowseFilter.from_dict({**self.base, **self.bar.values()})

    def show_filter(self, fields: dict, title: str, sort: Optional[str] = None) -> None:
        self.base = dict(fields)
        self.bar.set_state(title, sort)
        self.close_loupe()
        self.refresh(reset=True)

    def update_sorts(self) -> None:
        caps = self.session.catalog.browse_capabilities()
        self.bar.set_sorts(caps.sorts)

    def on_change(self, kinds: Change) -> None:
        # The status strip shows this view's count on every view: changes
        # that add or remove photos reload it even while it is hidden.
        if kinds & (Change.PHOTOS | Change.CURATION | Change.FOLDERS) and not self.isVisible():
            self.pending |= kinds
            self._dirty = True
            self.activate()
            return
        super().on_change(kinds)

    def reload(self, kinds: Change) -> None:
        if kinds & (Change.ANALYSIS | Change.ALBUMS | Change.PROGRESS):
            self.update_sorts()
        self.refresh(reset=False)

    def refresh(self, reset: bool = False) -> None:
        """Reload the rows: a reset for a new filter, an edit script otherwise.
        A reset shows the first screenfuls at once, then the rest as an
        insertion (a 100,000-photo list takes a second to read)."""
        self._dirty, self.pending = False, Change.none()
        filt, sort = self.filter(), self.bar.sort_key()
        catalog = self.session.catalog
        keep = self.grid.current_id()
        if reset:
            seq = self.model.begin_query()

            def first_page(data: GridData) -> None:
                self._show(data, True, keep)
                if len(data.rows) >= FIRST_PAGE:
                    self.refresh(reset=False)

            self.session.runner.submit(
                "load photos", lambda token, progress: load_grid(catalog, filt, sort, None, -1, seq, FIRST_PAGE),
                lane="query", key="grid", on_done=first_page,
                on_error=lambda msg: self.session.error.emit(f"Could not list photos: {msg}"))
            return
        snapshot, version = self.model.snapshot()
        seq = self.model.begin_query()
        self.session.runner.submit(
            "load photos", lambda token, progress: load_grid(catalog, filt, sort, snapshot, version, seq),
            lane="query", key="grid", on_done=lambda data: self._show(data, False, keep),
            on_error=lambda msg: self.session.error.emit(f"Could not list photos: {msg}"))

    def _show(self, data: GridData, reset: bool, keep: int) -> None:
        anchor = None if reset else self._top_visible()
        self.model.apply(data, reset=reset)
        self.loaded = True
        if reset:
            target = self._pending_select if self._pending_select is not None else keep
            self._pending_select = None
            if target < 0 or not self.grid.select_photo(target):
                self.grid.scrollToTop()
        elif anchor is not None:
            QTimer.singleShot(0, lambda: self._restore_top(anchor))
        self._update_empty()
        # The status strip counts photos ("n of N photos"); videos are rows too.
        self.count_changed.emit(sum(1 for r in self.model.rows if not is_video_row(r)))

    def _top_visible(self) -> Optional[int]:
        if self.grid.verticalScrollBar().value() == 0:
            return None
        row = self.model.row_at(self.grid.indexAt(QPoint(8, 8)).row())
        return row.id if row else None

    def _restore_top(self, photo_id: int) -> None:
        row = self.model.row_of(photo_id)
        if row >= 0:
            self.grid.scrollTo(self.model.row_index(row), QAbstractItemView.ScrollHint.PositionAtTop)

    def _update_empty(self) -> None:
        if self.model.rowCount():
            self.empty.hide()
            return
        if self.base or self.bar.values():
            self.empty.setText("   No photos match this filter.")
        else:
            self.empty.setText("   No photos yet: add a folder (File ▸ Add folder…) and they appear here as they are read.")
        self.empty.show()

    def _save_filter(self) -> None:
        self.save_filter_requested.emit(self.filter().to_dict(), self.bar.sort_key())

    def select_photo_when_loaded(self, photo_id: int) -> None:
        if not self.grid.select_photo(photo_id):
            self._pending_select = photo_id

    # -- culling ----------------------------------------------------------------------------
    def selected_rows(self) -> list:
        if self.in_loupe():
            shown = self.loupe.photo_id if self.stack.currentWidget() is self.loupe else self.player.video_id
            row = self.model.row_at(self.model.row_of(shown))
            return [row] if row else []
        rows = sorted({i.row() for i in self.grid.selectionModel().selectedIndexes()})
        if not rows and self.grid.currentIndex().isValid():
            rows = [self.grid.currentIndex().row()]
        return [self.model.row_at(r) for r in rows if self.model.row_at(r) is not None]

    def edit(self, field: str, value: Any) -> None:
        rows = [r for r in self.selected_rows() if not is_video_row(r)]  # flags and stars are photos'
        if rows:
            push_edit(self.session, field, rows, value, self._patch, self.model.settle)

    def _patch(self, ids: list[int], field: str, value: Any) -> None:
        self.model.patch(ids, pending=True, **{field: value})
        if self.in_loupe() and self.loupe.photo_id in ids:
            row = self.model.row_at(self.model.row_of(self.loupe.photo_id))
            if row is not None:
                self.loupe.caption = _caption(row)
                self.loupe.update()

    # -- loupe -------------------------------------------------------------------------------
    def open_loupe(self) -> None:
        row = self.model.row_at(self.grid.currentIndex().row())
        if row is None:
            return
        self._show_in_loupe(row)
        if not is_video_row(row):
            self.session.record_open(row.id)

    def _show_in_loupe(self, row) -> None:
        if is_video_row(row):
            self.stack.setCurrentWidget(self.player)
            self.player.open(row.id, row.path, row.duration, caption=row.name,
                             poster=self.session.thumbs.get(row.content_hash))
            self.player.setFocus()
            return
        if self.stack.currentWidget() is not self.loupe:
            self.player.stop()
            self.stack.setCurrentWidget(self.loupe)
            self.loupe.setFocus()
        details = self.session.catalog.photo_details(row.id)
        path = details["path"] if details else ""
        self.loupe.show_photo(self.session, row.id, self.session.thumbs.get(row.content_hash), _caption(row), path)

    def close_loupe(self) -> None:
        if self.in_loupe():
            self.player.stop()
            self.stack.setCurrentWidget(self.grid)
            self.grid.setFocus()

    def in_loupe(self) -> bool:
        return self.stack.currentWidget() in (self.loupe, self.player)

    def _loupe_step(self, delta: int) -> None:
        self.grid.step(delta)
        row = self.model.row_at(self.grid.currentIndex().row())
        if row is not None:
            self._show_in_loupe(row)

    def _current_changed(self, photo_id: int) -> None:
        self.current_photo_changed.emit(photo_id)


def _caption(row) -> str:
    caption = row.name + (f"   ·   {'★' * row.rating}" if row.rating and row.rating > 0 else "")
    if row.flag:
        caption += f"   ·   {'picked' if row.flag == 'pick' else 'rejected'}"
    return caption

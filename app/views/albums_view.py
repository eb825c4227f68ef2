"""The Albums view: albums with their event and how sure the model is, the
album's photos most important first (the library's grid, filtered to the
album and sorted by the album's importance), a one-action correction of the
event (undoable; logged for retraining), a title of your own, and "Make a
story": the story panel (``widgets.story_panel``) shows the photos chosen for
a slideshow, lets the user edit them, and exports a video or web page in the
background."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox, QFrame, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton,
    QSplitter, QStackedWidget, QStyledItemDelegate, QVBoxLayout, QWidget,
)

from photoorg.engine.albums import titles
from photoorg.engine.wording import count

from photoorg.engine.albums.build import event_unnamed_reason
from photoorg.engine.albums.naming import guess_text, named_event
from photoorg.engine.catalog.browse import BrowseFilter

from ..badge_tips import BadgeTips
from ..grid_model import GridData, PhotoGridModel, load_grid
from ..qtutil import fit_popups, slot, start_once
from photoorg.engine.catalog import user_commands

from ..actions import push_action
from ..changes import Change
from ..session import Session
from .lazy import LazyView
from ..theme import icon
from ..widgets.photo_grid import PhotoGrid

ID = Qt.ItemDataRole.UserRole + 1
MODE_NAMES = {"auto": "Folders and events", "folders": "Folders", "time": "Events by time"}


def _labels() -> tuple[tuple[str, ...], callable]:
    from photoorg.engine.albums.teacher import event_display_name, event_labels

    return event_labels(), event_display_name


def date_range(start: Optional[float], end: Optional[float]) -> str:
    """An album's dates as its title writes them (``albums.titles.date_range``)."""
    if not start:
        return "undated"
    return titles.date_range(dt.datetime.fromtimestamp(start).isoformat(),
                             dt.datetime.fromtimestamp(end or start).isoformat()) or "undated"


class AlbumItemDelegate(QStyledItemDelegate):
    """Each album as tall as all its lines at the width they are painted in:
    Qt's own hint measured the text wider than the style sheet's padding
    and the cover leave it, and cut the last line (an event guess) short."""

    PAD = 6  # #AlbumList::item { padding } in the style sheet
    GAP = 16  # between the cover and the text, and the text's own margins

    def sizeHint(self, option, index) -> QSize:  # noqa: N802
        base = super().sizeHint(option, index)
        view = self.parent()
        cover = index.data(Qt.ItemDataRole.DecorationRole)
        # A cover not loaded yet: as wide as a cover can be (it is laid out again when it comes).
        icon = (cover.actualSize(view.iconSize()) if isinstance(cover, QIcon) and not cover.isNull()
                else view.iconSize())
        width = view.viewport().width() - 2 * view.spacing() - 2 * self.PAD - icon.width() - self.GAP
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        needed = option.fontMetrics.boundingRect(QRect(0, 0, max(60, width), 10_000),
                                                 int(Qt.TextFlag.TextWordWrap), text).height()
        return QSize(base.width(), max(needed, icon.height()) + 2 * self.PAD + 2)


def _days_between(start: float, end: float) -> int:
    return (dt.datetime.fromtimestamp(end).date() - dt.datetime.fromtimestamp(start).date()).days + 1


class AlbumsView(LazyView):
    watches = Change.ANALYSIS | Change.ALBUMS | Change.CURATION | Change.PHOTOS | Change.PRIVACY

    def __init__(self, session: Session, shell=None, parent=None) -> None:
        super().__init__(parent)
        self.session, self.shell = session, shell
        self.labels, self.display = _labels()
        self.infos: dict[int, object] = {}
        self.album_id: Optional[int] = None
        self.list = QListWidget()
        self.list.setObjectName("AlbumList")
        self.list.setWordWrap(True)
        self.list.setItemDelegate(AlbumItemDelegate(self.list))
        self.list.setIconSize(QSize(72, 72))
        self.list.setSpacing(2)
        self.list.setMinimumWidth(220)
        self.covers: dict[int, str] = {}
        self.model = PhotoGridModel(self)
        self.grid = PhotoGrid(self.model, session.thumbs)
        self.grid.badge_tips = BadgeTips(session)
        self.grid.set_cell_size(150)

        header = QFrame()
        header.setObjectName("ViewHeader")
        title = QLabel("Albums")
        title.setObjectName("ViewTitle")
        self.mode = QComboBox()
        self.mode.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.mode.setToolTip("How photos are grouped into albums")
        self.summary = QLabel("")
        self.summary.setObjectName("Hint")
        row = QHBoxLayout(header)
        row.setContentsMargins(10, 6, 10, 6)
        for w in (title, self.summary):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(QLabel("Albums from"))
        row.addWidget(self.mode)

        self.title = QLineEdit()
        self.title.setPlaceholderText("Album title")
        self.title.setMinimumWidth(120)
        self.event = QComboBox()
        self.event.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.event.setMinimumWidth(200)
        self.event.setToolTip("What happened: choose another event if the model is wrong")
        self.scores = QLabel("")
        self.scores.setObjectName("Why")
        self.scores.setWordWrap(True)
        self.export = QPushButton(icon("export"), "Make a story…")
        self.export.setToolTip("Choose the photos of a slideshow of this album, edit them, and export a video "
                               "or a web page")
        self.same_event = QPushButton("Event's photos")
        self.same_event.setToolTip("Show, in the library, the photos of every album with this event")
        album_bar = QHBoxLayout()
        album_bar.addWidget(self.title, 2)
        album_bar.addWidget(QLabel("Event"))
        album_bar.addWidget(self.event, 1)
        album_bar.addWidget(self.same_event)
        album_bar.addWidget(self.export)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(8, 8, 8, 0)
        column.addLayout(album_bar)
        column.addWidget(self.scores)
        hint = QLabel("Most important photos first")
        hint.setObjectName("Hint")
        column.addWidget(hint)
        column.addWidget(self.grid, 1)
        self.empty = QLabel("")
        self.empty.setObjectName("Hint")
        self.empty.setWordWrap(True)
        self.empty.hide()
        self.album_page = right
        self.story_panel = None  # made on first use (widgets.story_panel.StoryPanel)
        self.pages = QStackedWidget()
        self.pages.addWidget(right)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(self.pages)
        splitter.setSizes([300, 700])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.empty)
        layout.addWidget(splitter, 1)

        self.list.currentItemChanged.connect(lambda cur, _p: self.select_album(cur.data(ID) if cur else None))
        self.event.activated.connect(self._event_chosen)
        self.title.editingFinished.connect(self._rename)
        self.export.clicked.connect(slot(self.export_story))
        self.same_event.clicked.connect(self.show_event_photos)
        self.mode.activated.connect(lambda _i: self._mode_chosen())
        self.grid.current_photo_changed.connect(lambda pid: shell.show_photo(pid) if shell and pid >= 0 else None)
        self.listen(session)
        self._covers_timer = QTimer(self, singleShot=True, interval=80)
        self._covers_timer.timeout.connect(self._apply_covers)
        session.thumbs.ready.connect(slot(start_once, self._covers_timer))
        self._set_enabled(False)

    # -- data ------------------------------------------------------------------------
    def current_mode(self) -> Optional[str]:
        return self.mode.currentData()

    def reload(self, kinds: Change) -> None:
        catalog = self.session.catalog
        if catalog is None:
            self._show(([], None, [], {}, {}))
            return
        wanted = self.current_mode()

        def load():
            modes = catalog.album_modes()
            mode = wanted if wanted in modes else None
            if mode is None:
                from photoorg.engine.albums.build import default_mode

                mode = default_mode(catalog)
                if mode not in modes:
                    mode = modes[0] if modes else None
            albums = catalog.albums(mode) if mode else []
            # The cover of each album: its most important photo.
            firsts = {a.id: catalog.album_photos(a.id, order="importance")[:1] for a in albums}
            rows = catalog.grid_rows([f[0].photo_id for f in firsts.values() if f])
            covers = {aid: rows[f[0].photo_id].content_hash for aid, f in firsts.items() if f and f[0].photo_id in rows}
            from photoorg.engine.video.albums import album_video_counts

            return modes, mode, albums, covers, album_video_counts(catalog)

        self.session.runner.call("load albums", load, lane="query", key="albums", on_done=self._show,
                                 on_error=lambda msg: self.session.error.emit(f"Could not list albums: {msg}"))

    def _show(self, result) -> None:
        modes, mode, albums, self.covers, self.video_counts = result
        self.mode.blockSignals(True)
        self.mode.clear()
        for m in modes:
            self.mode.addItem(MODE_NAMES.get(m, m), m)
        self.mode.setCurrentIndex(max(0, self.mode.findData(mode)))
        self.mode.setEnabled(len(modes) > 1)
        self.mode.blockSignals(False)
        keep = self.album_id
        self.infos = {a.id: a for a in albums}
        self.list.blockSignals(True)
        self.list.clear()
        for a in albums:
            item = QListWidgetItem(self._item_text(a))
            item.setData(ID, a.id)
            self.list.addItem(item)
        self._apply_covers()
        self.list.blockSignals(False)
        self.loaded = True
        self.summary.setText(count(len(albums), "album"))
        self.empty.setText("   No albums yet. Albums and their events appear once the photos are analysed "
                           "(File ▸ Analyse now)." if not albums else "")
        self.empty.setVisible(not albums)
        target = keep if keep in self.infos else (albums[0].id if albums else None)
        self.select_album(target)

    def _apply_covers(self) -> None:
        added = False
        for i in range(self.list.count()):
            item = self.list.item(i)
            h = self.covers.get(item.data(ID))
            if h and item.icon().isNull():
                image = self.session.thumbs.get(h)
                if image is not None:
                    item.setIcon(QIcon(QPixmap.fromImage(image)))
                    added = True
        if added:
            self.list.doItemsLayout()  # a cover narrower than the widest leaves the text more room

    def _item_text(self, a) -> str:
        n = a.photo_count
        title = a.title or a.place or "Untitled"
        dates = date_range(a.start_ts, a.end_ts)
        # A title made by the albums stage ends with the dates: not twice.
        when = "" if dates in title else f"{dates} · "
        videos = getattr(self, "video_counts", {}).get(a.id, 0)
        line = f"{title}\n{when}{count(n, 'photo')}" + (f", {count(videos, 'video')}" if videos else "")
        if a.source == "trip" and a.start_ts is not None and a.end_ts is not None:
            line += f" · trip of {_days_between(a.start_ts, a.end_ts)} days"
        if a.event:
            conf = a.event_scores.get(a.event)
            if a.user_event:
                line += f"\n{self.display(a.event)} (yours)"
            elif why := event_unnamed_reason(conf, n):
                # The title's rule: the model is guessing, so say so instead of
                # presenting its best guess as the album's event.
                line += "\n" + guess_text(why, self.display(a.event), conf)
            else:
                line += f"\n{self.display(a.event)} ({f'{conf:.0%}' if conf is not None else 'model'})"
        return line

    def select_album(self, album_id: Optional[int]) -> None:
        if album_id != self.album_id and self.story_shown():
            self.close_story()
        self.album_id = album_id
        for i in range(self.list.count()):
            if self.list.item(i).data(ID) == album_id and self.list.currentRow() != i:
                self.list.blockSignals(True)
                self.list.setCurrentRow(i)
                self.list.blockSignals(False)
        info = self.infos.get(album_id)
        self._set_enabled(info is not None)
        if info is None:
            self.model.apply(GridData([], {}), reset=True)
            return
        # Only an event the album is titled with has "its" photos elsewhere.
        self.same_event.setEnabled(named_event(info) is not None)
        self.title.setText(info.title or "")
        self.title.setCursorPosition(0)  # show the title's start, not its end, when it is longer than the field
        self._fill_events(info)
        top = sorted(info.event_scores.items(), key=lambda kv: -kv[1])[:4]
        why = " · ".join(f"{self.display(k)} {v:.0%}" for k, v in top)
        from photoorg.engine.albums.evidence import evidence_text

        said = evidence_text(info.evidence)
        self.scores.setText(("You said: " + self.display(info.user_event) + ".  " if info.user_event else "")
                            + (f"The model's view: {why}" if why else "No event scores yet.")
                            + (f"  Evidence: {said}." if said else ""))
        catalog, filt = self.session.catalog, BrowseFilter(album_id=album_id)
        seq = self.model.begin_query()
        self.session.runner.call("album photos", lambda: load_grid(catalog, filt, "importance", None, -1, seq),
                                 lane="query", key="album-photos",
                                 on_done=lambda data: self.model.apply(data, reset=True) if album_id == self.album_id else None,
                                 on_error=lambda msg: self.session.error.emit(f"Could not list the album: {msg}"))

    def _fill_events(self, info) -> None:
        self.event.blockSignals(True)
        self.event.clear()
        model = info.model_event
        conf = info.event_scores.get(model) if model else None
        if not model:
            first = "No label (the model's choice)"
        elif why := event_unnamed_reason(conf, info.photo_count):
            first = guess_text(f"{why[0].upper()}{why[1:]}", self.display(model), conf, "the model's best guess: ")
        else:
            first = f"{self.display(model)} — the model's label" + (f" ({conf:.0%})" if conf is not None else "")
        self.event.addItem(first, None)
        for label in self.labels:
            p = info.event_scores.get(label)
            self.event.addItem(self.display(label) + (f"  ({p:.0%})" if p is not None else ""), label)
        self.event.setCurrentIndex(max(0, self.event.findData(info.user_event)) if info.user_event else 0)
        self.event.blockSignals(False)

    def _set_enabled(self, on: bool) -> None:
        for w in (self.title, self.event, self.export, self.same_event):
            w.setEnabled(on)

    def show_event_photos(self) -> None:
        info = self.infos.get(self.album_id)
        event = named_event(info) if info is not None else None
        if event and self.shell is not None:
            self.shell.navigate(("filter", {"event": event}, self.display(event), "importance"))

    # -- corrections -------------------------------------------------------------------
    def _event_chosen(self, _index: int) -> None:
        info = self.infos.get(self.album_id)
        if info is None:
            return
        new = self.event.currentData()
        if new != info.user_event:
            push_action(self.session, user_commands.correct_event(info.id, new), Change.ALBUMS)

    def _rename(self) -> None:
        info = self.infos.get(self.album_id)
        new = self.title.text().strip() or None
        if info is None or new == (info.title or None):
            return
        push_action(self.session, user_commands.rename_album(info.id, new), Change.ALBUMS)

    def _mode_chosen(self) -> None:
        mode = self.current_mode()
        if mode:
            self.session.runner.call("albums mode", lambda: self.session.catalog.set_pref("albums_from", mode),
                                     lane="edit", on_done=lambda _: self.refresh())

    # -- stories -------------------------------------------------------------------------
    def export_story(self, seconds: Optional[float] = None, count: Optional[int] = None):
        """Open the story panel on this album (the selection starts at once)."""
        info = self.infos.get(self.album_id)
        if info is None:
            return None
        if self.story_panel is None:
            from ..widgets.story_panel import StoryPanel

            self.story_panel = StoryPanel(self.session)
            self.story_panel.closed.connect(self.close_story)
            if self.shell is not None:
                self.story_panel.photo_selected.connect(self.shell.show_photo)
            self.pages.addWidget(self.story_panel)
            fit_popups(self.story_panel)
        self.pages.setCurrentWidget(self.story_panel)
        self.story_panel.open_album(info.id, info.title or info.place or f"Album {info.id}", seconds=seconds,
                                    count=count)
        return self.story_panel

    def story_shown(self) -> bool:
        return self.story_panel is not None and self.pages.currentWidget() is self.story_panel

    def close_story(self) -> None:
        self.pages.setCurrentWidget(self.album_page)

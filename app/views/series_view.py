"""The Series view: every series as a strip in rank order, the pick marked
with why; groups of redundant shots first (what "Clean up all" acts on), then
the stacks of similar moments (the user picks; cleaned only when selected); one click on another shot makes it the pick (undoable, logged for
learning); "Clean up" for the selected series or all of them shows the plan
and the space freed before anything moves, runs in the background, and
Ctrl+Z puts the files back."""

from __future__ import annotations

import dataclasses
from typing import Optional

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView, QFrame, QHBoxLayout, QLabel, QListView, QPushButton, QSpinBox, QVBoxLayout,
)

from photoorg.engine.wording import count

from ..changes import Change
from ..curation_actions import push_pick, plan_cleanup, run_cleanup
from ..series_model import SeriesModel, StripData, load_strips
from ..qtutil import slot, start_once
from ..session import Session, format_bytes
from ..theme import icon
from ..widgets.plan_panel import PlanPanel
from ..widgets.series_delegate import SeriesDelegate, header_text, member_tooltip
from .lazy import LazyView


class SeriesList(QListView):
    def __init__(self, view: "SeriesView") -> None:
        super().__init__()
        self.view = view
        self.setObjectName("SeriesList")
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setUniformItemSizes(True)
        self.setMouseTracking(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        pos = event.position().toPoint()
        index = self.indexAt(pos)
        member = None
        if index.isValid():
            strip = self.model().strip(index.row())
            member = self.itemDelegate().member_at(self.visualRect(index), pos, strip) if strip else None
        super().mousePressEvent(event)
        if member is not None and event.button() == Qt.MouseButton.LeftButton:
            self.view.member_clicked(index.row(), member)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        index = self.indexAt(event.position().toPoint())
        strip = self.model().strip(index.row()) if index.isValid() else None
        if strip is not None and strip.kind == "videos":
            return  # copies of a video: no series filter in the grid
        if strip is not None and self.view.shell is not None:
            # The whole series in the library grid (to cull it with the keys).
            self.view.shell.navigate(("filter", {"series_id": strip.id}, f"Series {strip.id}"))
            return
        super().mouseDoubleClickEvent(event)

    def viewportEvent(self, event) -> bool:  # noqa: N802
        if event.type() == event.Type.ToolTip:
            index = self.indexAt(event.pos())
            strip = self.model().strip(index.row()) if index.isValid() else None
            member = self.itemDelegate().member_at(self.visualRect(index), event.pos(), strip) if strip else None
            if member is not None:
                self.setToolTip(member_tooltip(strip, member))
            elif strip is not None and self.itemDelegate().in_header(self.visualRect(index), event.pos()):
                self.setToolTip(header_text(strip))  # the whole header, where the strip is too narrow for it
            else:
                self.setToolTip("")
        return super().viewportEvent(event)


class SeriesView(LazyView):
    watches = Change.SERIES | Change.CURATION | Change.ANALYSIS | Change.PHOTOS | Change.FLAGS

    def __init__(self, session: Session, shell=None, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.shell = shell
        self.model = SeriesModel(self)
        self.list = SeriesList(self)
        self.list.setModel(self.model)
        self.delegate = SeriesDelegate(session.thumbs, self.list)
        self.list.setItemDelegate(self.delegate)
        self.plan_panel = PlanPanel()
        self.plan_panel.confirmed.connect(self._apply)

        header = QFrame()
        header.setObjectName("ViewHeader")
        title = QLabel("Series")
        title.setObjectName("ViewTitle")
        self.summary = QLabel("")
        self.summary.setObjectName("Hint")
        self.keep = QSpinBox()
        self.keep.setRange(1, 9)
        self.keep.setPrefix("keep best ")
        self.keep.setToolTip("How many shots of each series a clean-up keeps")
        self.clean_selected = QPushButton(icon("clean"), "Clean up selected")
        self.clean_all = QPushButton(icon("clean"), "Clean up all")
        self.clean_all.setToolTip("Keeps the best of every group of redundant shots and of identical copies; "
                                  "similar moments are cleaned only when you select them")
        row = QHBoxLayout(header)
        row.setContentsMargins(10, 6, 10, 6)
        row.addWidget(title)
        # The summary takes the room left and wraps there, never under the buttons.
        row.addWidget(self.summary, 1)
        for w in (self.keep, self.clean_selected, self.clean_all):
            row.addWidget(w)
        self.hint = QLabel("  Shots in the ranking model's order; the % is how often it prefers a shot to each "
                           "other one (#2= marks a tie: the same score). Click a shot to keep it instead (Ctrl+Z "
                           "undoes) · select strips (Ctrl/Shift+click on the header line) to clean up only those "
                           "· double-click to open a series in the library")
        self.hint.setObjectName("Hint")
        self.hint.setWordWrap(True)
        self.summary.setMinimumWidth(60)
        self.summary.setWordWrap(True)
        self.empty = QLabel("")
        self.empty.setObjectName("Hint")
        self.empty.setWordWrap(True)
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        for w in (header, self.hint, self.plan_panel, self.empty):
            layout.addWidget(w)
        layout.addWidget(self.list, 1)

        self._repaint = QTimer(self, singleShot=True, interval=40)
        self._repaint.timeout.connect(self.list.viewport().update)
        session.thumbs.ready.connect(slot(start_once, self._repaint))
        self.listen(session)
        self.keep.valueChanged.connect(lambda _v: self.refresh())
        self.clean_selected.clicked.connect(lambda: self.propose(self.selected_series()))
        self.clean_all.clicked.connect(lambda: self.propose(None))
        self.list.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

    # -- data ---------------------------------------------------------------------
    def reload(self, kinds: Change) -> None:
        catalog, settings, keep = self.session.catalog, self.session.settings, self.keep.value()
        self.session.runner.call("load series", lambda: load_strips(catalog, settings, keep), lane="query",
                                 key="series", on_done=self._show,
                                 on_error=lambda msg: self.session.error.emit(f"Could not list series: {msg}"))

    def _show(self, data: StripData) -> None:
        selected = set(self.selected_series())
        self.model.set_data(data)
        for sid in selected:
            row = self.model.row_of(sid)
            if row >= 0:
                self.list.selectionModel().select(self.model.index(row), self.list.selectionModel().SelectionFlag.Select)
        self.loaded = True
        n = len(data.strips)
        photos = len({m.photo_id for s in data.strips if s.kind != "videos" for m in s.members})
        stacks = sum(s.kind == "similar" for s in data.strips)
        copies = sum(s.kind == "duplicates" for s in data.strips)
        videos = sum(s.kind == "videos" for s in data.strips)
        parts = [count(n - stacks - copies - videos, "redundant group"),
                 count(copies, "set of identical copies", "sets of identical copies"),
                 count(videos, "video copied", "videos copied"), count(stacks, "similar-moment stack")]
        parts = [p for p in parts if not p.startswith("0 ")] + ([count(photos, "photo")] if photos else [])
        if data.settled:
            parts.append(f"{data.settled:,} cleaned up")
        if data.total_bytes:
            parts.append(f"cleaning up all frees {format_bytes(data.total_bytes)}")
        self.summary.setText(" · ".join(parts))
        self.summary.setToolTip(" · ".join(parts))
        if n == 0 and data.settled:
            self.empty.setText(f"   Nothing left to pick from: {data.settled} series keep{'s' if data.settled == 1 else ''}"
                               " a single shot now (the others were cleaned up; Edit ▸ Undo puts them back).")
        else:
            self.empty.setText("   No series yet. Series of similar shots appear here once the photos are analysed "
                               "(File ▸ Analyse now)." if n == 0 else "")
        self.empty.setVisible(n == 0)
        for err in data.errors:
            self.session.error.emit(err)
        self._update_buttons()

    def selected_series(self) -> list[int]:
        rows = sorted(i.row() for i in self.list.selectionModel().selectedIndexes())
        # Copies of a video are cleaned by "Clean up all" (they are no series of the catalog).
        return [self.model.strip(r).id for r in rows if self.model.strip(r) and self.model.strip(r).kind != "videos"]

    def _update_buttons(self) -> None:
        n = len(self.selected_series())
        self.clean_selected.setText(f"Clean up selected ({n})" if n else "Clean up selected")
        self.clean_selected.setEnabled(n > 0)
        self.clean_all.setEnabled(self.model.rowCount() > 0)

    # -- picks ----------------------------------------------------------------------
    def member_clicked(self, row: int, member) -> None:
        strip = self.model.strip(row)
        if self.shell is not None:
            self.shell.show_photo(member.photo_id)
        if strip is None or member.is_pick or strip.kind == "videos":
            return  # (copies of a video: the longest copy stays; no pick to change)
        # Shown at once; the refresh after the write brings the new plan.
        members = tuple(dataclasses.replace(m, is_pick=m.photo_id == member.photo_id) for m in strip.members)
        self.model.data_.strips[row] = dataclasses.replace(strip, members=members, user_pick=True,
                                                           pick_photo_id=member.photo_id)
        self.model.dataChanged.emit(self.model.index(row), self.model.index(row))
        push_pick(self.session, strip.id, member.photo_id)

    # -- clean-up -------------------------------------------------------------------
    def destination(self) -> str:
        prefs = self.session.settings.prefs
        return f"the quarantine folder {prefs.quarantine_dir}" if prefs.trash_mode == "quarantine" else "the trash"

    def propose(self, series_ids: Optional[list[int]]) -> None:
        scope = "all redundant shots and identical copies" if series_ids is None else (
            "this series" if len(series_ids) == 1 else f"{len(series_ids)} selected series")
        plan_cleanup(self.session, series_ids, self.keep.value(),
                     on_done=lambda plan: self.plan_panel.show_plan(plan, self.destination(), scope))

    def _apply(self, plan) -> None:
        self.plan_panel.hide()
        run_cleanup(self.session, plan.series_ids, plan.keep, plan=plan)

"""Unknown faces: the faces the clustering left out, grouped by the person
they most likely are ("Is this Ann?"), look-alike strangers ("A new
person?") and unsure faces (no person close, no look-alike: "a new person"
is offered first, the nearest people listed with their similarity). The
user answers for the face in hand with one key (Y: the top offer, N: not
that person, 1-3: it is the listed candidate) or a click, or for the whole
group at once (Shift+Y or "Yes to all"). Every answer is an undoable command on the
window's undo stack and a decision the clustering keeps for good (the
engine's ``accept_suggestions`` pins the face, ``reject_suggestion`` keeps it
out of that person; see engine/faces/suggest.py)."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QLabel, QListView, QListWidget, QListWidgetItem, QPushButton, QSplitter,
    QVBoxLayout, QWidget,
)

from photoorg.engine.catalog import user_commands
from photoorg.engine.faces.people_queries import person_display_name

from ..actions import ActionCommand
from ..changes import Change
from ..qtutil import slot, start_once

FACE = Qt.ItemDataRole.UserRole + 1
LOADED = Qt.ItemDataRole.UserRole + 2


def load_review(catalog) -> dict:
    """Off the GUI thread: the groups, each face's reference and the names."""
    from photoorg.engine.faces.suggest import review_groups

    groups = review_groups(catalog)
    people = catalog.people_list(include_unnamed_singletons=True)
    names = {p.id: p.display_name for p in people}
    covers = {p.id: p.cover for p in people if p.cover is not None}
    refs = {f: catalog.face(f) for g in groups for f in g.face_ids}
    return {"groups": groups, "names": names, "refs": refs, "covers": covers}


def AcceptCommand(panel: "FaceReview", face_ids: list[int], person_id: Optional[int], label: str):  # noqa: N802
    """Faces confirmed as a person (or, ``person_id`` None, as a new person):
    one journalled action, undone row for row."""
    return ActionCommand(panel.session, user_commands.accept_faces(face_ids, person_id, label), Change.PEOPLE)


def RejectCommand(panel: "FaceReview", face_id: int, person_id: int, label: str):  # noqa: N802
    return ActionCommand(panel.session, user_commands.reject_suggestion(face_id, person_id, label), Change.PEOPLE)


def face_grid(size: int, pad: tuple[int, int] = (28, 40), multi: bool = False) -> QListWidget:
    """A grid of face crops (the People view's lists and the review's faces)."""
    grid = QListWidget()
    grid.setObjectName("FaceGrid")
    grid.setViewMode(QListView.ViewMode.IconMode)
    grid.setIconSize(QSize(size, size))
    grid.setGridSize(QSize(size + pad[0], size + pad[1]))
    grid.setResizeMode(QListView.ResizeMode.Adjust)
    grid.setMovement(QListView.Movement.Static)
    # Not uniform: Qt would size every item like the first, before its face arrived.
    grid.setWordWrap(True)
    grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if multi
                          else QAbstractItemView.SelectionMode.SingleSelection)
    return grid


def load_face_icons(grid: QListWidget, refs: dict, crops, role: int = FACE) -> None:
    """Give every item of a face grid its crop once the crop is ready (items
    keep their face key under ``role``; crops arrive from a background loader)."""
    for i in range(grid.count()):
        item = grid.item(i)
        ref = refs.get(item.data(role))
        if ref is not None and not item.data(LOADED):
            image = crops.get(ref)
            if image is not None:
                item.setIcon(QIcon(QPixmap.fromImage(image)))
                item.setData(LOADED, True)


class FaceReview(QWidget):
    """The "Unknown faces" section of the People view."""

    counted = Signal(int)  # faces waiting for review

    def __init__(self, session, crops, parent=None) -> None:
        super().__init__(parent)
        self.session, self.crops = session, crops
        self.groups: list = []
        self.names: dict[int, str] = {}
        self.refs: dict[int, object] = {}
        self.covers: dict[int, object] = {}
        self.loaded = False
        blank = QPixmap(112, 112)
        blank.fill(QColor("#2a2a2a"))
        self._placeholder = QIcon(blank)

        self.group_list = QListWidget()
        self.group_list.setObjectName("ReviewGroups")
        self.question = QLabel("")
        self.question.setObjectName("ViewTitle")
        self.who = QLabel()  # the suggested person's face, beside the question
        self.who.setFixedSize(72, 72)
        self.who.setScaledContents(True)
        self.detail = QLabel("")
        self.detail.setObjectName("Hint")
        self.detail.setWordWrap(True)
        self.faces = face_grid(112)
        self.yes = QPushButton("Yes (Y)")
        self.no = QPushButton("No (N)")
        self.all = QPushButton("Yes to all in this group (Shift+Y)")
        buttons = QHBoxLayout()
        for w in (self.yes, self.no, self.all):
            buttons.addWidget(w)
        buttons.addStretch(1)
        # The face's candidates by rank ("It is Ann · 41 % (1)"), for the
        # unsure faces and the "new person?" groups.
        self.pick = [QPushButton() for _ in range(3)]
        picks = QHBoxLayout()
        for k, w in enumerate(self.pick):
            w.setObjectName(f"Candidate{k + 1}")
            w.clicked.connect(lambda _=False, k=k: self.confirm_candidate(k))
            picks.addWidget(w)
        picks.addStretch(1)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(8, 8, 8, 8)
        ask = QHBoxLayout()
        ask.addWidget(self.who)
        text = QVBoxLayout()
        text.addWidget(self.question)
        text.addWidget(self.detail)
        ask.addLayout(text, 1)
        column.addLayout(ask)
        column.addLayout(buttons)
        column.addLayout(picks)
        column.addWidget(self.faces, 1)
        self.empty = QLabel("   No unknown faces to review.")
        self.empty.setObjectName("Hint")
        self.empty.hide()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.group_list)
        splitter.addWidget(right)
        splitter.setSizes([300, 700])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(splitter, 1)
        self.splitter = splitter

        self.group_list.currentRowChanged.connect(self.show_group)
        self.faces.currentItemChanged.connect(lambda *_: self._update())
        self.yes.clicked.connect(self.confirm_current)
        self.no.clicked.connect(self.reject_current)
        self.all.clicked.connect(self.confirm_group)
        keys = [("Y", self.confirm_current), ("N", self.reject_current), ("Shift+Y", self.confirm_group)]
        keys += [(str(k + 1), lambda k=k: self.confirm_candidate(k)) for k in range(len(self.pick))]
        for key, fn in keys:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(fn)
        self._repaint = QTimer(self, singleShot=True, interval=60)
        self._repaint.timeout.connect(self._apply_crops)
        self.crops.ready.connect(slot(start_once, self._repaint))
        self._keep_row = 0

    # -- data ---------------------------------------------------------------------
    def refresh(self) -> None:
        catalog = self.session.catalog
        self.session.runner.call("load unknown faces", lambda: load_review(catalog), lane="query", key="review",
                                 on_done=self._show,
                                 on_error=lambda msg: self.session.error.emit(f"Could not list unknown faces: {msg}"))

    def _show(self, data: dict) -> None:
        self.groups, self.names, self.refs = data["groups"], data["names"], data["refs"]
        self.covers = data.get("covers", {})
        self.group_list.blockSignals(True)
        self.group_list.clear()
        for g in self.groups:
            title = "Unsure: new or known?" if g.unsure else self._title(g)
            self.group_list.addItem(QListWidgetItem(f"{title}  ·  {len(g.face_ids)}"))
        self.group_list.blockSignals(False)
        self.loaded = True
        self.empty.setVisible(not self.groups)
        self.splitter.setVisible(bool(self.groups))
        self.counted.emit(sum(len(g.face_ids) for g in self.groups))
        if self.groups:
            row = min(self._keep_row, len(self.groups) - 1)
            self.group_list.setCurrentRow(row)
            self.show_group(row)
        else:
            self.show_group(-1)

    def _title(self, g) -> str:
        if g.person_id is not None:
            return f"Is this {self.names.get(g.person_id, f'Person {g.person_id}')}?"
        return "Who is this?" if g.unsure else "A new person?"

    def current_group(self):
        row = self.group_list.currentRow()
        return self.groups[row] if 0 <= row < len(self.groups) else None

    def show_group(self, row: int) -> None:
        if row >= 0:  # a reload (after any change) comes back to the group in hand
            self._keep_row = row
        self.faces.clear()
        g = self.groups[row] if 0 <= row < len(self.groups) else None
        if g is None:
            self.question.setText("")
            self.detail.setText("")
            self._update()
            return
        self.question.setText(self._title(g))
        for fid in g.face_ids:
            cands = g.suggestions.get(fid, [])
            text = f"{cands[0].similarity:.0%}" if cands and cands[0].person_id == g.person_id else ""
            if g.unsure:  # the top offer, then the nearest person
                text = "new?" + (f" · {self._name(cands[0].person_id)} {cands[0].similarity:.0%}" if cands else "")
            item = QListWidgetItem(self._placeholder, text)
            item.setData(FACE, fid)
            ref = self.refs.get(fid)
            others = ", ".join(f"{self.names.get(s.person_id, s.person_id)} {s.similarity:.0%}" for s in cands)
            item.setToolTip((ref.path if ref else "") + (f"\nmost like: {others}" if others else ""))
            self.faces.addItem(item)
        if self.faces.count():
            self.faces.setCurrentRow(0)
        if g.person_id is not None:
            self.detail.setText("Y confirms the selected face, N says it is someone else (it is not asked "
                                "again), Shift+Y confirms the whole group. Ctrl+Z undoes.")
        elif not g.unsure:
            self.detail.setText("These faces look alike and match nobody in People yet: "
                                "Shift+Y makes them one new person.")
        self._apply_crops()
        self._update()

    def _name(self, person_id: int) -> str:
        return self.names.get(person_id) or person_display_name(person_id, None, 0)

    def _candidates(self) -> list:
        g, face = self.current_group(), self._current_face()
        return g.suggestions.get(face, []) if g is not None and face is not None else []

    def _apply_crops(self) -> None:
        g = self.current_group()
        cover = self.covers.get(g.person_id) if g is not None and g.person_id is not None else None
        if g is not None and g.unsure and self._candidates():  # beside "Who is this?": the nearest person
            cover = self.covers.get(self._candidates()[0].person_id)
        image = self.crops.get(cover) if cover is not None else None
        self.who.setVisible(cover is not None)
        if image is not None:
            self.who.setPixmap(QPixmap.fromImage(image))
        load_face_icons(self.faces, self.refs, self.crops)

    def _update(self) -> None:
        g = self.current_group()
        has_face = self.faces.currentItem() is not None
        cands = self._candidates()
        unsure = bool(g) and g.unsure
        self.yes.setEnabled(bool(g) and has_face and (g.person_id is not None or unsure))
        self.no.setEnabled(bool(g) and has_face and (g.person_id is not None or (unsure and bool(cands))))
        self.all.setEnabled(bool(g) and not g.unsure)
        if g is not None and g.person_id is not None:
            name = self._name(g.person_id)
            self.yes.setText(f"Yes, {name} (Y)")
            self.no.setText(f"Not {name} (N)")
        elif unsure:
            self.yes.setText("A new person (Y)")
            self.no.setText(f"Not {self._name(cands[0].person_id)} (N)" if cands else "No (N)")
        else:
            self.yes.setText("Yes (Y)")
            self.no.setText("No (N)")
        show = bool(g) and g.person_id is None and has_face
        for k, button in enumerate(self.pick):
            c = cands[k] if show and k < len(cands) else None
            button.setVisible(c is not None)
            if c is not None:
                button.setText(f"It is {self._name(c.person_id)} · {c.similarity:.0%} ({k + 1})")
        if unsure and has_face:
            near = ", ".join(f"{self._name(c.person_id)} {c.similarity:.0%}" for c in cands)
            self.detail.setText(
                "Nobody in People looks like this face closely and no other unknown face does: "
                "Y makes it a new person. " + (f"Nearest: {near}; 1-{len(cands)} says it is one of them, N that "
                                               f"it is not {self._name(cands[0].person_id)} (not asked again). "
                                               if cands else "No person is even near. ") + "Ctrl+Z undoes.")
            self._apply_crops()

    # -- answers -------------------------------------------------------------------
    def write(self, name: str, fn) -> None:
        catalog = self.session.catalog
        self.session.runner.call(name, lambda: fn(catalog), lane="edit",
                                 on_done=lambda _: self.session.notify(Change.PEOPLE),
                                 on_error=lambda msg: self.session.error.emit(f"Could not {name}: {msg}"))

    def _current_face(self) -> Optional[int]:
        item = self.faces.currentItem()
        return item.data(FACE) if item is not None else None

    def confirm_current(self) -> None:
        """Y: the top offer (the group's person; a new person when unsure)."""
        g, face = self.current_group(), self._current_face()
        if g is None or face is None or (g.person_id is None and not g.unsure):
            return
        self._keep_row = self.group_list.currentRow()
        label = self._name(g.person_id) if g.person_id is not None else "a new person"
        self.session.undo.push(AcceptCommand(self, [face], g.person_id, label))

    def reject_current(self) -> None:
        """N: not the group's person (unsure: not the nearest candidate)."""
        g, face = self.current_group(), self._current_face()
        if g is None or face is None:
            return
        person = g.person_id
        if person is None and g.unsure and self._candidates():
            person = self._candidates()[0].person_id
        if person is None:
            return
        self._keep_row = self.group_list.currentRow()
        self.session.undo.push(RejectCommand(self, face, person, self._name(person)))

    def confirm_candidate(self, k: int) -> None:
        """1-3: the face in hand is its k-th listed candidate."""
        g, cands = self.current_group(), self._candidates()
        if g is None or g.person_id is not None or k >= len(cands):
            return
        self._keep_row = self.group_list.currentRow()
        person = cands[k].person_id
        self.session.undo.push(AcceptCommand(self, [self._current_face()], person, self._name(person)))

    def confirm_group(self) -> None:
        g = self.current_group()
        if g is None or g.unsure:
            return
        self._keep_row = self.group_list.currentRow()
        label = self.names.get(g.person_id, "a person") if g.person_id is not None else "a new person"
        self.session.undo.push(AcceptCommand(self, list(g.face_ids), g.person_id, label))

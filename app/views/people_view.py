"""The People view: every person as a face (the owner marked "You"), and the
faces of the selected person. Name a person, mark who you are, merge people,
split faces off into a new person, remove a wrong face; each correction is
kept by every later clustering (the faces engine stores them as constraints).
Every correction is undoable with Ctrl+Z (also after a restart). "Unknown faces" shows
the faces in no person with "Is this X?" (``widgets/face_review.py``)."""

from __future__ import annotations

from photoorg.engine.wording import count
from typing import Optional

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QLineEdit, QListWidgetItem,
    QPushButton, QSplitter, QStackedWidget, QVBoxLayout, QWidget,
)

from ..face_crops import FaceCrops
from ..qtutil import slot, start_once
from photoorg.engine.catalog import user_commands

from ..actions import push_action
from ..changes import Change
from ..session import Session
from .lazy import LazyView
from ..theme import icon, icon_image
from ..widgets.face_review import FaceReview, face_grid, load_face_icons

ID = Qt.ItemDataRole.UserRole + 1
LOADED = Qt.ItemDataRole.UserRole + 2


class PeopleView(LazyView):
    watches = Change.ANALYSIS | Change.PEOPLE | Change.CURATION | Change.PHOTOS

    def __init__(self, session: Session, shell=None, parent=None) -> None:
        super().__init__(parent)
        self.session, self.shell = session, shell
        self.crops = FaceCrops(session.settings.thumbs_dir, parent=self)
        self.people = face_grid(96, (24, 36), multi=True)
        self.faces = face_grid(112, (24, 36), multi=True)
        blank = QPixmap(112, 112)
        blank.fill(QColor("#2a2a2a"))
        self._placeholder = QIcon(blank)  # until the face is cut
        self.person_id: Optional[int] = None
        self.people_info: dict[int, object] = {}
        self.face_refs: dict[int, object] = {}

        header = QFrame()
        header.setObjectName("ViewHeader")
        title = QLabel("People")
        title.setObjectName("ViewTitle")
        self.summary = QLabel("")
        self.summary.setObjectName("Hint")
        self.merge = QPushButton(icon("merge"), "Merge selected people")
        self.unknown = QPushButton("Unknown faces")
        self.unknown.setCheckable(True)
        self.unknown.setToolTip("Faces in no person: confirm or reject \u201cIs this X?\u201d (Y / N)")
        row = QHBoxLayout(header)
        row.setContentsMargins(10, 6, 10, 6)
        row.addWidget(title)
        row.addWidget(self.summary)
        row.addStretch(1)
        row.addWidget(self.unknown)
        row.addWidget(self.merge)

        self.name = QLineEdit()
        self.name.setPlaceholderText("Name this person and press Enter")
        self.me = QPushButton(icon("owner"), "This is me")
        self.photos = QPushButton("Show photos")
        self.split = QPushButton(icon("split"), "Split off selected faces")
        self.remove = QPushButton(icon("cancel"), "Not this person")
        person_bar = QHBoxLayout()
        for w in (self.name, self.me, self.photos):
            person_bar.addWidget(w)
        face_bar = QHBoxLayout()
        self.face_hint = QLabel("Select faces (Ctrl/Shift+click) to split them off or remove them")
        self.face_hint.setObjectName("Hint")
        self.face_hint.setWordWrap(True)
        face_bar.addWidget(self.face_hint, 1)
        face_bar.addWidget(self.split)
        face_bar.addWidget(self.remove)
        right = QWidget()
        self.right = right
        column = QVBoxLayout(right)
        column.setContentsMargins(8, 8, 8, 8)
        column.addLayout(person_bar)
        column.addLayout(face_bar)
        column.addWidget(self.faces, 1)
        self.empty = QLabel("")
        self.empty.setObjectName("Hint")
        self.empty.setWordWrap(True)
        self.empty.hide()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.people)
        splitter.addWidget(right)
        splitter.setSizes([420, 600])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.empty)
        self.review = FaceReview(session, self.crops)
        self.pages = QStackedWidget()
        self.pages.addWidget(splitter)
        self.pages.addWidget(self.review)
        layout.addWidget(self.pages, 1)
        self.unknown.toggled.connect(self.show_unknown)
        self.review.counted.connect(lambda n: self.unknown.setText(f"Unknown faces ({n})"))

        self.people.currentItemChanged.connect(lambda cur, _prev: self.select_person(cur.data(ID) if cur else None))
        self.people.itemSelectionChanged.connect(self._update_buttons)
        self.faces.itemSelectionChanged.connect(self._update_buttons)
        self.faces.itemClicked.connect(self._face_clicked)
        self.name.returnPressed.connect(self.save_name)
        self.me.clicked.connect(self.mark_owner)
        self.photos.clicked.connect(self.show_photos)
        self.merge.clicked.connect(self.merge_selected)
        self.split.clicked.connect(self.split_selected)
        self.remove.clicked.connect(self.remove_selected)
        self._repaint = QTimer(self, singleShot=True, interval=60)
        self._repaint.timeout.connect(self._apply_crops)
        self.crops.ready.connect(slot(start_once, self._repaint))
        self.listen(session)
        session.closing.connect(self.crops.shutdown)
        self._update_buttons()

    # -- data -----------------------------------------------------------------------
    def show_unknown(self, on: bool = True) -> None:
        """Switch between the people and the review of unknown faces."""
        if self.unknown.isChecked() != on:
            self.unknown.setChecked(on)
            return
        self.pages.setCurrentWidget(self.review if on else self.pages.widget(0))
        self.merge.setVisible(not on)
        self.empty.setVisible(not on and self.loaded and not self.people_info)
        if on:
            self.review.refresh()
            self.review.faces.setFocus()

    def reload(self, kinds: Change) -> None:
        catalog = self.session.catalog
        if catalog is None:
            self._show_people([])
            return
        self.review.refresh()
        self.session.runner.call("load people", lambda: catalog.people_list(), lane="query", key="people",
                                 on_done=self._show_people,
                                 on_error=lambda msg: self.session.error.emit(f"Could not list people: {msg}"))

    def _show_people(self, people: list) -> None:
        keep = self.person_id
        self.people.blockSignals(True)
        self.people.clear()
        self.people_info = {p.id: p for p in people}
        for p in people:
            item = QListWidgetItem(self._placeholder, f"{p.display_name}\n{p.photo_count} photo{'s' if p.photo_count != 1 else ''}")
            item.setData(ID, p.id)
            item.setToolTip(f"{p.display_name}: {count(p.face_count, 'face')} in {count(p.photo_count, 'photo')}"
                            + ("\nyou (confirmed)" if p.owner == 2 else "\nprobably you (most selfies)" if p.owner == 1 else ""))
            self.people.addItem(item)
        self.people.blockSignals(False)
        self.loaded = True
        self.summary.setText(count(len(people), "person"))
        self.empty.setText("   No people yet. Faces are found when the photos are analysed (File ▸ Analyse now)."
                           if not people else "")
        self.empty.setVisible(not people and not self.unknown.isChecked())
        self.right.setVisible(bool(people))
        self._apply_crops()
        target = keep if keep in self.people_info else (people[0].id if people else None)
        self.select_person(target)

    def select_person(self, person_id: Optional[int]) -> None:
        self.person_id = person_id
        for i in range(self.people.count()):
            if self.people.item(i).data(ID) == person_id and self.people.currentRow() != i:
                self.people.blockSignals(True)
                self.people.setCurrentRow(i)
                self.people.blockSignals(False)
        person = self.people_info.get(person_id)
        self.name.setText(person.name or "" if person else "")
        self.faces.clear()
        self._update_buttons()
        if person is None:
            return
        catalog = self.session.catalog
        self.session.runner.call("load faces", lambda: (person_id, catalog.person_faces(person_id)), lane="query",
                                 key="faces", on_done=self._show_faces,
                                 on_error=lambda msg: self.session.error.emit(f"Could not list faces: {msg}"))

    def _show_faces(self, result) -> None:
        person_id, faces = result
        if person_id != self.person_id:
            return
        self.faces.clear()
        self.face_refs = {f.id: f for f in faces}
        for f in faces:
            item = QListWidgetItem(self._placeholder, "pinned" if f.assigned_by == "user" else "")
            item.setData(ID, f.id)
            item.setToolTip(f"{f.path}\nquality {f.quality:.2f}" + ("\nplaced by you" if f.assigned_by == "user" else ""))
            self.faces.addItem(item)
        self._apply_crops()
        self._update_buttons()

    def _apply_crops(self) -> None:
        for i in range(self.people.count()):
            item = self.people.item(i)
            person = self.people_info.get(item.data(ID))
            if person is not None and person.cover is not None and not item.data(LOADED):
                image = self.crops.get(person.cover)
                if image is not None:
                    item.setIcon(QIcon(self._badged(image, person.owner)))
                    item.setData(LOADED, True)
        load_face_icons(self.faces, self.face_refs, self.crops, ID)

    @staticmethod
    def _badged(image, owner: int) -> QPixmap:
        pixmap = QPixmap.fromImage(image)
        if owner:
            from PySide6.QtGui import QPainter

            painter = QPainter(pixmap)
            painter.drawImage(pixmap.width() - 26, 4, icon_image("owner", 22))
            painter.end()
        return pixmap

    def _update_buttons(self) -> None:
        has_person = self.person_id is not None
        faces = len(self.faces.selectedItems())
        people = len(self.people.selectedItems())
        for w in (self.name, self.me, self.photos):
            w.setEnabled(has_person)
        self.split.setEnabled(has_person and 0 < faces < self.faces.count())
        self.remove.setEnabled(has_person and faces > 0)
        self.merge.setEnabled(people >= 2)
        self.merge.setText(f"Merge {people} people" if people >= 2 else "Merge selected people")
        person = self.people_info.get(self.person_id)
        self.me.setText("This is not me" if person is not None and person.owner == 2 else "This is me")

    # -- corrections ---------------------------------------------------------------
    def write(self, name: str, fn) -> None:
        catalog = self.session.catalog
        self.session.runner.call(name, lambda: fn(catalog), lane="edit",
                                 on_done=lambda _: self.session.notify(Change.PEOPLE),
                                 on_error=lambda msg: self.session.error.emit(f"Could not {name}: {msg}"))

    def act(self, action) -> None:
        """Every correction is one undoable, journalled action (Ctrl+Z puts
        back names, faces and the constraints later clusterings keep)."""
        push_action(self.session, action, Change.PEOPLE)

    def save_name(self) -> None:
        person = self.people_info.get(self.person_id)
        new = self.name.text().strip() or None
        if person is not None and new != person.name:
            self.act(user_commands.name_person(person.id, new))

    def mark_owner(self) -> None:
        person = self.people_info.get(self.person_id)
        if person is not None:
            target = None if person.owner == 2 else person.id
            self.act(user_commands.confirm_owner(target))

    def show_photos(self) -> None:
        person = self.people_info.get(self.person_id)
        if person is not None and self.shell is not None:
            self.shell.navigate(("filter", {"person_id": person.id}, person.display_name))

    def merge_selected(self) -> None:
        ids = [i.data(ID) for i in self.people.selectedItems()]
        if len(ids) < 2:
            return
        # Into the person shown (else the first named, else the largest).
        named = [i for i in ids if self.people_info[i].name]
        target = self.person_id if self.person_id in ids else (named[0] if named else ids[0])
        self.person_id = target
        self.act(user_commands.merge_people(target, [i for i in ids if i != target]))

    def split_selected(self) -> None:
        faces = [i.data(ID) for i in self.faces.selectedItems()]
        if faces and self.person_id is not None:
            pid = self.person_id
            self.act(user_commands.split_person(pid, faces))

    def remove_selected(self) -> None:
        faces = [i.data(ID) for i in self.faces.selectedItems()]
        if faces and self.person_id is not None:
            self.act(user_commands.not_this_person(self.person_id, faces))

    def _face_clicked(self, item: QListWidgetItem) -> None:
        face = self.face_refs.get(item.data(ID))
        if face is not None and face.photo_id is not None and self.shell is not None:
            self.shell.show_photo(face.photo_id)

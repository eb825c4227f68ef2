"""The People view's "Unknown faces" on real party photos
(../shared/photos/people/human), faces found by the real faces stage: the
man's face that the user took out of his person comes back as "Is this
...?"; Y confirms it, N rejects, Shift+Y confirms a whole group, and Ctrl+Z
undoes each. A screenshot of the section is saved (set
PHOTOORG_SCREENSHOTS=folder to keep it)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402

from photoorg.engine.pipeline import stages  # noqa: E402

from test_gui_support import make_window, wait_idle  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.skipif("faces" not in {s.name for s in stages()},
                                                  reason="the faces stage is not in this build")]
PHOTOS = ["person-vlado.jpg", "person-vlado1.jpg", "group-2.jpg", "group-4.jpg", "group-5.jpg"]


@pytest.fixture
def review_window(qtbot, shared_photos, tmp_path, settings):
    library = tmp_path / "party"
    library.mkdir()
    for name in PHOTOS:
        shutil.copy2(shared_photos / "people" / "human" / name, library / name)
    # The faces stage runs here, before the window opens the catalog (the
    # window's own analysis process is tested in test_gui_people.py).
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.pipeline import run_stages
    from photoorg.engine.scan.scanner import scan

    with Catalog(settings.catalog_path) as prepared:
        scan(prepared, [str(library)], settings)
        run_stages(prepared, settings, only=["faces"])
    window = make_window(qtbot, settings, analyse_after_scan=False)
    wait_idle(qtbot, window)
    catalog = window.session.catalog
    # The man (most faces) loses two faces, as a user would take them out by
    # mistake, and forgets the "not him": they are unknown faces now.
    man = catalog.people_list()[0]
    taken = [f.id for f in catalog.person_faces(man.id)[-2:]]
    for f in taken:
        catalog.remove_face(f, man.id)
        catalog.unreject_suggestion(f, man.id)
    view = window.shell.show_view("people")
    qtbot.waitUntil(lambda: view.loaded, timeout=10_000)
    view.show_unknown(True)
    qtbot.waitUntil(lambda: view.review.loaded and bool(view.review.groups), timeout=20_000)
    return window, view, man.id, taken


def _select_group_of(qtbot, review, person_id):
    row = next(i for i, g in enumerate(review.groups) if g.person_id == person_id)
    review.group_list.setCurrentRow(row)
    qtbot.waitUntil(lambda: review.faces.count() == len(review.groups[row].face_ids))
    return review.groups[row]


def _reloaded(qtbot, window, review):
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: review.loaded and not window.session.runner.active())


def test_confirm_reject_batch_and_undo(qtbot, review_window, tmp_path):
    window, view, man, taken = review_window
    catalog = window.session.catalog
    review = view.review
    group = _select_group_of(qtbot, review, man)
    assert set(taken) <= set(group.face_ids)
    assert review.question.text().startswith("Is this ")
    assert "Y" in review.yes.text() and review.yes.isEnabled()
    assert view.unknown.text().startswith("Unknown faces (")

    # A screenshot of the section, looked at by whoever changes it.
    qtbot.waitUntil(lambda: all(review.faces.item(i).data(Qt.ItemDataRole.UserRole + 2)
                                for i in range(review.faces.count())), timeout=15_000)
    window.resize(1100, 700)
    shot = tmp_path / "unknown_faces.png"
    assert window.grab().save(str(shot)) and shot.stat().st_size > 10_000
    if os.environ.get("PHOTOORG_SCREENSHOTS"):
        shutil.copy(shot, Path(os.environ["PHOTOORG_SCREENSHOTS"]) / shot.name)

    # Y on the face in hand: confirmed (pinned), Ctrl+Z: unknown again.
    face = review.faces.currentItem().data(Qt.ItemDataRole.UserRole + 1)
    qtbot.keyClick(review.faces, Qt.Key.Key_Y)
    _reloaded(qtbot, window, review)
    assert catalog.face(face).person_id == man and catalog.face(face).assigned_by == "user"
    assert catalog.decisions("face_suggestion_accept")[-1]["value"] == {"face": face, "person": man}
    window.undo()
    _reloaded(qtbot, window, review)
    assert catalog.face(face).person_id is None

    # N: "not him", kept; undo forgets it.
    group = _select_group_of(qtbot, review, man)
    face = review.faces.currentItem().data(Qt.ItemDataRole.UserRole + 1)
    qtbot.keyClick(review.faces, Qt.Key.Key_N)
    _reloaded(qtbot, window, review)
    assert man in catalog.face_rejections().get(face, set())
    assert all(face not in g.face_ids for g in review.groups if g.person_id == man)
    window.undo()
    _reloaded(qtbot, window, review)
    assert man not in catalog.face_rejections().get(face, set())

    # Shift+Y: the whole group is him; one undo puts every face back.
    group = _select_group_of(qtbot, review, man)
    faces = list(group.face_ids)
    qtbot.keyClick(review.faces, Qt.Key.Key_Y, Qt.KeyboardModifier.ShiftModifier)
    _reloaded(qtbot, window, review)
    assert all(catalog.face(f).person_id == man for f in faces)
    assert catalog.face_invariant_violations() == []
    window.undo()
    _reloaded(qtbot, window, review)
    assert all(catalog.face(f).person_id is None for f in faces)
    # Back to the people. The man and the woman are in one photo: merging
    # them is refused, with the reason shown.
    view.show_unknown(False)
    assert view.pages.currentIndex() == 0
    errors = []
    window.session.error.connect(errors.append)
    qtbot.waitUntil(lambda: view.people.count() >= 2)
    for i in range(view.people.count()):
        view.people.item(i).setSelected(True)
    assert view.merge.isEnabled()
    people_before = len(catalog.people_list())
    view.merge.click()
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: bool(errors))
    assert "never one person" in errors[-1] and len(catalog.people_list()) == people_before


def test_unsure_faces_new_person_candidate_and_not_this_one(qtbot, review_window, tmp_path):
    """The strangers of the party photos match nobody: they are unsure,
    each offered as "a new person" (Y) with its nearest people listed (1-3:
    it is that one, N: not the nearest), every answer undone by Ctrl+Z."""
    window, view, man, taken = review_window
    catalog = window.session.catalog
    review = view.review
    _reloaded(qtbot, window, review)
    row = next(i for i, g in enumerate(review.groups) if g.kind == "unsure")
    review.group_list.setCurrentRow(row)
    group = review.groups[row]
    qtbot.waitUntil(lambda: review.faces.count() == len(group.face_ids))
    assert review.group_list.item(row).text().startswith("Unsure")
    assert review.question.text() == "Who is this?"
    # A face with candidates (they come first): the nearest is named.
    with_cands = [f for f in group.face_ids if group.suggestions[f]]
    assert with_cands and review.faces.currentItem().data(Qt.ItemDataRole.UserRole + 1) == with_cands[0]
    nearest = group.suggestions[with_cands[0]][0]
    name = review.names.get(nearest.person_id, f"Person {nearest.person_id}")
    assert review.yes.text() == "A new person (Y)" and review.yes.isEnabled()
    assert review.no.text() == f"Not {name} (N)" and not review.all.isEnabled()
    assert review.pick[0].isVisible() and review.pick[0].text().startswith(f"It is {name} · ")
    assert "Nearest: " in review.detail.text() and review.faces.currentItem().text().startswith("new?")

    qtbot.waitUntil(lambda: all(review.faces.item(i).data(Qt.ItemDataRole.UserRole + 2)
                                for i in range(review.faces.count())), timeout=15_000)
    window.resize(1100, 700)
    _reloaded(qtbot, window, review)
    assert review.group_list.currentRow() == row and review.question.text() == "Who is this?"
    # Beside the question: the nearest person's face.
    qtbot.waitUntil(lambda: review.who.isVisible() and review.who.pixmap() is not None
                    and not review.who.pixmap().isNull(), timeout=15_000)
    shot = tmp_path / "unknown_faces_unsure.png"
    assert window.grab().save(str(shot)) and shot.stat().st_size > 10_000
    if os.environ.get("PHOTOORG_SCREENSHOTS"):
        shutil.copy(shot, Path(os.environ["PHOTOORG_SCREENSHOTS"]) / shot.name)

    def in_hand():
        row = next(i for i, g in enumerate(review.groups) if g.kind == "unsure")
        if review.group_list.currentRow() != row:
            review.group_list.setCurrentRow(row)
        qtbot.waitUntil(lambda: review.faces.count() == len(review.groups[row].face_ids))
        return review.faces.currentItem().data(Qt.ItemDataRole.UserRole + 1)

    # N: not the nearest person, kept for good; undo forgets it.
    face = in_hand()
    qtbot.keyClick(review.faces, Qt.Key.Key_N)
    _reloaded(qtbot, window, review)
    assert nearest.person_id in catalog.face_rejections().get(face, set())
    window.undo()
    _reloaded(qtbot, window, review)
    assert nearest.person_id not in catalog.face_rejections().get(face, set())
    # 1: it is the nearest person after all (pinned there); undo.
    face = in_hand()
    qtbot.keyClick(review.faces, Qt.Key.Key_1)
    _reloaded(qtbot, window, review)
    assert catalog.face(face).person_id == nearest.person_id and catalog.face(face).assigned_by == "user"
    window.undo()
    _reloaded(qtbot, window, review)
    assert catalog.face(face).person_id is None
    # Y: a new person of this one face, listed among the people; undo removes it.
    people = {p.id for p in catalog.people_list(include_unnamed_singletons=False)}
    face = in_hand()
    qtbot.keyClick(review.faces, Qt.Key.Key_Y)
    _reloaded(qtbot, window, review)
    made = catalog.face(face).person_id
    assert made is not None and made not in people and catalog.face(face).assigned_by == "user"
    assert made in {p.id for p in catalog.people_list(include_unnamed_singletons=False)}
    assert all(face not in g.face_ids for g in review.groups)
    window.undo()
    _reloaded(qtbot, window, review)
    assert catalog.face(face).person_id is None and catalog.person(made) is None
    assert catalog.face_invariant_violations() == []

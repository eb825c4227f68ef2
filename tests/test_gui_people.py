"""The People view over faces found by the real faces stage, which the
window runs in its analysis process: progress, people, naming (and undo),
removing a wrong face, merging."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402

from photoorg.engine.pipeline import stages  # noqa: E402

from test_gui_support import make_window, wait_idle  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.skipif("faces" not in {s.name for s in stages()},
                                                  reason="the faces stage is not in this build")]


@pytest.fixture
def people_window(qtbot, shared_photos, tmp_path, settings):
    library = tmp_path / "people"
    shutil.copytree(shared_photos / "faces" / "knn_examples" / "train", library)
    window = make_window(qtbot, settings, analyse_after_scan=False)
    window.add_folders([str(library)])
    wait_idle(qtbot, window)
    from photoorg.app import jobs

    seen = []
    task = jobs.start_analysis(window.session, only=["faces"])
    task_progress = lambda t: seen.append(t.last_progress) if t is task else None  # noqa: E731
    window.session.runner.task_progress.connect(task_progress)
    qtbot.waitUntil(lambda: window.shell.progress.isVisible())
    wait_idle(qtbot, window, timeout_ms=120_000)
    assert task.state == "done", task.error
    assert window.session.catalog.scalar("SELECT count(*) FROM faces") > 0
    assert any(p.stage == "faces" and p.total for p in seen)  # progress came from the child process
    view = window.shell.show_view("people")
    qtbot.waitUntil(lambda: view.loaded, timeout=10_000)
    return window, view


def test_name_a_person_then_undo_remove_a_face_and_merge(qtbot, people_window):
    window, view = people_window
    catalog = window.session.catalog
    people = catalog.people_list()
    assert len(people) >= 3 and view.people.count() == len(people)
    first = people[0]
    view.select_person(first.id)
    qtbot.waitUntil(lambda: view.faces.count() == first.face_count)
    # Name the person: type and press Enter.
    view.name.setText("Barack")
    qtbot.keyClick(view.name, Qt.Key.Key_Return)
    wait_idle(qtbot, window)
    assert catalog.person(first.id).name == "Barack"
    assert catalog.decisions("person_name")[-1]["value"] == {"person": first.id, "name": "Barack"}
    qtbot.waitUntil(lambda: view.people.item(0).text().startswith("Barack"))
    window.undo()
    wait_idle(qtbot, window)
    assert catalog.person(first.id).name is None
    window.session.undo.redo()
    wait_idle(qtbot, window)
    assert catalog.person(first.id).name == "Barack"
    # A face clicked shows its photo in the inspector, with the person's name.
    qtbot.waitUntil(lambda: view.faces.count() == first.face_count)
    view._face_clicked(view.faces.item(0))
    inspector = window.shell.inspector
    texts = " ".join(label.text() for label in inspector.findChildren(QLabel))
    assert "PEOPLE" in texts and "Barack" in texts

    # "Not this person" on one face; Ctrl+Z puts it back (pinned).
    qtbot.waitUntil(lambda: view.faces.count() == first.face_count)
    view.faces.item(0).setSelected(True)
    face_id = view.faces.item(0).data(Qt.ItemDataRole.UserRole + 1)
    assert view.remove.isEnabled()
    view.remove.click()
    wait_idle(qtbot, window)
    assert catalog.face(face_id).person_id != first.id
    window.undo()
    wait_idle(qtbot, window)
    assert catalog.face(face_id).person_id == first.id

    # Merge two people: select both in the people grid.
    qtbot.waitUntil(lambda: view.people.count() == len(people))
    a, b = people[1].id, people[2].id
    for i in range(view.people.count()):
        view.people.item(i).setSelected(view.people.item(i).data(Qt.ItemDataRole.UserRole + 1) in (a, b))
    assert view.merge.isEnabled()
    view.merge.click()
    wait_idle(qtbot, window)
    ids = {p.id for p in catalog.people_list()}
    assert len(ids & {a, b}) == 1 and len(ids) == len(people) - 1
    # Show this person's photos in the library.
    view.select_person(first.id)
    view.photos.click()
    lib = window.shell.library
    qtbot.waitUntil(lambda: lib.loaded and lib.model.rowCount() == first.photo_count)
    assert window.shell.stack.currentWidget() is lib


def test_closing_the_window_stops_the_analysis_process(qtbot, shared_photos, tmp_path, settings):
    import os
    import time

    from photoorg.app import jobs
    from photoorg.engine.catalog import Catalog

    library = tmp_path / "few"
    shutil.copytree(shared_photos / "faces" / "knn_examples" / "train", library)
    window = make_window(qtbot, settings, analyse_after_scan=False)
    window.add_folders([str(library)])
    wait_idle(qtbot, window)
    task = jobs.start_analysis(window.session, only=["faces"])
    qtbot.waitUntil(lambda: task.last_progress is not None and task.last_progress.stage == "faces", timeout=60_000)
    children = [int(p) for p in os.listdir("/proc") if p.isdigit()
                and _parent(int(p)) == os.getpid() and "analysis_child" in _cmdline(int(p))]
    assert children  # analysis runs in its own process
    started = time.monotonic()
    window.close()
    assert time.monotonic() - started < 25
    assert all(not os.path.exists(f"/proc/{pid}") or _zombie(pid) for pid in children)
    with Catalog(settings.catalog_path) as catalog:  # the lock came back and was released
        assert catalog.photo_count() > 0


def _parent(pid: int) -> int:
    try:
        return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def _cmdline(pid: int) -> str:
    try:
        return open(f"/proc/{pid}/cmdline", "rb").read().decode("utf-8", "replace")
    except OSError:
        return ""


def _zombie(pid: int) -> bool:
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True

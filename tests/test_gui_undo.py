"""Every user action in the window and its undo, over a real library with
faces found by the faces stage: after Ctrl+Z the catalog holds exactly what
it held before (every table, the decision log the interest model reads
included) and the window shows what it showed. Also: the Series view and
the sidebar counts right after a clean-up and after its undo; an action
undone after a restart; the grid refreshing live while analysis writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402


from test_gui_support import copy_library, make_albums, make_window, wait_idle  # noqa: E402

pytestmark = pytest.mark.gui

ID = Qt.ItemDataRole.UserRole + 1
# Tables that record the session, not the library's state.
NOT_STATE = {"user_actions", "scan_runs", "sqlite_sequence", "prefs", "curation_transactions", "curation_items"}


def dump(catalog) -> dict:
    conn = sqlite3.connect(catalog.path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'") if r[0] not in NOT_STATE]
    out = {t: sorted(map(repr, conn.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}
    conn.close()
    return out


def changed_tables(a: dict, b: dict) -> set[str]:
    return {t for t in set(a) | set(b) if a.get(t) != b.get(t)}


def _make_series(catalog) -> None:
    by_name = {r.name: r.id for r in catalog.browse_rows()}
    for maker in ("canon", "iphone"):
        catalog.save_series("series", f"test-{maker}", [(by_name[f"{maker}_hdr_YES.jpg"], 1, 0.8),
                                                        (by_name[f"{maker}_hdr_NO.jpg"], 2, 0.4)])


@pytest.fixture
def window(qtbot, shared_photos, tmp_path, settings):
    """Scanned, with series, albums and interest saved through their stores."""
    library = copy_library(shared_photos, tmp_path / "photos")
    window = make_window(qtbot, settings, analyse_after_scan=False)
    window.add_folders([str(library)])
    wait_idle(qtbot, window)
    catalog = window.session.catalog
    _make_series(catalog)
    make_albums(catalog)
    # An interest row for every photo (the stage's own output call), so that
    # the interest a pick or stars shift can be compared before and after.
    catalog.save_interest([{"content_hash": r.content_hash, "weights_key": "test", "user_raw": 0.0,
                            "prior": {"quality": 0.3, "people": 0.2}, "dims": {}}
                           for r in catalog.browse_rows()])
    window.library_root = str(library)
    return window


def roundtrip(qtbot, window, do, shown, what: str, expect_tables: set[str]) -> None:
    """``do()`` changes the catalog and what ``shown()`` reads off the window;
    Ctrl+Z (the window's Undo) brings both back exactly."""
    catalog = window.session.catalog
    before, seen = dump(catalog), shown()
    do()
    wait_idle(qtbot, window)
    after = dump(catalog)
    touched = changed_tables(before, after)
    assert touched and touched <= expect_tables | {"decisions"}, f"{what}: changed {touched}"
    qtbot.waitUntil(lambda: shown() != seen, timeout=10_000)
    window.undo()
    wait_idle(qtbot, window)
    assert changed_tables(before, dump(catalog)) == set(), f"{what}: undo left {changed_tables(before, dump(catalog))}"
    qtbot.waitUntil(lambda: shown() == seen, timeout=10_000)


def test_every_action_and_its_undo_restore_the_catalog_and_the_window(qtbot, window):
    from photoorg.app import jobs

    task = jobs.start_analysis(window.session, only=["faces"])  # the people to correct
    wait_idle(qtbot, window, timeout_ms=180_000)
    assert task.state == "done", task.error
    shell, catalog = window.shell, window.session.catalog
    lib = shell.library
    qtbot.waitUntil(lambda: lib.model.rowCount() == catalog.photo_count())
    lib.grid.setFocus()
    first = lib.model.rows[0].id
    lib.grid.select_photo(first)

    # Pick, then stars: the interest they raise comes back to what it was.
    interest = catalog.interest_scores([first])[first]
    roundtrip(qtbot, window, lambda: qtbot.keyClick(lib.grid, Qt.Key.Key_P),
              lambda: (lib.model.row_at(lib.model.row_of(first)).flag, catalog.interest_scores([first])[first]),
              "pick", {"photos"})
    roundtrip(qtbot, window, lambda: qtbot.keyClick(lib.grid, Qt.Key.Key_4),
              lambda: (lib.model.row_at(lib.model.row_of(first)).rating, catalog.interest_scores([first])[first]),
              "stars", {"photos"})
    # Both at once, undone one after the other (the 82 % left instead of 64 %).
    qtbot.keyClick(lib.grid, Qt.Key.Key_P)
    qtbot.keyClick(lib.grid, Qt.Key.Key_5)
    wait_idle(qtbot, window)
    assert catalog.interest_scores([first])[first] > interest
    window.undo()
    window.undo()
    wait_idle(qtbot, window)
    assert catalog.interest_scores([first])[first] == interest and not catalog.decisions("rating")

    # Privacy override (the inspector's button).
    from photoorg.app.privacy_actions import push_privacy

    roundtrip(qtbot, window, lambda: push_privacy(window.session, first, None, True),
              lambda: lib.model.row_at(lib.model.row_of(first)).private, "privacy", {"privacy_overrides"})

    # The pick of a series: undo takes its "your pick" mark away too.
    series = shell.show_view("series")
    qtbot.waitUntil(lambda: series.loaded and series.model.rowCount() == 2)
    strip = series.model.strip(0)
    other = next(m for m in strip.members if not m.is_pick)
    roundtrip(qtbot, window, lambda: series.member_clicked(0, other),
              lambda: (lambda s: (s.pick_photo_id, s.user_pick))(series.model.strip(series.model.row_of(strip.id))),
              "series pick", {"series"})

    # People: name, "not this person", split, merge, "this is me".
    people = shell.show_view("people")
    qtbot.waitUntil(lambda: people.loaded and people.people.count() >= 3)
    person = max(catalog.people_list(), key=lambda p: p.face_count)
    people.select_person(person.id)
    qtbot.waitUntil(lambda: people.faces.count() == person.face_count)
    assert person.face_count >= 2

    def names():
        return sorted(people.people.item(i).text() for i in range(people.people.count()))

    def name():
        people.name.setText("Barack")
        qtbot.keyClick(people.name, Qt.Key.Key_Return)
    face_tables = {"people", "faces", "face_rejections", "person_cannot_link", "person_aliases"}
    roundtrip(qtbot, window, name, names, "name", face_tables)

    def select_faces(n):
        people.select_person(person.id)
        qtbot.waitUntil(lambda: people.faces.count() == person.face_count)
        people.faces.clearSelection()
        for i in range(n):
            people.faces.item(i).setSelected(True)

    def not_this_person():
        select_faces(1)
        people.remove.click()
    roundtrip(qtbot, window, not_this_person, lambda: (names(), people.faces.count()), "not this person", face_tables)

    def split():
        select_faces(1)
        assert people.split.isEnabled()
        people.split.click()
    roundtrip(qtbot, window, split, lambda: (people.people.count(), names()), "split", face_tables)

    def merge():
        ids = [p.id for p in catalog.people_list()][:2]
        for i in range(people.people.count()):
            people.people.item(i).setSelected(people.people.item(i).data(ID) in ids)
        people.merge.click()
    roundtrip(qtbot, window, merge, lambda: (people.people.count(), names()), "merge", face_tables)

    def me():
        people.select_person(person.id)
        people.me.click()
    roundtrip(qtbot, window, me, lambda: [people.people.item(i).toolTip() for i in range(people.people.count())],
              "this is me", face_tables)

    # An album's event.
    albums = shell.show_view("albums")
    qtbot.waitUntil(lambda: albums.loaded and albums.list.count() >= 2)
    album = catalog.albums("folders")[0]
    albums.select_album(album.id)

    def correct():
        index = albums.event.findData("BeachTrip")
        albums.event.setCurrentIndex(index)
        albums.event.activated.emit(index)
    roundtrip(qtbot, window, correct,
              lambda: [albums.list.item(i).text() for i in range(albums.list.count())], "event", {"albums"})

    # The journal survives a restart: name a person, close, open, Ctrl+Z.
    before = dump(catalog)
    shell.show_view("people")
    people.select_person(person.id)
    people.name.setText("Michelle")
    qtbot.keyClick(people.name, Qt.Key.Key_Return)
    wait_idle(qtbot, window)
    assert catalog.person(person.id).name == "Michelle"
    settings = window.session.settings
    window.close()
    again = make_window(qtbot, settings, analyse_after_scan=False)
    assert not again.session.undo.canUndo()
    again.undo()
    wait_idle(qtbot, again)
    assert changed_tables(before, dump(again.session.catalog)) == set()
    assert "Undone" in again.status.currentMessage()


def _folder_counts(sidebar) -> list[str]:
    out = []

    def walk(item):
        for i in range(item.childCount()):
            out.append(item.child(i).text(0))
            walk(item.child(i))
    walk(sidebar.folders)
    return out


def test_series_view_and_sidebar_counts_after_a_clean_up_and_its_undo(qtbot, window):
    shell, catalog = window.shell, window.session.catalog
    total = catalog.photo_count()
    qtbot.waitUntil(lambda: any(f"({total})" in t for t in _folder_counts(shell.sidebar)))
    counts_before = _folder_counts(shell.sidebar)
    series = shell.show_view("series")
    qtbot.waitUntil(lambda: series.loaded and series.model.rowCount() == 2)
    summary_before = series.summary.text()
    series.clean_all.click()
    qtbot.waitUntil(lambda: series.plan_panel.isVisible(), timeout=10_000)
    going = len(series.plan_panel.plan.items)
    assert going == 2
    series.plan_panel.apply_button.click()
    wait_idle(qtbot, window)
    # Right after: the view says what happened, the folder counts lost the two.
    qtbot.waitUntil(lambda: series.model.rowCount() == 0)
    assert series.empty.isVisible() and "cleaned up" in series.empty.text()
    assert "No series yet" not in series.empty.text() and "2 cleaned up" in series.summary.text()
    qtbot.waitUntil(lambda: any(f"({total - going})" in t for t in _folder_counts(shell.sidebar)))
    assert any("hdr  (2)" in t for t in _folder_counts(shell.sidebar))
    # The status strip's count too, though the library is not on screen.
    qtbot.waitUntil(lambda: window.status.count_label.text() == f"{total - going} photos")
    # And after its undo, both as they were.
    window.undo()
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: series.model.rowCount() == 2 and not series.empty.isVisible())
    assert series.summary.text() == summary_before
    qtbot.waitUntil(lambda: _folder_counts(shell.sidebar) == counts_before)
    qtbot.waitUntil(lambda: window.status.count_label.text() == f"{total} photos")


def test_removing_a_folder_from_the_sidebar_and_its_undo(qtbot, window):
    shell, catalog = window.shell, window.session.catalog
    lib = shell.library
    qtbot.waitUntil(lambda: shell.sidebar.folders.childCount() == 1)
    item = shell.sidebar.folders.child(0)
    assert item.toolTip(0) == window.library_root
    menu = shell.sidebar.folder_menu(item)
    assert menu is not None and "Remove photos from the library" in menu.actions()[0].text()
    files = sorted(p.name for p in Path(window.library_root).rglob("*"))
    roundtrip(qtbot, window, menu.actions()[0].trigger,
              lambda: (shell.sidebar.folders.childCount(), lib.model.rowCount(), tuple(catalog.roots())),
              "remove folder", {"photos", "folders", "roots", "series", "series_members", "album_photos"})
    assert sorted(p.name for p in Path(window.library_root).rglob("*")) == files
    assert catalog.roots() == [window.library_root]


def test_the_grid_refreshes_live_while_analysis_writes(qtbot, shared_photos, tmp_path, settings):
    library = copy_library(shared_photos, tmp_path / "photos")
    window = make_window(qtbot, settings, analyse_after_scan=False)
    window.add_folders([str(library)])
    wait_idle(qtbot, window)
    lib = window.shell.library
    qtbot.waitUntil(lambda: lib.model.rowCount() == window.session.catalog.photo_count())
    from photoorg.app import jobs
    from photoorg.app.changes import Change

    start = lib.reloads
    live: list[int] = []
    task = None

    def on_change(kinds) -> None:  # connected after the view: its reload has run
        if kinds & Change.PROGRESS and task is not None and task.state == "running":
            live.append(lib.reloads)
    window.session.changed.connect(on_change)
    task = jobs.start_analysis(window.session, only=["faces"])
    wait_idle(qtbot, window, timeout_ms=180_000)
    assert task.state == "done", task.error
    assert live, "no change notice reached the views while the analysis ran"
    assert max(live) > start, "the grid did not reload while the analysis ran"

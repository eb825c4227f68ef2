"""The window, driven offscreen over real temporary catalogs (pytest-qt):
first run and scanning with progress, the grid, culling keys with undo, the
loupe, filters, settings, errors, closing while work runs."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402

from photoorg.engine.catalog import Catalog  # noqa: E402
from photoorg.engine.progress import Progress  # noqa: E402
from photoorg.engine.settings import Preferences, Settings  # noqa: E402

from test_gui_support import copy_library, make_window, wait_idle  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def library(shared_photos, tmp_path):
    return copy_library(shared_photos, tmp_path / "photos")


@pytest.fixture
def scanned(qtbot, library, settings):
    """A window over a catalog of the library, scanned (analysis not run)."""
    window = make_window(qtbot, settings, analyse_after_scan=False)
    window.add_folders([str(library)])
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.shell.library.model.rowCount() == window.session.catalog.photo_count())
    return window


def test_first_run_scans_with_progress_and_fills_the_grid(qtbot, library, settings):
    window = make_window(qtbot, settings, analyse_after_scan=False)
    shell = window.shell
    assert shell.stack.currentWidget() is shell.welcome  # an empty catalog asks for folders
    seen: list[Progress] = []
    window.session.runner.task_progress.connect(lambda task: seen.append(task.last_progress))
    window.add_folders([str(library)])
    qtbot.waitUntil(lambda: shell.progress.isVisible())
    assert "Scanning" in shell.progress.title.text()
    wait_idle(qtbot, window)
    catalog = window.session.catalog
    n = catalog.photo_count()
    assert n >= 25
    reads = [p for p in seen if p.stage == "read"]
    assert reads and reads[-1].total == n and reads[-1].done == n
    assert "done" in shell.progress.title.text() and not shell.progress.cancel_button.isVisible()
    qtbot.waitUntil(lambda: shell.library.model.rowCount() == n)
    assert shell.stack.currentWidget() is shell.library
    # Thumbnails arrive off the GUI thread and land in the cache.
    qtbot.waitUntil(lambda: window.session.thumbs.loaded >= min(n, 10), timeout=10_000)
    assert f"{n} photos" in window.status.count_label.text()
    # The folders are in the sidebar, under the scanned root.
    qtbot.waitUntil(lambda: shell.sidebar.folders.childCount() == 1)
    folders = {str(p.parent) for p in library.rglob("*") if p.is_file()}

    def paths(item):
        out = {item.toolTip(0)}
        for i in range(item.childCount()):
            out |= paths(item.child(i))
        return out

    shown = paths(shell.sidebar.folders.child(0))
    assert folders <= shown and str(library) in shown
    assert shell.sidebar.folders.child(0).childCount() == 4  # nature, hdr, the two face folders


def test_culling_keys_show_at_once_are_saved_and_undo(qtbot, scanned):
    window, lib = scanned, scanned.shell.library
    grid, model, catalog = lib.grid, lib.model, scanned.session.catalog
    grid.setFocus()
    grid.select_photo(model.rows[0].id)
    first = model.rows[0].id
    qtbot.keyClick(grid, Qt.Key.Key_P)
    assert model.rows[0].flag == "pick"  # shown before it is written
    qtbot.keyClick(grid, Qt.Key.Key_4)
    assert model.rows[0].rating == 4
    wait_idle(qtbot, window)
    assert catalog.photo(first).rating == 4
    assert catalog.scalar("SELECT flag FROM photos WHERE id = ?", (first,)) == "pick"
    assert [d["value"] for d in catalog.decisions("rating")] == [4]
    # Arrows move; X rejects the next photo; two photos selected are rated together.
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    second = grid.current_id()
    assert second == model.rows[1].id
    qtbot.keyClick(grid, Qt.Key.Key_X)
    qtbot.keyClick(grid, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert set(grid.selected_ids()) == {first, second}
    qtbot.keyClick(grid, Qt.Key.Key_2)
    wait_idle(qtbot, window)
    assert catalog.photo(first).rating == 2 and catalog.photo(second).rating == 2
    # Ctrl+Z undoes each edit in turn, back to what each photo had.
    window.undo()
    wait_idle(qtbot, window)
    assert catalog.photo(first).rating == 4 and catalog.photo(second).rating is None
    assert model.rows[0].rating == 4
    window.undo()
    window.undo()
    window.undo()
    wait_idle(qtbot, window)
    assert catalog.photo(first).rating is None
    assert catalog.scalar("SELECT count(*) FROM photos WHERE flag IS NOT NULL") == 0
    assert model.rows[0].flag is None and model.rows[1].flag is None


def test_loupe_shows_the_full_photo_and_steps(qtbot, scanned):
    lib = scanned.shell.library
    lib.grid.setFocus()
    lib.grid.select_photo(lib.model.rows[0].id)
    qtbot.keyClick(lib.grid, Qt.Key.Key_Space)
    assert lib.in_loupe()
    qtbot.waitUntil(lambda: lib.loupe.full, timeout=15_000)
    assert lib.loupe.image.width() > 320  # larger than any thumbnail
    qtbot.keyClick(lib.loupe, Qt.Key.Key_Right)
    assert lib.loupe.photo_id == lib.model.rows[1].id
    qtbot.keyClick(lib.loupe, Qt.Key.Key_P)
    assert lib.model.rows[1].flag == "pick"
    qtbot.keyClick(lib.loupe, Qt.Key.Key_Escape)
    assert not lib.in_loupe() and lib.grid.current_id() == lib.model.rows[1].id
    # The inspector follows the current photo.
    assert scanned.shell.inspector.photo_id == lib.model.rows[1].id


def test_sidebar_folders_filters_and_saved_filters(qtbot, scanned, library):
    shell, lib, catalog = scanned.shell, scanned.shell.library, scanned.session.catalog
    qtbot.waitUntil(lambda: shell.sidebar.folders.childCount() == 1)
    root = shell.sidebar.folders.child(0)
    nature = next(root.child(i) for i in range(root.childCount()) if "nature" in root.child(i).text(0))
    shell.sidebar.itemClicked.emit(nature, 0)
    qtbot.waitUntil(lambda: lib.model.rowCount() == 9)
    assert all(catalog.photo(r.id).path.startswith(str(library / "immich_albums_nature")) for r in lib.model.rows)
    lib.bar.search.setText("anemone")
    qtbot.waitUntil(lambda: lib.model.rowCount() == 1)
    lib.bar.save.click()
    wait_idle(qtbot, scanned)
    saved = catalog.get_pref("saved_filters")
    assert saved and saved[-1]["filter"] == {"folder": str(library / "immich_albums_nature"), "text": "anemone"}
    assert shell.sidebar.saved.childCount() == 1
    # "All photos" again, then the saved filter brings it back.
    shell.sidebar.itemClicked.emit(shell.sidebar.library.child(0), 0)
    qtbot.waitUntil(lambda: lib.model.rowCount() == catalog.photo_count())
    shell.sidebar.itemClicked.emit(shell.sidebar.saved.child(0), 0)
    qtbot.waitUntil(lambda: lib.model.rowCount() == 1)
    assert "anemone" in lib.model.rows[0].name


def test_settings_are_stored_where_the_command_line_reads_them(qtbot, scanned, tmp_path):
    window = scanned
    window.open_settings()
    dialog = window.settings_dialog
    assert dialog.isVisible() and not dialog.isModal()
    assert dialog.detected.text()  # what the runtime detected, or why not
    dialog.trash_quarantine.setChecked(True)
    dialog.quarantine_dir.setText("")
    dialog._accept()
    assert dialog.isVisible() and "quarantine" in dialog.error.text()  # asks for the folder
    dialog.quarantine_dir.setText(str(tmp_path / "q"))
    dialog.xmp_write.setChecked(True)
    dialog.device.setCurrentIndex(dialog.device.findData("cpu"))
    dialog._accept()
    wait_idle(qtbot, window)
    stored = Preferences.from_dict(window.session.catalog.get_pref("preferences"))
    assert (stored.trash_mode, stored.quarantine_dir, stored.xmp_write, stored.device) == (
        "quarantine", str(tmp_path / "q"), True, "cpu")
    assert window.session.settings.prefs == stored


def test_a_failing_task_shows_a_readable_error_and_leaves_nothing_hanging(qtbot, scanned):
    window, shell = scanned, scanned.shell

    def broken(token, progress):
        progress(Progress("checking", 1, 3))
        raise OSError(2, "No such file or directory", "/nowhere/photo.jpg")

    window.session.runner.submit("Checking photos", broken, lane="work",
                                 on_error=lambda msg: window.session.error.emit(f"Checking failed: {msg}"))
    wait_idle(qtbot, window)
    assert shell.banner.isVisible()
    assert "Checking failed: No such file or directory: /nowhere/photo.jpg" in shell.banner.label.text()
    assert "failed" in shell.progress.title.text() and not shell.progress.cancel_button.isVisible()
    assert not window.status.bar.isVisible()  # no busy indicator left spinning
    # A bug in a result callback is contained too.
    window.session.runner.call("bad callback", lambda: 1, lane="query", on_done=lambda _r: 1 / 0)
    wait_idle(qtbot, window)


def test_closing_during_a_scan_cancels_it_cleanly(qtbot, shared_photos, tmp_path):
    settings = Settings.for_catalog(tmp_path / "big.sqlite", workers=1)
    window = make_window(qtbot, settings, analyse_after_scan=False)
    task = None
    window.add_folders([str(shared_photos)])  # read-only: scanning never changes the photos
    task = window.status.current_task or window.session.runner.active("work")[0]
    qtbot.waitUntil(lambda: task.last_progress is not None and task.last_progress.stage == "read", timeout=30_000)
    started = time.monotonic()
    window.close()
    assert time.monotonic() - started < 10
    assert window.session is None
    with Catalog(settings.catalog_path) as catalog:  # the lock was released
        status = catalog.scalar("SELECT status FROM scan_runs ORDER BY id DESC LIMIT 1")
        assert status in ("cancelled", "done")


def test_incremental_refresh_keeps_the_current_photo(qtbot, scanned):
    from photoorg.app.grid_model import load_grid

    lib = scanned.shell.library
    model = lib.model
    rows = list(model.rows)
    keep = rows[len(rows) // 2].id
    lib.grid.select_photo(keep)
    # Pretend some rows were not there yet, then refresh: only inserts happen.
    from photoorg.app.grid_model import GridData

    partial = rows[::2]
    model.apply(GridData(partial, {r.id: i for i, r in enumerate(partial)}), reset=True)
    lib.grid.select_photo(partial[len(partial) // 2].id)
    current = lib.grid.current_id()
    snapshot, version = model.snapshot()
    data = load_grid(scanned.session.catalog, lib.filter(), lib.bar.sort_key(), snapshot, version)
    assert data.ops and all(op == "insert" for op, *_ in data.ops)
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    model.apply(data)
    assert not resets and [r.id for r in model.rows] == [r.id for r in rows]
    assert lib.grid.current_id() == current


def test_a_query_that_read_before_an_edit_was_written_does_not_undo_it_on_screen(qtbot, scanned):
    from photoorg.app.grid_model import load_grid

    lib = scanned.shell.library
    model, catalog = lib.model, scanned.session.catalog
    target = model.rows[3].id
    stale_seq = model.begin_query()
    stale = load_grid(catalog, lib.filter(), lib.bar.sort_key(), *model.snapshot(), stale_seq)  # reads rating None
    model.patch([target], pending=True, rating=5)  # shown, write not finished
    model.apply(stale)
    assert model.rows[model.row_of(target)].rating == 5
    catalog.set_rating([target], 5)
    model.settle([target])
    also_stale = load_grid(catalog, lib.filter(), lib.bar.sort_key(), *model.snapshot(), stale_seq)
    model.apply(also_stale)
    assert model.rows[model.row_of(target)].rating == 5
    catalog.set_rating([target], 2)  # changed elsewhere: a newer query shows the catalog's value
    fresh = load_grid(catalog, lib.filter(), lib.bar.sort_key(), *model.snapshot(), model.begin_query())
    model.apply(fresh)
    assert model.rows[model.row_of(target)].rating == 2


def test_opening_a_photo_logs_one_open_decision(qtbot, scanned):
    lib, catalog = scanned.shell.library, scanned.session.catalog
    grid, first = lib.grid, lib.model.rows[0].id
    grid.setFocus()
    grid.select_photo(first)
    for _ in range(2):  # opened twice in this session: logged once
        qtbot.keyClick(grid, Qt.Key.Key_Space)
        assert lib.in_loupe()
        qtbot.keyClick(lib.loupe, Qt.Key.Key_Escape)
    second = lib.model.rows[1].id
    where = grid.visualRect(lib.model.row_index(1)).center()
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=where)  # a double-click's first press
    qtbot.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert lib.in_loupe() and lib.loupe.photo_id == second
    wait_idle(qtbot, scanned)
    assert [d["photo_id"] for d in catalog.decisions("open")] == [first, second]


def test_with_xmp_writing_on_edits_write_sidecars(qtbot, scanned):
    from photoorg.engine.xmp.read import read_sidecar
    from photoorg.engine.xmp.write import sidecar_path

    window, lib, catalog = scanned, scanned.shell.library, scanned.session.catalog
    grid, first = lib.grid, lib.model.rows[0].id
    path = sidecar_path(catalog.photo(first).path)
    grid.setFocus()
    grid.select_photo(first)
    qtbot.keyClick(grid, Qt.Key.Key_3)
    wait_idle(qtbot, window)
    assert catalog.photo(first).rating == 3 and read_sidecar(path) is None  # off by default: no file
    window.session.save_prefs(Preferences(xmp_write=True))
    wait_idle(qtbot, window)
    qtbot.keyClick(grid, Qt.Key.Key_4)
    wait_idle(qtbot, window)
    assert read_sidecar(path).rating == 4
    window.undo()  # undo writes the sidecar again
    wait_idle(qtbot, window)
    assert catalog.photo(first).rating == 3 and read_sidecar(path).rating == 3
    assert window.session.sidecars.written == 2


def test_private_badge_says_why_and_one_click_makes_it_not_private(qtbot, scanned):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QLabel, QPushButton, QToolTip

    window, lib, catalog = scanned, scanned.shell.library, scanned.session.catalog
    row = lib.model.rows[0]
    catalog.save_privacy(row.content_hash, text_lines=12, text_chars=300, text_area=0.4, document=True,
                         screenshot=False, portrait=False)
    window.session.library_changed.emit("privacy")
    qtbot.waitUntil(lambda: lib.model.rows[0].private)
    # Hovering the lock names the reason (read off the GUI thread).
    cell = lib.grid.visualRect(lib.model.row_index(0)).adjusted(2, 2, -2, -2)
    lock = dict(lib.grid.cell_delegate.badge_rects(cell, lib.model.rows[0]))["lock"]
    event = QHelpEvent(QEvent.Type.ToolTip, lock.center(), lib.grid.viewport().mapToGlobal(lock.center()))
    lib.grid.viewportEvent(event)
    qtbot.waitUntil(lambda: "document" in QToolTip.text(), timeout=5_000)
    assert "text was found" in QToolTip.text()
    # The inspector says why, with a one-click "Not private" (undoable).
    lib.grid.select_photo(row.id)
    inspector = window.shell.inspector
    qtbot.waitUntil(lambda: any(b.text() == "Not private" for b in inspector.findChildren(QPushButton)))
    assert any("Private because it is a document" in w.text() for w in inspector.findChildren(QLabel))
    next(b for b in inspector.findChildren(QPushButton) if b.text() == "Not private").click()
    wait_idle(qtbot, window)
    assert not catalog.is_private(row.id)
    qtbot.waitUntil(lambda: not lib.model.rows[0].private)
    assert catalog.decisions("private")[-1]["value"] is False
    window.undo()
    wait_idle(qtbot, window)
    assert catalog.is_private(row.id)
    qtbot.waitUntil(lambda: lib.model.rows[0].private)


def test_the_status_strip_shows_the_keys_of_the_view(qtbot, scanned):
    status = scanned.status
    assert "P pick" in status.hint.text() and "Space preview" in status.hint.text()
    scanned.shell.show_view("series")
    assert "Click a shot to keep it" in status.hint.text()
    scanned.shell.show_view("library")
    assert "X reject" in status.hint.text()

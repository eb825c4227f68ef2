"""The Series view, driven offscreen: select a series, change its pick,
clean it up (plan first), undo with Ctrl+Z, and undo after a restart."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402

from test_gui_support import copy_library, make_window, wait_idle  # noqa: E402

pytestmark = [pytest.mark.gui]


def _make_series(catalog) -> None:
    """The two real near-duplicate pairs of the library (HDR on / off of one
    scene, which is what the series stage groups here too), saved through
    the series store, the stage's own output call: running the embedding
    and ranking models would cost this test half a minute."""
    by_name = {r.name: r.id for r in catalog.browse_rows()}
    for maker in ("canon", "iphone"):
        catalog.save_series("series", f"test-{maker}", [(by_name[f"{maker}_hdr_YES.jpg"], 1, 0.8),
                                                        (by_name[f"{maker}_hdr_NO.jpg"], 2, 0.4)])


@pytest.fixture
def series_window(qtbot, shared_photos, tmp_path, settings):
    library = copy_library(shared_photos, tmp_path / "photos")
    window = make_window(qtbot, settings, analyse_after_scan=False)
    window.add_folders([str(library)])
    wait_idle(qtbot, window)
    _make_series(window.session.catalog)
    view = window.shell.show_view("series")
    qtbot.waitUntil(lambda: view.loaded and view.model.rowCount() > 0, timeout=20_000)
    return window, view


def _click_member(qtbot, view, row: int, member_index: int) -> None:
    index = view.model.index(row)
    rect = view.list.visualRect(index)
    strip = view.model.strip(row)
    cells = view.delegate._cells(rect, strip)
    qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=cells[member_index][0].center())


def test_change_the_pick_then_clean_up_and_undo(qtbot, series_window):
    window, view = series_window
    catalog = window.session.catalog
    strip = view.model.strip(0)
    assert strip.pick is not None and strip.pick.is_pick
    other = next(i for i, m in enumerate(strip.members) if not m.is_pick)
    new_pick = strip.members[other].photo_id
    old_pick = strip.pick_photo_id
    # One click on another shot makes it the pick, recorded for learning.
    _click_member(qtbot, view, 0, other)
    assert view.model.strip(0).pick_photo_id == new_pick  # shown at once
    wait_idle(qtbot, window)
    info = catalog.series_by_id(strip.id)
    assert info.pick_photo_id == new_pick and info.user_pick
    decision = catalog.decisions("series_pick")[-1]
    assert (decision["photo_id"], decision["other_photo_id"], decision["series_id"]) == (new_pick, old_pick, strip.id)
    assert window.shell.inspector.photo_id == new_pick
    # Ctrl+Z restores the model's pick; redo keeps the user's.
    window.undo()
    wait_idle(qtbot, window)
    assert catalog.series_by_id(strip.id).pick_photo_id == old_pick
    # ...and its "your pick" mark and the logged decision go with it.
    assert not catalog.series_by_id(strip.id).user_pick
    assert not catalog.decisions("series_pick")
    qtbot.waitUntil(lambda: not view.model.strip(view.model.row_of(strip.id)).user_pick)
    window.session.undo.redo()
    wait_idle(qtbot, window)
    assert catalog.series_by_id(strip.id).pick_photo_id == new_pick
    qtbot.waitUntil(lambda: view.model.strip(view.model.row_of(strip.id)).pick_photo_id == new_pick)

    # Select this series, ask for a clean-up: the plan shows before anything moves.
    row = view.model.row_of(strip.id)
    view.list.selectionModel().select(view.model.index(row), view.list.selectionModel().SelectionFlag.ClearAndSelect)
    assert view.clean_selected.isEnabled()
    view.clean_selected.click()
    qtbot.waitUntil(lambda: view.plan_panel.isVisible(), timeout=10_000)
    plan = view.plan_panel.plan
    going = [i for i in plan.items]
    assert going and {i.series_id for i in going} == {strip.id}
    assert new_pick not in {i.photo_id for i in going}
    assert "freeing" in view.plan_panel.title.text()
    paths = [i.path for i in going]
    assert all(os.path.exists(p) for p in paths)
    view.plan_panel.apply_button.click()
    wait_idle(qtbot, window)
    assert not any(os.path.exists(p) for p in paths)
    assert all(catalog.photo(i.photo_id).status == "trashed" for i in going)
    assert os.path.exists(catalog.photo(new_pick).path)
    # Gone from the grid too: hidden, it reloads once shown.
    lib = window.shell.library
    window.shell.show_view("library")
    qtbot.waitUntil(lambda: all(lib.model.row_of(i.photo_id) < 0 for i in going))
    # Ctrl+Z puts the files back.
    window.undo()
    wait_idle(qtbot, window)
    assert all(os.path.exists(p) for p in paths)
    assert all(catalog.photo(i.photo_id).status == "ok" for i in going)
    qtbot.waitUntil(lambda: all(lib.model.row_of(i.photo_id) >= 0 for i in going))


def test_clean_up_all_is_undone_after_a_restart(qtbot, series_window, settings):
    window, view = series_window
    catalog = window.session.catalog
    view.clean_all.click()
    qtbot.waitUntil(lambda: view.plan_panel.isVisible(), timeout=10_000)
    plan = view.plan_panel.plan
    assert len({i.series_id for i in plan.items}) == view.model.rowCount()
    paths = [i.path for i in plan.items]
    view.plan_panel.apply_button.click()
    wait_idle(qtbot, window)
    assert not any(os.path.exists(p) for p in paths)
    window.close()
    # A new window on the same catalog: its undo stack is empty, Ctrl+Z
    # still puts the last clean-up back (from the journal).
    again = make_window(qtbot, settings, analyse_after_scan=False)
    assert not again.session.undo.canUndo()
    again.undo()
    wait_idle(qtbot, again)
    assert all(os.path.exists(p) for p in paths)
    assert "Put back" in again.status.currentMessage()


def test_scores_read_as_percentages_and_ties_are_marked(qtbot, series_window):
    from photoorg.app.widgets.series_delegate import header_text, member_tooltip, rank_label

    window, view = series_window
    catalog = window.session.catalog
    by_name = {r.name: r.id for r in catalog.browse_rows()}
    ordered = catalog.save_series("series", "test-ordered", [(by_name["el_torcal_rocks.jpg"], 1, 0.6),
                                                             (by_name["silver_fir.jpg"], 2, 0.45),
                                                             (by_name["tanners_ridge.jpg"], 3, 0.45)])
    tied = catalog.save_series("series", "test-tied", [(by_name["cyclamen_persicum.jpg"], 1, 0.5),
                                                       (by_name["wood_anemones.jpg"], 2, 0.5)])
    window.session.library_changed.emit("series")
    qtbot.waitUntil(lambda: view.model.row_of(ordered) >= 0 and view.model.row_of(tied) >= 0, timeout=10_000)
    strip = view.model.strip(view.model.row_of(ordered))
    assert "best of 3 by the ranking model (60%)" in header_text(strip)
    assert [rank_label(m) for m in strip.members] == ["#1", "#2=", "#3="]
    tip = member_tooltip(strip, strip.members[1])
    assert "rank 2 of 3" in tip and "45%" in tip and "tied with #3" in tip
    assert "tied" not in member_tooltip(strip, strip.members[0])
    # A pick the model cannot tell from another one says so.
    both = view.model.strip(view.model.row_of(tied))
    assert "tied with #2" in header_text(both) and "choose yourself" in header_text(both)
    # The header is two lines, each cut to the strip's width (the whole of it is the tooltip): at a
    # narrow window no strip is wider than the list (no sideways scrolling).
    from photoorg.app.widgets.series_delegate import header_lines

    assert header_lines(both)[1].startswith("kept: your pick") or header_lines(both)[1].startswith("kept: best of 2")
    window.resize(900, 700)
    qtbot.wait(300)
    assert view.list.horizontalScrollBar().maximum() == 0
    # The inspector explains the rank too.
    window.shell.show_photo(by_name["silver_fir.jpg"])
    texts = " ".join(w.text() for w in window.shell.inspector.findChildren(type(view.summary)))
    assert "2 of 3 by the ranking model" in texts and "45%" in texts


def test_similar_moments_are_a_stack_apart_and_clean_up_all_leaves_them(qtbot, series_window):
    """A stack of similar moments shows as such, after the redundant groups;
    "Clean up all" moves nothing of it; selecting it cleans it on request."""
    from photoorg.app.widgets.series_delegate import header_text

    window, view = series_window
    catalog = window.session.catalog
    by_name = {r.name: r.id for r in catalog.browse_rows()}
    stack = catalog.save_series("similar", "test-stack", [(by_name["el_torcal_rocks.jpg"], 1, 0.7),
                                                          (by_name["silver_fir.jpg"], 2, 0.3)])
    window.session.library_changed.emit("series")
    qtbot.waitUntil(lambda: view.model.row_of(stack) >= 0, timeout=10_000)
    row = view.model.row_of(stack)
    assert row == view.model.rowCount() - 1  # after the redundant groups
    assert header_text(view.model.strip(row)).startswith("Similar moments")
    assert "1 similar-moment stack ·" in view.summary.text() and "2 redundant groups" in view.summary.text()
    assert "identical copies" not in view.summary.text()  # none: not said
    view.clean_all.click()
    qtbot.waitUntil(lambda: view.plan_panel.isVisible(), timeout=10_000)
    plan = view.plan_panel.plan
    assert plan.items and stack not in {i.series_id for i in plan.items}
    assert stack not in plan.series_ids
    view.plan_panel.hide()
    view.list.selectionModel().select(view.model.index(row), view.list.selectionModel().SelectionFlag.ClearAndSelect)
    view.clean_selected.click()
    qtbot.waitUntil(lambda: view.plan_panel.isVisible() and view.plan_panel.plan.series_ids == [stack],
                    timeout=10_000)
    assert {i.photo_id for i in view.plan_panel.plan.items} == {by_name["silver_fir.jpg"]}

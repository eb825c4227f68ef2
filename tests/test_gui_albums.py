"""The Albums view, driven offscreen: albums with their event, the most
important photos first, a one-action event correction (undoable, logged),
and "Make a story…" opening the story panel."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402

from photoorg.engine.catalog import Catalog  # noqa: E402

from test_gui_support import copy_library, make_albums, make_window, wait_idle  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.skipif(not hasattr(Catalog, "sync_albums"),
                                                  reason="the albums capability is not in this build")]


@pytest.fixture
def albums_window(qtbot, shared_photos, tmp_path, settings):
    library = copy_library(shared_photos, tmp_path / "photos")
    window = make_window(qtbot, settings, analyse_after_scan=False)
    window.add_folders([str(library)])
    wait_idle(qtbot, window)
    make_albums(window.session.catalog)
    view = window.shell.show_view("albums")
    qtbot.waitUntil(lambda: view.loaded and view.list.count() > 0, timeout=10_000)
    return window, view


def test_correct_an_event_undo_it_and_open_the_story_panel(qtbot, albums_window, tmp_path):
    window, view = albums_window
    catalog = window.session.catalog
    albums = catalog.albums("folders")
    assert view.list.count() == len(albums)
    nature = next(a for a in albums if "nature" in (a.title or "").lower())
    view.select_album(nature.id)
    assert "NatureTrip" in view.list.currentItem().text() or "Nature" in view.list.currentItem().text()
    assert "62%" in view.event.itemText(0) and "Zoo" in view.scores.text()
    # An album the model is unsure about (below the title's threshold) is not shown as that event.
    other = next(a for a in albums if a.id != nature.id and a.photo_count >= 4)
    catalog.save_album_labels(other.id, title=other.title, event="Halloween", event_scores={"Halloween": 0.45},
                              signature="test", model_version="test",
                              photos=[(m.photo_id, 0.5, 0.5, None, None) for m in catalog.album_photos(other.id)])
    view.refresh()
    qtbot.waitUntil(lambda: any("no clear event" in view.list.item(i).text() for i in range(view.list.count())))
    unsure = next(view.list.item(i).text() for i in range(view.list.count()) if "no clear event" in view.list.item(i).text())
    assert "Halloween 45%" in unsure and "Nature" in view.list.currentItem().text()
    view.select_album(other.id)
    assert view.event.itemText(0) == "No clear event (the model's best guess: Halloween 45%)"
    # An album of fewer photos than the model was trained on: not named either, whatever it says.
    small = next(a for a in albums if a.photo_count < 4)
    view.select_album(small.id)
    assert view.event.itemText(0) == "Too few photos to tell (the model's best guess: Nature trip 62%)"
    # The drop-down opens as wide as its longest entry (it clipped them).
    metrics = view.event.view().fontMetrics()
    longest = max(metrics.horizontalAdvance(view.event.itemText(i)) for i in range(view.event.count()))
    assert view.event.view().minimumWidth() >= longest > view.event.width() // 2
    view.select_album(nature.id)
    from photoorg.app.widgets.inspector_sections import album_sections

    def album_line(photo_id, album_id):
        d = catalog.photo_details(photo_id)
        (_, rows), = album_sections(catalog, {**d, "albums": [a for a in d["albums"] if a["id"] == album_id]})
        return rows[0][1]

    assert "no clear event (best guess Halloween 45%)" in album_line(catalog.album_photos(other.id)[0].photo_id, other.id)
    nature_line = album_line(catalog.album_photos(nature.id)[0].photo_id, nature.id)
    assert "Nature" in nature_line and "no clear event" not in nature_line
    # The album's photos, the most important first.
    qtbot.waitUntil(lambda: view.model.rowCount() == nature.photo_count)
    order = [p.photo_id for p in catalog.album_photos(nature.id, order="importance")]
    assert [r.id for r in view.model.rows] == order
    # One action corrects the event; it is logged for retraining.
    index = view.event.findData("BeachTrip")
    view.event.setCurrentIndex(index)
    view.event.activated.emit(index)
    wait_idle(qtbot, window)
    assert catalog.album(nature.id).event == "BeachTrip" and catalog.album(nature.id).user_event == "BeachTrip"
    assert catalog.decisions("event")[-1]["value"] == "BeachTrip"
    qtbot.waitUntil(lambda: view.event.currentData() == "BeachTrip")
    window.undo()
    wait_idle(qtbot, window)
    assert catalog.album(nature.id).user_event is None and catalog.album(nature.id).event == "NatureTrip"
    # Every photo of this event, in the library, most important first.
    view.same_event.click()
    lib = window.shell.library
    # Only albums titled with the event count (the small one is "too few photos to tell").
    titled = [a for a in catalog.albums("folders") if a.event == "NatureTrip" and a.photo_count >= 4]
    assert titled and len(titled) < len([a for a in catalog.albums("folders") if a.event == "NatureTrip"])
    expected = len({m.photo_id for a in titled for m in catalog.album_photos(a.id)})
    qtbot.waitUntil(lambda: window.shell.stack.currentWidget() is lib and lib.model.rowCount() == expected)
    window.shell.show_view("albums")
    # "Make a story…" opens the story panel on this album (tests/test_gui_story.py drives it).
    view.export.click()
    assert view.story_shown() and view.story_panel.album_id == nature.id
    wait_idle(qtbot, window, timeout_ms=60_000)
    assert view.story_panel.plan is not None and view.story_panel.plan.slides
    view.story_panel.back.click()
    assert not view.story_shown()


def test_the_album_list_says_each_date_once_and_shows_every_line(qtbot, albums_window):
    from photoorg.app.views.albums_view import date_range

    window, view = albums_window
    catalog = window.session.catalog
    album = next(a for a in catalog.albums("folders") if a.start_ts)
    dates = date_range(album.start_ts, album.end_ts)
    # The albums stage's titles end with the dates ("Nature · 3–5 May 2019"): said once.
    catalog.set_album_title(album.id, f"Nature walk · {dates}")
    view.refresh()
    qtbot.waitUntil(lambda: any("Nature walk" in view.list.item(i).text() for i in range(view.list.count())))
    text = next(view.list.item(i).text() for i in range(view.list.count()) if "Nature walk" in view.list.item(i).text())
    assert text.count(dates) == 1 and text.splitlines()[1].endswith("photos"), text
    # A title without its dates keeps them on the second line.
    other = next(view.list.item(i).text() for i in range(view.list.count()) if "Nature walk" not in view.list.item(i).text())
    assert " photo" in other.splitlines()[1] and any(ch.isdigit() for ch in other.splitlines()[1].split("·")[0])
    # Every line of every album fits its row, however narrow the list (the
    # last line, an event guess, was cut): the row is at least as tall as
    # the text wrapped to the room beside the widest cover.
    view.list.setFixedWidth(230)
    qtbot.wait(200)
    metrics = view.list.fontMetrics()
    for i in range(view.list.count()):
        item = view.list.item(i)
        room = view.list.viewport().width() - 2 * view.list.spacing() - 12 - view.list.iconSize().width() - 16
        lines = metrics.boundingRect(0, 0, room, 10_000, int(Qt.TextFlag.TextWordWrap), item.text()).height()
        assert view.list.visualItemRect(item).height() >= lines, item.text()

"""The Albums view, driven offscreen: albums with their event, the most
important photos first, a one-action event correction (undoable, logged),
and "Export story" in the background."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("pytestqt")
from photoorg.engine.catalog import Catalog  # noqa: E402

from test_gui_support import copy_library, make_window, wait_idle  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.skipif(not hasattr(Catalog, "sync_albums"),
                                                  reason="the albums capability is not in this build")]


def _make_albums(catalog) -> str:
    """Albums from the albums stage when it runs here; otherwise one album
    per folder saved through the albums store, with made-up event scores
    (the view shows whatever the store holds)."""
    from photoorg.engine.catalog.albums_store import AlbumProposal

    photos = catalog.photos()
    by_folder: dict[int, list] = {}
    for p in photos:
        by_folder.setdefault(p.folder_id, []).append(p)
    proposals = []
    for folder_id, members in sorted(by_folder.items()):
        members.sort(key=lambda p: (p.capture_ts or 0, p.id))
        proposals.append(AlbumProposal(f"folder:{folder_id}", "folder", folder_id, tuple(p.id for p in members),
                                       tuple(p.content_hash for p in members), os.path.basename(os.path.dirname(members[0].path)),
                                       members[0].capture_ts, members[-1].capture_ts))
    ids = catalog.sync_albums("folders", proposals)["ids"]
    for prop in proposals:
        n = len(prop.photo_ids)
        catalog.save_album_labels(ids[prop.key], title=prop.place, event="NatureTrip",
                                  event_scores={"NatureTrip": 0.62, "Zoo": 0.21, "Wedding": 0.05}, signature="test",
                                  model_version="test",
                                  photos=[(pid, (i + 1) / n, 1 / n, None, None) for i, pid in enumerate(prop.photo_ids)])
    catalog.set_pref("albums_from", "folders")
    return "store"


@pytest.fixture
def albums_window(qtbot, shared_photos, tmp_path, settings):
    library = copy_library(shared_photos, tmp_path / "photos")
    window = make_window(qtbot, settings, analyse_after_scan=False)
    window.add_folders([str(library)])
    wait_idle(qtbot, window)
    _make_albums(window.session.catalog)
    view = window.shell.show_view("albums")
    qtbot.waitUntil(lambda: view.loaded and view.list.count() > 0, timeout=10_000)
    return window, view


def test_correct_an_event_undo_it_and_export_a_story(qtbot, albums_window, tmp_path):
    window, view = albums_window
    catalog = window.session.catalog
    albums = catalog.albums("folders")
    assert view.list.count() == len(albums)
    nature = next(a for a in albums if "nature" in (a.title or "").lower())
    view.select_album(nature.id)
    assert "NatureTrip" in view.list.currentItem().text() or "Nature" in view.list.currentItem().text()
    assert "62%" in view.event.itemText(0) and "Zoo" in view.scores.text()
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
    expected = catalog.scalar("SELECT count(DISTINCT ap.photo_id) FROM album_photos ap JOIN albums a ON a.id = ap.album_id "
                              "WHERE coalesce(a.user_event, a.event) = 'NatureTrip'")
    qtbot.waitUntil(lambda: window.shell.stack.currentWidget() is lib and lib.model.rowCount() == expected)
    window.shell.show_view("albums")
    # Export story: an HTML slideshow rendered in the background.
    out = tmp_path / "story"
    view.export_story(str(out))
    wait_idle(qtbot, window, timeout_ms=120_000)
    assert "Story saved" in window.status.currentMessage(), window.shell.banner.label.text()
    assert any(out.parent.glob("story*"))

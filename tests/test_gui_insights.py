"""The Insights view: the owner's profile as charts, over a real scan."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402

from test_gui_support import copy_library, make_window, wait_idle  # noqa: E402

pytestmark = pytest.mark.gui


def test_insights_charts_fill_from_the_catalog(qtbot, shared_photos, tmp_path, settings):
    library = copy_library(shared_photos, tmp_path / "photos")
    window = make_window(qtbot, settings, analyse_after_scan=False)
    window.add_folders([str(library)])
    wait_idle(qtbot, window)
    view = window.shell.show_view("insights")
    qtbot.waitUntil(lambda: view.loaded, timeout=30_000)
    catalog = window.session.catalog
    dated = catalog.scalar("SELECT count(*) FROM photos WHERE status = 'ok' AND capture_ts IS NOT NULL")
    assert sum(sum(v) for _, v in view.photos.periods) == dated > 0
    # Photos dated only by the file's time are their own part of each bar.
    file_time = catalog.scalar("SELECT count(*) FROM photos WHERE status = 'ok' AND capture_ts IS NOT NULL "
                               "AND capture_source = 'mtime'")
    assert sum(v[1] for _, v in view.photos.periods) == file_time > 0
    located = catalog.scalar("SELECT count(*) FROM photos WHERE status = 'ok' AND gps_lat IS NOT NULL")
    if view.places.places:
        assert sum(p["photos"] for p in view.places.places) == located
        # Named in words by the offline gazetteer, not coordinates (the GPS walk is in Arezzo).
        names = {p["name"] for p in view.places.places}
        assert all(names) and (not any("gps" in p.path for p in catalog.photos()) or "Arezzo" in names), names
    # Every chart paints (empty ones say why) without errors.
    for chart in (view.photos, view.events, view.groups, view.people, view.places, view.decisions):
        assert not chart.grab().isNull()
    assert not window.shell.banner.isVisible()


def _click_each(qtbot, window, chart):
    """Click every bar of ``chart`` (a real mouse click on its painted area);
    yields (value label key, rows the library grid shows then)."""
    lib = window.shell.library
    chart.grab()  # painted: the clickable areas are known
    hits = list(chart._hits)
    assert len(hits) == len(getattr(chart, "rows", None) or [p for p in chart.periods if any(p[1])])
    for rect, key in hits:
        window.shell.show_view("insights")
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
        assert window.shell.stack.currentWidget() is lib
        wait_idle(qtbot, window)
        yield key, lib.model.rowCount()


def test_insights_agree_with_the_views_and_open_their_photos(qtbot, shared_photos, tmp_path, settings):
    from photoorg.engine.albums.naming import event_display_name

    from test_gui_support import make_albums

    library = copy_library(shared_photos, tmp_path / "photos")
    window = make_window(qtbot, settings, analyse_after_scan=False)
    window.add_folders([str(library)])
    wait_idle(qtbot, window)
    from photoorg.app import jobs

    task = jobs.start_analysis(window.session, only=["faces"])
    wait_idle(qtbot, window, timeout_ms=180_000)
    assert task.state == "done", task.error
    catalog = window.session.catalog
    make_albums(catalog)
    # One album where the model only guesses (the 39 "Halloween" photos, none real).
    guess = max(catalog.albums("folders"), key=lambda a: a.photo_count)
    catalog.save_album_labels(guess.id, title=guess.title, event="Halloween", event_scores={"Halloween": 0.2},
                              signature="test", model_version="test",
                              photos=[(m.photo_id, 0.5, 0.5, None, None) for m in catalog.album_photos(guess.id)])
    # And one the user named.
    named = next(a for a in catalog.albums("folders") if a.id != guess.id and a.photo_count >= 2)
    catalog.set_album_event(named.id, "CasualFamilyGather")
    view = window.shell.show_view("insights")
    qtbot.waitUntil(lambda: view.loaded, timeout=60_000)
    labels = [label for label, _ in view.events.rows]
    assert "Halloween" not in labels and event_display_name("Halloween") not in labels
    assert event_display_name("CasualFamilyGather") in labels and "CasualFamilyGather" not in labels
    assert all(" " in label or label.istitle() for label in labels), labels  # display names, not identifiers
    bars = dict(zip([k[0]["event"] for k in view.events.keys], [v[0] for _, v in view.events.rows]))
    for key, shown in _click_each(qtbot, window, view.events):
        assert shown == bars[key[0]["event"]], key
    # People: the chart, the People view and the library agree on every person.
    people_view = window.shell.show_view("people")
    qtbot.waitUntil(lambda: people_view.loaded)
    counts = {p.id: p.photo_count for p in catalog.people_list()}
    window.shell.show_view("insights")
    people_bars = {k[0]["person_id"]: v[0] for k, (_, v) in zip(view.people.keys, view.people.rows)}
    assert people_bars and all(counts[pid] == n for pid, n in people_bars.items()), (people_bars, counts)
    for key, shown in _click_each(qtbot, window, view.people):
        assert shown == people_bars[key[0]["person_id"]]
    # Photos over time: each bar opens that month's photos.
    months = dict((p, sum(v)) for p, v in view.photos.periods)
    for key, shown in _click_each(qtbot, window, view.photos):
        assert shown == months[key[0]["period"]]
    assert not window.shell.banner.isVisible()

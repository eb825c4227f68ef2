"""The Insights view: the owner's profile as charts, over a real scan."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

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
    assert sum(v[0] for _, v in view.photos.periods) == dated > 0
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

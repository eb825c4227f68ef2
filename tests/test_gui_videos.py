"""The Videos view: posters with a play badge and duration, the player that
scrubs frames (no Qt Multimedia needed), segments to jump to."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from test_gui_support import make_window, wait_idle  # noqa: E402

pytestmark = pytest.mark.gui


def test_videos_view_shows_posters_and_scrubs(qtbot, shared_photos, tmp_path, settings):
    from photoorg.engine.pipeline import run_stages
    from photoorg.engine.video.synthetic_clips import Shot, library_photos, make_clip

    photos = library_photos(shared_photos, limit=60)
    lib = tmp_path / "videos"
    lib.mkdir()
    make_clip([Shot(photos[0], 3.0), Shot(photos[50], 3.0)], lib / "walk.mp4", size=(320, 180))
    window = make_window(qtbot, settings, analyse_after_scan=False)
    window.add_folders([str(lib)])
    wait_idle(qtbot, window)
    outcome = run_stages(window.session.catalog, settings, only=["videos"])
    assert outcome[0].status == "done", outcome[0].error
    view = window.shell.show_view("videos")
    view.refresh()
    qtbot.waitUntil(lambda: view.grid.count() == 1, timeout=30_000)
    icon = view.grid.item(0).icon().pixmap(200, 112).toImage()
    # The poster shows through: not the plain dark tile.
    assert len({icon.pixel(x, 20) for x in range(0, 200, 10)}) > 3
    view.grid.setCurrentRow(0)
    assert view.segments.count() >= 2 and view.scrubber is not None
    before = view.screen.pixmap().toImage()
    view._scrub(800)  # 80 % in: the second shot
    after = view.screen.pixmap().toImage()
    assert before != after
    assert view.time.text().endswith("0:06")
    view.play.setChecked(True)
    qtbot.wait(300)
    view.play.setChecked(False)
    assert not window.shell.banner.isVisible()

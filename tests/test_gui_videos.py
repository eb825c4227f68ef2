"""Videos in the window: the Videos view (posters with a play badge and
duration, the player, segments to jump to), the Library grid and loupe, the
albums, the Series view's copies, the settings."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

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
    player = view.player
    assert view.segments.count() >= 2 and player.video_id == view.videos[0].id
    assert player.screen.image is not None  # the poster until it plays
    # A segment of the second shot: the player goes there and plays from it.
    second = next(i for i in range(view.segments.count())
                  if view.segments.item(i).data(Qt.ItemDataRole.UserRole) >= 3.0)
    view._jump(view.segments.item(second))
    player.play()
    qtbot.waitUntil(lambda: player.frames_shown >= 3 and player.position >= 3.0, timeout=20_000)
    assert player.time.text().endswith("0:06")
    player.pause()
    assert not window.shell.banner.isVisible()

def test_library_grid_shows_and_plays_videos_with_the_photos(qtbot, shared_photos, tmp_path, settings, monkeypatch):
    """A video in the Library grid between the photos by date, with its poster,
    a play mark and its duration; the loupe plays it (Qt Multimedia here:
    libpulse0 is installed by packaging/system-packages.sh), the inspector
    describes it, and culling keys leave it alone."""
    import shutil

    from photoorg.app.widgets.video_player import VideoPlayer, qt_multimedia_available
    from photoorg.engine.pipeline import run_stages
    from photoorg.engine.video.browse import is_video_row
    from photoorg.engine.video.synthetic_clips import Shot, library_photos, make_clip

    assert qt_multimedia_available(), "PySide6.QtMultimedia does not load: install libpulse0"
    photos = library_photos(shared_photos, limit=60)
    lib = tmp_path / "lib"
    lib.mkdir()
    for name in ("Nikon_COOLPIX_P1.jpg", "Pentax_K10D.jpg"):  # 2008-03-07 and 2008-05-04 by EXIF
        shutil.copy(shared_photos / "exif" / "jpg" / name, lib / name)
    made = make_clip([Shot(photos[0], 3.0), Shot(photos[50], 3.0)], lib / "walk.mp4", size=(320, 180),
                     creation_time="2008-03-07T10:05:46Z")  # ten minutes after the first photo
    window = make_window(qtbot, settings, analyse_after_scan=False)
    window.add_folders([str(lib)])
    wait_idle(qtbot, window)
    outcome = run_stages(window.session.catalog, settings, only=["videos"])
    assert outcome[0].status == "done", outcome[0].error
    view = window.shell.show_view("library")
    view.refresh(reset=True)
    qtbot.waitUntil(lambda: view.model.rowCount() == 3 and is_video_row(view.model.row_at(1)), timeout=30_000)
    video = view.model.row_at(1)
    assert video.name == "walk.mp4" and abs(video.duration - made.duration_s) < 0.2
    qtbot.waitUntil(lambda: window.status.count_label.text() == "2 photos")  # videos are not counted as photos
    qtbot.waitUntil(lambda: window.session.thumbs.get(video.content_hash) is not None, timeout=10_000)
    poster = window.session.thumbs.get(video.content_hash)
    assert poster.width() > 100  # the poster frame, not a placeholder

    # The grid paints a white play mark in the middle of the video's cell.
    view.grid.select_photo(video.id)
    rect = view.grid.visualRect(view.model.row_index(1))
    shot = view.grid.viewport().grab(rect).toImage()
    centre = shot.pixelColor(shot.width() // 2, (shot.height() - 10) // 2)
    assert min(centre.red(), centre.green(), centre.blue()) > 200, centre.name()

    # The inspector describes the video; a flag key leaves it (and the catalog) alone.
    qtbot.waitUntil(lambda: window.shell.inspector.photo_id == video.id, timeout=5_000)
    view.edit("flag", "pick")
    assert view.model.row_at(1).flag is None

    # The loupe plays it.
    view.open_loupe()
    player = view.player
    assert view.stack.currentWidget() is player and player.backend == "qt"
    qtbot.waitUntil(lambda: player.frames_shown >= 5 and player.position > 0.3, timeout=20_000)
    assert player.screen.image is not None and player.screen.image.width() >= 300
    qtbot.keyClick(player, Qt.Key.Key_Space)  # pause
    assert not player.playing
    qtbot.keyClick(player, Qt.Key.Key_Left)  # the photo before it: the photo loupe
    assert view.stack.currentWidget() is view.loupe
    view.close_loupe()
    assert view.stack.currentWidget() is view.grid
    assert not window.shell.banner.isVisible()

    # Albums by time: the video joins the album of its time, shown and counted there.
    from photoorg.engine.albums.build import build_albums

    build_albums(window.session.catalog, settings, "time")
    albums = window.shell.show_view("albums")
    albums.refresh()
    qtbot.waitUntil(lambda: any("1 video" in albums.list.item(i).text() for i in range(albums.list.count())),
                    timeout=20_000)
    holder = next(i for i in range(albums.list.count()) if "1 video" in albums.list.item(i).text())
    albums.list.setCurrentRow(holder)
    qtbot.waitUntil(lambda: any(is_video_row(r) for r in albums.model.rows), timeout=10_000)

    # Without Qt Multimedia the same player scrubs and plays frames itself.
    qt_multimedia_available.cache_clear()
    monkeypatch.setenv("PHOTOORG_VIDEO_PLAYER", "frames")
    try:
        fallback = VideoPlayer()
        qtbot.addWidget(fallback)
        fallback.resize(480, 320)
        fallback.show()
        assert fallback.backend == "frames"
        fallback.open(video.id, video.path, video.duration)
        qtbot.waitUntil(lambda: fallback.frames_shown >= 5 and fallback.position > 0.2, timeout=20_000)
        fallback.seek(4.5)  # the second shot
        assert 4.0 < fallback.position < 5.0
        fallback.stop()
    finally:
        qt_multimedia_available.cache_clear()


def test_settings_choose_the_story_video_sound_and_the_time_limit(qtbot, settings):
    from photoorg.engine.settings import Preferences

    window = make_window(qtbot, settings, analyse_after_scan=False)
    window.open_settings()
    dialog = window.settings_dialog
    assert dialog.video_sound.currentData() == "muted"  # the default
    dialog.video_sound.setCurrentIndex(dialog.video_sound.findData("under-music"))
    dialog.video_limit.setValue(45)
    dialog._accept()
    wait_idle(qtbot, window)
    stored = Preferences.from_dict(window.session.catalog.get_pref("preferences"))
    assert (stored.story_video_sound, stored.video_time_limit_s) == ("under-music", 45.0)
    assert window.session.settings.prefs == stored  # what the story and the videos stage read


def test_series_view_shows_video_copies_and_cleans_them_up_with_undo(qtbot, shared_photos, tmp_path, settings):
    """Copies of a video are a strip in Series (kept copy first); "Clean up
    all" sends the copy to the trash, another take stays; Ctrl+Z puts it back."""
    import os
    import subprocess

    from photoorg.engine.pipeline import run_stages
    from photoorg.engine.story.ffmpeg import ffmpeg_exe
    from photoorg.engine.video.synthetic_clips import Shot, library_photos, make_clip

    photos = library_photos(shared_photos, limit=60)
    lib = tmp_path / "lib"
    lib.mkdir()
    shots = [Shot(photos[i], 3.0) for i in (3, 9, 17)]
    make_clip(shots, lib / "walk.mp4", size=(320, 180), seed=1)
    make_clip(shots, lib / "walk-again.mp4", size=(320, 180), seed=2)  # another take of the same scene
    subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(lib / "walk.mp4"), "-vf", "scale=256:144",
                    "-c:v", "libx264", "-crf", "30", str(lib / "walk-sent.mp4")], check=True)
    window = make_window(qtbot, settings, analyse_after_scan=False)
    window.add_folders([str(lib)])
    wait_idle(qtbot, window)
    assert run_stages(window.session.catalog, settings, only=["videos"])[0].status == "done"
    view = window.shell.show_view("series")
    view.refresh()
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=30_000)
    strip = view.model.strip(0)
    assert strip.kind == "videos" and [m.name for m in strip.members] == ["walk.mp4", "walk-sent.mp4"]
    assert [m.goes for m in strip.members] == [False, True]
    assert strip.members[1].why.startswith("the same video as walk.mp4")
    from photoorg.app.widgets.series_delegate import header_text

    assert header_text(strip).startswith("Copies of a video · 2 videos")
    assert "1 video copied" in view.summary.text()

    view.clean_all.click()
    qtbot.waitUntil(lambda: view.plan_panel.isVisible(), timeout=20_000)
    assert [os.path.basename(i.path) for i in view.plan_panel.plan.items] == ["walk-sent.mp4"]
    view.plan_panel.apply_button.click()
    wait_idle(qtbot, window)
    assert not (lib / "walk-sent.mp4").exists()
    assert (lib / "walk.mp4").exists() and (lib / "walk-again.mp4").exists()
    status = window.session.catalog.query("SELECT status FROM videos WHERE path LIKE '%walk-sent.mp4'")[0][0]
    assert status == "trashed"
    window.undo()
    wait_idle(qtbot, window)
    assert (lib / "walk-sent.mp4").exists()
    status = window.session.catalog.query("SELECT status FROM videos WHERE path LIKE '%walk-sent.mp4'")[0][0]
    assert status == "ok"

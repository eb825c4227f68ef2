"""The story panel, driven offscreen over a real album of ../shared/photos:
the selection runs in the background, the chosen photos are shown in order
with why, and the user removes, adds, reorders, sets the length, brings in
the private photos left out, and exports (progress, cancel, no half file,
"export" decisions logged for the interest model)."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QModelIndex  # noqa: E402

from photoorg.engine.catalog import Catalog  # noqa: E402
from photoorg.app.widgets.story_strip import PRIVATE_ROLE  # noqa: E402
from photoorg.engine.story import VideoOptions, probe  # noqa: E402

from test_gui_support import copy_library, make_albums, make_window, wait_idle  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.skipif(not hasattr(Catalog, "sync_albums"),
                                                  reason="the albums capability is not in this build")]


@pytest.fixture
def story(qtbot, shared_photos, tmp_path, settings):
    library = copy_library(shared_photos, tmp_path / "photos")
    window = make_window(qtbot, settings, analyse_after_scan=False)
    window.add_folders([str(library)])
    wait_idle(qtbot, window)
    make_albums(window.session.catalog)
    view = window.shell.show_view("albums")
    qtbot.waitUntil(lambda: view.loaded and view.list.count() > 0, timeout=10_000)
    nature = next(a for a in window.session.catalog.albums("folders") if "nature" in (a.title or "").lower())
    view.select_album(nature.id)
    return window, view, nature


def _ids(slides) -> list[int]:
    return [s.photo_id for s in slides]


def test_choose_edit_and_export_a_story(qtbot, story, tmp_path):
    window, view, nature = story
    catalog = window.session.catalog
    members = [m.photo_id for m in catalog.album_photos(nature.id, order="importance")]
    private = members[0]  # the album's most important photo, but private
    catalog.set_private([private], True)

    panel = view.export_story(count=4)
    assert view.story_shown() and panel.busy.isVisible()  # choosing runs in the background
    wait_idle(qtbot, window)
    plan = panel.plan
    assert len(plan.slides) == 4 and len(plan.alternates) == len(members) - 1 - 4
    assert plan.excluded.get("private") == 1 and private not in _ids(plan.slides + plan.alternates)
    assert "Include the 1 private photo left out" == panel.private.text()
    # The strip shows the plan in order, each photo's reason as its tooltip.
    assert panel.slides.ids() == _ids(plan.slides) and panel.alternates.ids() == _ids(plan.alternates)
    times = [s.capture_ts for s in plan.slides]
    assert times == sorted(times)
    for i, s in enumerate(plan.slides):
        assert s.reason and s.reason in panel.slides.item(i).toolTip()
    assert not panel.busy.isVisible() and panel.export_button.isEnabled()

    # Remove a photo: it goes back to the top of the photos left out.
    first = plan.slides[0].photo_id
    panel.slides.select_id(first)
    panel.remove.click()
    assert first not in _ids(plan.slides) and plan.alternates[0].photo_id == first
    assert panel.slides.ids() == _ids(plan.slides) and len(plan.slides) == 3
    # Add another one of them: it goes in at its place in time.
    extra = plan.alternates[-1].photo_id
    panel.alternates.select_id(extra)
    panel.add.click()
    assert extra in _ids(plan.slides) and extra not in _ids(plan.alternates)
    assert [s.capture_ts for s in plan.slides] == sorted(s.capture_ts for s in plan.slides)
    # Reorder with the buttons, and by dragging (a move in the strip's model).
    second = plan.slides[1].photo_id
    panel.slides.select_id(second)
    panel.left.click()
    assert plan.slides[0].photo_id == second and panel.slides.ids() == _ids(plan.slides)
    last = plan.slides[-1].photo_id
    assert panel.slides.model().moveRow(QModelIndex(), len(plan.slides) - 1, QModelIndex(), 0)
    assert plan.slides[0].photo_id == last and panel.slides.ids() == _ids(plan.slides)
    # The target length retimes the photos.
    panel.length.setValue(20)
    assert plan.duration_s == pytest.approx(20, abs=0.6)
    assert "20 s" in panel.summary.text()

    # Bring in the private photos: chosen again, nothing private left out.
    panel.private.setChecked(True)
    wait_idle(qtbot, window)
    plan = panel.plan
    assert "private" not in plan.excluded and private in _ids(plan.slides + plan.alternates)
    assert private in panel.private_ids

    # Export a web slideshow: progress, the files, one "export" decision per photo.
    seen = []
    window.session.runner.task_progress.connect(lambda task: seen.append(task.last_progress))
    out = tmp_path / "exports" / "nature story"
    task = panel.render(str(out), "html")
    assert not panel.export_button.isEnabled()
    wait_idle(qtbot, window)
    assert task.state == "done", window.shell.banner.label.text()
    assert (out / "index.html").is_file() and len(list((out / "assets").glob("*.jpg"))) == len(plan.slides)
    assert any(p.stage == "story html" and p.total == len(plan.slides) for p in seen)
    exports = catalog.decisions("export")
    assert sorted(d["photo_id"] for d in exports) == sorted(_ids(plan.slides))
    assert {d["album_id"] for d in exports} == {nature.id}
    assert "Saved" in panel.outcome.text() and "Story saved" in window.status.currentMessage()


def test_a_video_export_can_be_cancelled_and_leaves_no_file(qtbot, story, tmp_path):
    window, view, nature = story
    catalog = window.session.catalog
    panel = view.export_story(count=5)
    wait_idle(qtbot, window)
    panel.length.setValue(40)
    panel.video_options = VideoOptions(width=320, height=180, fps=10)
    out = tmp_path / "videos" / "nature.mp4"
    task = panel.render(str(out), "mp4-720")
    qtbot.waitUntil(lambda: task.last_progress is not None and 0 < task.last_progress.done, timeout=30_000)
    # The status strip shows the render with its cancel button.
    assert window.status.current_task is task and window.status.cancel_button.isVisible()
    window.status.cancel_button.click()
    wait_idle(qtbot, window)
    assert task.state == "cancelled"
    assert not out.exists() and list(out.parent.iterdir()) == []  # no half-written or hidden partial file
    assert "cancelled" in panel.outcome.text() and not catalog.decisions("export")
    # A music file that is not there is refused at once, in words.
    panel.set_music(str(tmp_path / "missing.mp3"))
    wait_idle(qtbot, window)
    assert panel.music is None and "not found" in window.shell.banner.label.text()
    # With 8 s of music, a short one renders to the end, cut to the music.
    music = _tone(tmp_path / "tone.wav", seconds=8.0)
    panel.set_music(str(music))
    wait_idle(qtbot, window)
    assert panel.music_s == pytest.approx(8.0, abs=0.1) and "tone.wav" in panel.music_label.text()
    panel.length.setValue(12)
    assert "cut to the music" in panel.timing.text()
    panel.video_options = VideoOptions(width=320, height=180, fps=5)
    task = panel.render(str(out), "mp4-720")
    wait_idle(qtbot, window, timeout_ms=120_000)
    assert task.state == "done", window.shell.banner.label.text()
    info = probe(out)
    assert (info.width, info.height, info.video_codec, info.audio_codec) == (320, 180, "h264", "aac")
    assert info.duration_s == pytest.approx(8.0, abs=0.5)
    result = panel.last_result
    assert len(catalog.decisions("export")) == len(panel.plan.slides) - len(result.dropped)


def _tone(path, seconds: float):
    """A quiet 440 Hz tone as a WAV file (the standard library writes it)."""
    import math
    import struct
    import wave

    rate = 8000
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(3000 * math.sin(2 * math.pi * 440 * i / rate)))
                               for i in range(int(rate * seconds))))
    return path


def test_an_album_of_private_photos_says_how_to_tell_its_story(qtbot, story):
    window, view, _nature = story
    catalog = window.session.catalog
    hdr = next(a for a in catalog.albums("folders") if "hdr" in (a.title or "").lower())
    ids = [m.photo_id for m in catalog.album_photos(hdr.id)]
    catalog.set_private(ids, True)
    view.select_album(hdr.id)
    panel = view.export_story()
    wait_idle(qtbot, window)
    assert panel.plan is None and not panel.export_button.isEnabled()
    assert "private" in panel.outcome.text() and "Include private photos" in panel.outcome.text()
    assert not window.shell.banner.isVisible()  # said in the panel, where it can be acted on
    panel.private.setChecked(True)
    wait_idle(qtbot, window)
    assert sorted(s.photo_id for s in panel.plan.slides) == sorted(ids)
    assert panel.export_button.isEnabled() and panel.outcome.isHidden()
    assert all(panel.slides.item(i).data(PRIVATE_ROLE) for i in range(panel.slides.count()))  # lock badges

"""Choosing a story's photos from a catalog, and the export-story command."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest

from photoorg.engine.cli import main
from photoorg.engine.scan.scanner import scan
from photoorg.engine.story import StoryError, probe, select_story_for_folder
from photoorg.engine.story.select import MAX_AUTO_S

GPS_WALK = "exif/jpg/gps"  # nine photos of one real outing, with times and GPS


@pytest.fixture
def walk(shared_photos, tmp_path, catalog, settings):
    folder = tmp_path / "walk"
    shutil.copytree(shared_photos / GPS_WALK, folder)
    scan(catalog, [str(folder)], settings)
    return folder


def test_folder_story_is_in_capture_order_with_title_card_text(walk, catalog, settings):
    plan = select_story_for_folder(catalog, settings, walk)
    assert plan.title == "Walk" and plan.dates == "22 October 2008"
    assert plan.place == "Arezzo"  # the town in words (offline gazetteer), not coordinates
    times = [s.capture_ts for s in plan.slides]
    assert times == sorted(times) and len(plan.slides) == 9
    assert 30 <= plan.duration_s <= MAX_AUTO_S
    assert all(s.focus is not None and s.reason for s in plan.slides)


def test_target_length_and_count_choose_varied_moments(walk, catalog, settings):
    plan = select_story_for_folder(catalog, settings, walk, count=3)
    assert len(plan.slides) == 3 and len(plan.alternates) == 6
    # three photos of a 32-minute walk are not three photos of one minute
    ts = sorted(s.capture_ts for s in plan.slides)
    assert ts[-1] - ts[0] > 15 * 60
    short = select_story_for_folder(catalog, settings, walk, seconds=12)
    assert len(short.slides) == 2 and short.duration_s == pytest.approx(12, abs=0.6)


def test_one_photo_per_series_and_the_users_pick_wins(walk, catalog, settings):
    by_name = {os.path.basename(p.path): p.id for p in catalog.photos()}
    a, b = by_name["DSCN0025.jpg"], by_name["DSCN0027.jpg"]  # 40 s apart, one spot
    sid = catalog.save_series("series", "test-series", [(a, 1, 0.9), (b, 2, 0.4)])
    ids = [s.photo_id for s in select_story_for_folder(catalog, settings, walk, count=9).slides]
    assert a in ids and b not in ids
    catalog.set_series_pick(sid, b)
    plan = select_story_for_folder(catalog, settings, walk, count=9)
    ids = [s.photo_id for s in plan.slides]
    assert b in ids and a not in ids and plan.excluded == {"series": 1}


def test_one_photo_album_and_missing_folder(shared_photos, tmp_path, catalog, settings):
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy2(shared_photos / GPS_WALK / "DSCN0010.jpg", one)
    scan(catalog, [str(one)], settings)
    plan = select_story_for_folder(catalog, settings, one)
    assert len(plan.slides) == 1 and 5 < plan.duration_s < 12  # not stretched to 30 s
    with pytest.raises(StoryError, match="no catalogued photos"):
        select_story_for_folder(catalog, settings, tmp_path / "elsewhere")


def test_two_thousand_photo_album_is_capped(shared_photos, tmp_path, catalog, settings):
    """Synthetic catalog rows pointing at links to the nine real photos, with
    the thumbnails a scan would have made (links to nine real ones)."""
    from photoorg.engine.imaging.decode import decode
    from photoorg.engine.imaging.thumbnails import save_thumbnail, thumb_path

    folder = tmp_path / "big"
    folder.mkdir()
    sources = sorted((shared_photos / GPS_WALK).glob("*.jpg"))
    thumbs = [save_thumbnail(tmp_path / "t", f"src{i}", decode(str(s), target=384), 384)
              for i, s in enumerate(sources)]
    now, rows = time.time(), []
    for i in range(2000):
        link = folder / f"IMG_{i:05d}.jpg"
        link.symlink_to(sources[i % len(sources)])
        thumb = thumb_path(settings.thumbs_dir, f"synthetic{i:05d}")
        thumb.parent.mkdir(parents=True, exist_ok=True)
        os.link(thumbs[i % len(sources)], thumb)
        rows.append((str(link), link.name, 1000, 1, f"synthetic{i:05d}", 640, 480,
                     1.6e9 + i * 60.0, now, now))
    with catalog.write() as db:
        db.conn.executemany(
            "INSERT INTO photos(path, filename, size, mtime_ns, content_hash, width, height, capture_ts, "
            "added_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    # an analysed library: the faces stage has looked at every photo (none has faces)
    from photoorg.engine.faces.stage import NAME, VERSION

    catalog.mark_stage([r[4] for r in rows], NAME, VERSION)
    started = time.monotonic()
    plan = select_story_for_folder(catalog, settings, folder)
    elapsed = time.monotonic() - started
    assert plan.duration_s == pytest.approx(MAX_AUTO_S, abs=1.0)
    assert 20 <= len(plan.slides) <= 30
    ts = sorted(s.capture_ts for s in plan.slides)
    assert ts[-1] - ts[0] > 0.8 * 2000 * 60  # spread over the whole album
    assert elapsed < 30, f"selection took {elapsed:.1f} s"


def test_cli_export_story_video_html_and_errors(walk, settings, tmp_path, capsys):
    base = ["--catalog", str(settings.catalog_path), "export-story", str(walk)]
    out = tmp_path / "exports" / "walk.mp4"
    code = main([*base, "--out", str(out), "--size", "320x180", "--fps", "10", "--count", "2", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["format"] == "mp4" and len(data["photos"]) == 2
    info = probe(out)
    assert info.video_codec == "h264" and (info.width, info.height) == (320, 180)
    assert info.duration_s == pytest.approx(data["duration_s"], abs=0.15)

    code = main([*base, "--out", str(tmp_path / "show"), "--count", "2", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["format"] == "html" and (tmp_path / "show" / "index.html").is_file()

    code = main([*base, "--out", str(tmp_path / "x.mp4"), "--music", str(tmp_path / "missing.mp3")])
    err = capsys.readouterr().err
    assert code == 1 and "music file not found" in err and len(err.strip().splitlines()) == 1
    code = main(["--catalog", str(settings.catalog_path), "export-story", "No Such Album", "--out", str(out)])
    assert code == 1 and "no album" in capsys.readouterr().err
    assert not (tmp_path / "x.mp4").exists()


def test_private_photos_stay_out_unless_the_preferences_allow_them(walk, catalog, settings):
    from photoorg.engine.settings import Preferences

    private = next(p.id for p in catalog.photos() if p.path.endswith("DSCN0021.jpg"))
    catalog.set_private([private], True)
    plan = select_story_for_folder(catalog, settings, walk, count=9)
    assert private not in [s.photo_id for s in plan.slides] and plan.excluded == {"private": 1}
    allowed = settings.with_prefs(Preferences(allow_private_in_exports=True))
    plan = select_story_for_folder(catalog, allowed, walk, count=9)
    assert private in [s.photo_id for s in plan.slides]


def test_faces_are_found_for_framing_before_the_faces_stage_ran(shared_photos, tmp_path, catalog, settings):
    folder = tmp_path / "people"
    folder.mkdir()
    for name in ("test/obama_and_biden.jpg", "train/biden/biden.jpg"):
        shutil.copy2(shared_photos / "faces" / "knn_examples" / name, folder)
    scan(catalog, [str(folder)], settings)
    plan = select_story_for_folder(catalog, settings, folder)
    faces = {os.path.basename(s.path): s.faces for s in plan.slides}
    assert len(faces["obama_and_biden.jpg"]) == 2 and len(faces["biden.jpg"]) == 1
    x0, y0, x1, y1 = faces["biden.jpg"][0]
    assert y1 < 0.4 and 0 <= x0 < x1 <= 1  # a standing portrait: the head is in the top part


def test_album_story_follows_the_albums_importance(walk, catalog, settings, capsys):
    from photoorg.engine.albums.queries import AlbumProposal
    from photoorg.engine.story import select_story

    photos = catalog.photos()
    ids = tuple(p.id for p in photos)
    proposal = AlbumProposal(key="walk", source="folder", folder_id=None, photo_ids=ids,
                             content_hashes=tuple(p.content_hash for p in photos), place="Tuscany",
                             start_ts=photos[0].capture_ts, end_ts=photos[-1].capture_ts)
    album_id = catalog.sync_albums("folders", [proposal])["ids"]["walk"]
    best = {"DSCN0010.jpg", "DSCN0029.jpg", "DSCN0042.jpg"}  # the start, middle and end of the walk
    scores = [(p.id, 0.9 if os.path.basename(p.path) in best else 0.1 + 0.01 * n, None, None, None)
              for n, p in enumerate(photos)]
    catalog.save_album_labels(album_id, title="Evening walk", event="NatureTrip", event_scores={},
                              signature="s", model_version="test", photos=scores)
    plan = select_story(catalog, settings, album_id, count=3)
    assert {os.path.basename(s.path) for s in plan.slides} == best
    assert plan.title == "Evening walk" and plan.place == "Tuscany" and plan.album_id == album_id
    assert all(s.importance == pytest.approx(0.9) and "importance" in s.reason for s in plan.slides)

    code = main(["--catalog", str(settings.catalog_path), "export-story", "evening WALK", "--count", "3",
                 "--out", str(walk.parent / "x.mp4"), "--plan-only", "--json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["album_id"] == album_id

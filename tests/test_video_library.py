"""Videos beside the photos: in the Library grid's rows (by date with the
photos, by name, after them for photo-only sorts, left out by photo-only
filters) and in albums, stored and counted (video/browse.py, video/albums.py),
on clips made here from the real test photos."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from photoorg.engine.video.albums import choose_albums


def _cli(cat: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "photoorg.engine.cli", "--catalog", str(cat), *args],
                          capture_output=True, text=True, timeout=600)


def _utc(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_choose_albums_folder_first_then_nearest_span():
    albums = [(1, "auto", "folder", 7, 1000.0, 2000.0),
              (2, "auto", "time", None, 10_000.0, 11_000.0),
              (3, "auto", "time", None, 13_000.0, 14_000.0),
              (4, "time", "time", None, 0.0, 50_000.0)]
    videos = [(10, 7, 12_000.0),   # in the folder album although another album's time is nearer
              (11, 8, 11_500.0),   # 500 s after album 2, 1,500 s before album 3
              (12, 8, 20_000.0),   # more than an hour from any "auto" album
              (13, None, None)]    # no time, no folder album: nowhere
    got = sorted(choose_albums(albums, videos, margin_s=3600))
    assert got == [(1, 10, "folder"), (2, 11, "time"), (4, 10, "time"), (4, 11, "time"), (4, 12, "time")]


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """Four photos, a video taken among them, one taken years later; scanned,
    the videos analysed, albums by time built."""
    from conftest import SHARED_PHOTOS

    from photoorg.engine.catalog import Catalog
    from photoorg.engine.video.synthetic_clips import Shot, library_photos, make_clip

    if not SHARED_PHOTOS.is_dir():
        pytest.skip(f"real test photos not found at {SHARED_PHOTOS}")
    photos = library_photos(SHARED_PHOTOS, limit=60)
    lib = tmp_path_factory.mktemp("lib")
    for name in ("Nikon_COOLPIX_P1.jpg", "Nikon_D70.jpg", "Pentax_K10D.jpg", "Canon_40D.jpg"):  # dated by EXIF
        shutil.copy(SHARED_PHOTOS / "exif" / "jpg" / name, lib / name)
    cat = tmp_path_factory.mktemp("cat") / "cat.sqlite"
    assert _cli(cat, "scan", str(lib)).returncode == 0
    with Catalog(cat) as c:
        times = sorted(r[0] for r in c.query("SELECT capture_ts FROM photos WHERE capture_ts IS NOT NULL"))
    assert len(times) == 4 and times[1] - times[0] > 86400
    # Ten minutes after the first photo (days before the second): between them.
    near = make_clip([Shot(photos[30], 2.0), Shot(photos[31], 2.0)], lib / "zz-near.mp4", size=(320, 180),
                     creation_time=_utc(times[0] + 600))
    far = make_clip([Shot(photos[32], 2.0)], lib / "aa-far.mp4", size=(320, 180),
                    creation_time=_utc(times[-1] + 86400 * 900))
    assert _cli(cat, "scan", str(lib)).returncode == 0
    res = _cli(cat, "videos", "--analyse", "--json")
    assert res.returncode == 0, res.stderr
    albums = _cli(cat, "albums", "--from", "time", "--json")
    assert albums.returncode == 0, albums.stderr
    return lib, cat, times, near, far, json.loads(albums.stdout)


def test_videos_in_the_grid_rows_by_date_and_name(library):
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.catalog.browse import BrowseFilter
    from photoorg.engine.video.browse import is_video_row, rows_with_videos, video_id_of

    lib, cat, times, near, far, _ = library
    with Catalog(cat) as c:
        rows = rows_with_videos(c, BrowseFilter(), "date")
        names = [r.name for r in rows]
        assert len(rows) == 6 and sum(map(is_video_row, rows)) == 2
        # Dated with the photos: the near video between the first two photos, the far one last.
        assert names.index("zz-near.mp4") == 1 and names[-1] == "aa-far.mp4", names
        stamps = [r.capture_ts for r in rows]
        assert stamps == sorted(stamps)
        assert [r.name for r in rows_with_videos(c, BrowseFilter(), "date_desc")] == names[::-1]
        by_name = [r.name for r in rows_with_videos(c, BrowseFilter(), "name")]
        assert by_name == sorted(by_name) and by_name.index("aa-far.mp4") == 4  # after the capitals, as SQLite sorts
        # Photo-only sorts: videos after the photos; photo-only filters: no videos.
        rated = rows_with_videos(c, BrowseFilter(), "rating")
        assert [is_video_row(r) for r in rated] == [False] * 4 + [True] * 2
        assert not any(map(is_video_row, rows_with_videos(c, BrowseFilter(flag="unflagged"), "date")))
        assert [r.name for r in rows_with_videos(c, BrowseFilter(text="near"), "date")] == ["zz-near.mp4"]
        assert sum(map(is_video_row, rows_with_videos(c, BrowseFilter(folder=str(lib)), "date"))) == 2
        assert not rows_with_videos(c, BrowseFilter(folder=str(lib) + "x"), "date")  # a sibling, not below
        # The first page of a long list is the first rows of the whole list.
        assert [r.id for r in rows_with_videos(c, BrowseFilter(), "date", limit=3)] == [r.id for r in rows[:3]]
        video = next(r for r in rows if r.name == "zz-near.mp4")
        assert abs(video.duration - near.duration_s) < 0.2 and Path(video.path).is_file()
        poster = c.query("SELECT poster_path FROM video_info WHERE video_id = ?", (video_id_of(video.id),))[0][0]
        from photoorg.engine.settings import Settings
        from photoorg.engine.video.browse import poster_path_for_key

        thumbs = Settings.for_catalog(cat).thumbs_dir
        assert poster_path_for_key(thumbs, video.content_hash) == Path(poster) and Path(poster).is_file()


def test_video_album_membership_is_stored_shown_and_counted(library):
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.catalog.browse import BrowseFilter
    from photoorg.engine.video.albums import album_video_counts, assign_album_videos
    from photoorg.engine.video.browse import is_video_row, rows_with_videos

    lib, cat, times, near, far, data = library
    holding = [a for a in data["albums"] if a["videos"]]
    assert len(holding) == 1, [(a["title"], a["videos"]) for a in data["albums"]]
    album = holding[0]
    assert [Path(v["path"]).name for v in album["videos"]] == ["zz-near.mp4"]
    assert album["videos"][0]["highlights"]
    with Catalog(cat) as c:
        stored = c.query("SELECT album_id, how FROM album_videos av JOIN videos v ON v.id = av.video_id "
                         "WHERE v.path LIKE '%zz-near.mp4'")
        assert [tuple(r) for r in stored] == [(album["id"], "time")]
        assert album_video_counts(c) == {album["id"]: 1}
        grid = rows_with_videos(c, BrowseFilter(album_id=album["id"]), "importance")
        assert [r.name for r in grid if is_video_row(r)] == ["zz-near.mp4"]
        assert len(grid) == len(album["photos"]) + 1
        # Stored, not computed when read: gone when cleared, back when assigned.
        with c.write() as db:
            db.execute("DELETE FROM album_videos")
        assert not any(map(is_video_row, rows_with_videos(c, BrowseFilter(album_id=album["id"]), "date")))
        assert assign_album_videos(c) == 1
    text = _cli(cat, "albums", "--from", "time")
    assert "1 video" in text.stdout

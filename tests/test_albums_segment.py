"""Time segmentation (adaptive to shooting density, GPS jumps), folder and
auto grouping, on synthetic camera rolls with known boundaries and on the
real GPS walk."""

from __future__ import annotations

import pytest

from photoorg.engine.albums.segment import (
    PhotoPoint, SegmentParams, boundary_scores, group_photos, haversine_km, is_dump_folder, segment_by_time,
)
from photoorg.engine.albums.synthetic_rolls import found_boundaries, make_roll
from photoorg.engine.albums.titles import album_dates, coordinates_place, date_range, folder_place


def _scores(rolls, params=SegmentParams()):
    tp = fp = fn = 0
    for roll in rolls:
        found = set(found_boundaries(segment_by_time(roll.points, params)))
        truth = set(roll.boundaries)
        tp, fp, fn = tp + len(found & truth), fp + len(found - truth), fn + len(truth - found)
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


@pytest.mark.parametrize("habit", ["burst", "moderate", "sparse", "mixed"])
def test_synthetic_rolls_boundaries(habit):
    rolls = [make_roll(seed, habit, gps=seed % 2 == 0) for seed in range(8)]
    precision, recall = _scores(rolls)
    assert precision >= 0.85 and recall >= 0.85, (habit, precision, recall)


def test_adaptive_beats_one_fixed_gap_on_mixed_shooters():
    rolls = [make_roll(seed, "mixed") for seed in range(40, 50)]
    adaptive = _scores(rolls)
    fixed = _scores(rolls, SegmentParams(ratio=0, min_gap_s=30 * 60, jump_km=1e9))
    f1 = lambda pr: 2 * pr[0] * pr[1] / (pr[0] + pr[1])  # noqa: E731
    assert f1(adaptive) > f1(fixed) + 0.05, (adaptive, fixed)


def test_same_gap_splits_a_burst_shooter_but_not_a_sparse_one():
    def roll(step):
        a = [PhotoPoint(i, i * step) for i in range(20)]
        b = [PhotoPoint(20 + i, a[-1].ts + 40 * 60 + i * step) for i in range(20)]
        return a + b
    assert len(segment_by_time(roll(10.0))) == 2       # 10 s rhythm: a 40 min pause is a new event
    assert len(segment_by_time(roll(15 * 60.0))) == 1  # 15 min rhythm: 40 min is just a pause


def test_gps_jump_splits_even_a_short_pause():
    a = [PhotoPoint(i, i * 300.0, 48.85, 2.35) for i in range(10)]
    b = [PhotoPoint(10 + i, a[-1].ts + 20 * 60 + i * 300.0, 45.76, 4.83) for i in range(10)]  # Paris -> Lyon
    assert haversine_km(48.85, 2.35, 45.76, 4.83) > 300
    assert [len(g.photos) for g in segment_by_time(a + b)] == [10, 10]
    same_place = [PhotoPoint(p.id, p.ts, 48.85, 2.35) for p in b]
    assert len(segment_by_time(a + same_place)) == 1


def test_undated_photos_form_their_own_group():
    groups = segment_by_time([PhotoPoint(1, 100.0), PhotoPoint(2, None), PhotoPoint(3, 160.0)])
    assert [[p.id for p in g.photos] for g in groups] == [[1, 3], [2]]


def test_boundary_scores():
    s = boundary_scores([10, 20, 30], [10, 21, 40])
    assert s["precision"] == pytest.approx(1 / 3) and s["recall"] == pytest.approx(1 / 3)
    assert boundary_scores([10, 20], [11, 20], tolerance=1)["f1"] == 1.0


def test_auto_mode_keeps_album_folders_and_cuts_dumps():
    trip = [PhotoPoint(i, 1e9 + i * 60, folder="/p/Rome 2019") for i in range(30)]
    roll = make_roll(3, "moderate", events=6)
    dump = [PhotoPoint(1000 + p.id, p.ts, p.lat, p.lon, "/p/DCIM/100CANON", p.content_hash) for p in roll.points]
    groups = group_photos(trip + dump, "auto")
    assert sum(g.source == "folder" for g in groups) == 1
    assert sum(g.source == "time" for g in groups) == 6
    assert len(group_photos(trip + dump, "folders")) == 2
    assert is_dump_folder("/x/Camera Roll", trip) and not is_dump_folder("/p/Rome 2019", trip)
    # A folder with a name but spanning months of separate events is a dump too.
    long = make_roll(4, "moderate", events=30)
    span = long.points[-1].ts - long.points[0].ts
    assert span > 21 * 86400 and is_dump_folder("/p/Misc stuff", long.points)


def test_real_gps_walk_is_one_event(shared_photos):
    """The 9-photo walk through Arezzo (32 minutes, GPS on every photo)."""
    import exifread

    points = []
    for i, path in enumerate(sorted((shared_photos / "exif/jpg/gps").glob("*.jpg"))):
        with open(path, "rb") as fh:
            tags = exifread.process_file(fh, details=False)
        from datetime import datetime

        ts = datetime.strptime(str(tags["EXIF DateTimeOriginal"]), "%Y:%m:%d %H:%M:%S").timestamp()

        def deg(v, ref):
            d, m, s = (float(x.num) / float(x.den) for x in v.values)
            return (d + m / 60 + s / 3600) * (-1 if str(ref) in "SW" else 1)

        points.append(PhotoPoint(i, ts, deg(tags["GPS GPSLatitude"], tags["GPS GPSLatitudeRef"]),
                                 deg(tags["GPS GPSLongitude"], tags["GPS GPSLongitudeRef"])))
    assert len(points) == 9
    groups = segment_by_time(points)
    assert len(groups) == 1
    assert coordinates_place([(p.lat, p.lon) for p in points]) == "around 43.5°N 11.9°E"


def test_titles():
    assert date_range("2008-10-22T16:28:39", "2008-10-22T17:00:07") == "22 Oct 2008"
    assert date_range("2019-05-03T10:00:00", "2019-05-05T18:00:00") == "3–5 May 2019"
    assert date_range("2019-04-30T10:00:00", "2019-05-02T18:00:00") == "30 Apr – 2 May 2019"
    assert folder_place("/photos/2019-05-03 Rome trip") == "Rome trip"
    assert folder_place("/sd/DCIM/100CANON") is None and folder_place("/p/2019-05-03") is None
    assert coordinates_place([(-33.9, 151.2)]) == "around 33.9°S 151.2°E"


def test_title_dates_use_real_capture_dates_only():
    from types import SimpleNamespace as P

    exif = [P(capture_time="2000-09-02T14:30:10", capture_source="exif:DateTimeOriginal"),
            P(capture_time="1998-12-01T14:22:36", capture_source="xmp:xmp:CreateDate")]
    copied = [P(capture_time="2026-11-22T21:55:01", capture_source="mtime"), P(capture_time=None, capture_source=None)]
    # Copies made today have only their file time: it must not stretch the range to today.
    assert album_dates(exif + copied) == "Dec 1998 – Sep 2000" == date_range("1998-12-01", "2000-09-02")
    assert album_dates(exif[:1] + copied) == "2 Sep 2000"
    # Only file times (the day of a copy as often as the day taken): no dates at all.
    assert album_dates(copied) is None
    assert album_dates(copied + [P(capture_time="2025-01-03T10:00:00", capture_source="mtime")]) is None
    assert album_dates(copied[1:]) is None and album_dates([]) is None


def test_folder_names_of_machines_are_not_titles():
    from photoorg.engine.albums.titles import compose_title, folder_name

    for machine in ("/sd/DCIM/100APPLE", "/sd/DCIM/100CANON", "/up/0_64041142@N00", "/x/IMG_1234", "/x/DSC01234",
                    "/x/101_PANA", "/x/2019-05-03", "/x/PXL_20230101_120000", "/x/jpg", "/x/Camera Roll",
                    "/x/3f2a9c0d1e4b5a6f7081", "/x/iPhone 12"):
        assert folder_name(machine) is None, machine
    for human in ("Rome trip", "Birthday Anna", "Disneyland 2013", "Mom", "nature"):
        assert folder_name("/photos/" + human) == human
    assert folder_name("/photos/2013-05-12 Orlando") == "Orlando"
    assert compose_title(None, "Orlando", "12–14 May 2013") == "Orlando, 12–14 May 2013"
    assert compose_title("Birthday", "Lyon", "3 Mar 2019") == "Birthday · Lyon, 3 Mar 2019"
    # The folder's name says the place already: not twice.
    assert compose_title(None, "Orlando", "12–14 May 2013", "Orlando trip") == "Orlando trip · 12–14 May 2013"
    assert compose_title(None, None, None) == "Untitled album"

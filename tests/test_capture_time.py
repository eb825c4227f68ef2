"""Capture time and its source, down the fallback chain."""

from __future__ import annotations

from datetime import datetime

from photoorg.engine.scan.capture_time import TimeEvidence, choose, parse_filename, parse_xmp_datetime


def test_datetime_original_wins_with_offset_and_subseconds():
    ct = choose(TimeEvidence(exif_original="2023:02:21 14:33:08", exif_original_subsec="17",
                             exif_original_offset="+03:00", exif_digitized="2020:01:01 00:00:00",
                             mtime_ns=0))
    assert ct.source == "exif:DateTimeOriginal"
    assert ct.local == datetime(2023, 2, 21, 14, 33, 8, 170000)
    assert ct.tz == "+03:00"
    assert ct.timestamp == datetime(2023, 2, 21, 11, 33, 8, 170000).timestamp() - datetime(1970, 1, 1).timestamp()


def test_zone_is_derived_from_the_gps_clock():
    ct = choose(TimeEvidence(exif_original="2008:10:22 16:28:39", gps_date="2008:10:22",
                             gps_time=[14.0, 27.0, 7.24]))
    assert ct.tz == "+02:00"


def test_zero_dates_fall_through_to_digitized_then_datetime():
    ct = choose(TimeEvidence(exif_original="0000:00:00 00:00:00", exif_digitized="    :  :     :  :  ",
                             exif_datetime="2004:06:01 10:00:00"))
    assert ct.source == "exif:DateTime" and ct.local.year == 2004


def test_gps_only_gives_utc():
    ct = choose(TimeEvidence(gps_date="2023:10:10", gps_time=[8.0, 30.0, 0.0]))
    assert ct.source == "exif:GPS" and ct.tz == "+00:00" and ct.local == datetime(2023, 10, 10, 8, 30)


def test_xmp_then_filename_then_mtime():
    ct = choose(TimeEvidence(xmp_dates=[("xmp:xmp:CreateDate", "2010-09-27T14:35:33+02:00")]))
    assert ct.source == "xmp:xmp:CreateDate" and ct.tz == "+02:00" and ct.local.hour == 14
    ct = choose(TimeEvidence(filename="IMG_20190503_142233.jpg", mtime_ns=10**18))
    assert ct.source == "filename" and ct.local == datetime(2019, 5, 3, 14, 22, 33)
    ct = choose(TimeEvidence(filename="holiday.jpg", mtime_ns=1_600_000_000 * 10**9))
    assert ct.source == "mtime" and ct.timestamp == 1_600_000_000


def test_filename_patterns():
    cases = {
        "IMG_20190503_142233.jpg": datetime(2019, 5, 3, 14, 22, 33),
        "PXL_20210101_123456789.jpg": datetime(2021, 1, 1, 12, 34, 56),
        "20190503_142233.heic": datetime(2019, 5, 3, 14, 22, 33),
        "Screenshot 2019-05-03 at 14.22.33.png": datetime(2019, 5, 3, 14, 22, 33),
        "2019-05-03 14.22.33.jpg": datetime(2019, 5, 3, 14, 22, 33),
        "IMG-20190503-WA0001.jpg": datetime(2019, 5, 3, 12, 0, 0),
    }
    for name, expected in cases.items():
        parsed = parse_filename(name)
        assert parsed is not None and parsed[0] == expected, name
    assert parse_filename("DSC_1234.JPG") is None
    assert parse_filename("IMG_20191345_999999.jpg") is None  # not a real date


def test_partial_xmp_dates():
    assert parse_xmp_datetime("2005")[0] == datetime(2005, 1, 1)
    assert parse_xmp_datetime("2005-09-07T15:07:40-07:00") == (datetime(2005, 9, 7, 15, 7, 40), "-07:00")
    assert parse_xmp_datetime("garbage") is None

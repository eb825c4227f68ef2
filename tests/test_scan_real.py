"""Scanning the real photos in ../shared/photos."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from photoorg.engine.catalog import Catalog
from photoorg.engine.imaging.thumbnails import thumb_path
from photoorg.engine.scan.scanner import scan
from photoorg.engine.settings import Settings

# The product's classification of each broken file (the "kind" of its skip
# entry), never a decoder's wording. A damaged HEIF container is "unreadable"
# when the HEIF reader does not recognise it at all and "corrupted" when it
# opens but its data does not decode; which of the two depends on the
# reader's version, and both mean "damaged, not truncated, empty or too large".
DAMAGED = {"unreadable", "corrupted"}
BROKEN = {
    "heif/heif_corrupted/corrupted.heic": DAMAGED,
    "heif/heif_corrupted/corrupted.hif": DAMAGED,
    "heif/heif_corrupted/empty.heic": {"empty"},
    "heif/heif_truncated/truncated.heic": {"truncated"},
    "heif/heif_special/200MP.heic": {"too-large"},
    "exif/raw/sony_alpha_a7iii_raw_image.ARW": {"raw-unsupported"},
}


@pytest.fixture(scope="module")
def scanned(shared_photos, tmp_path_factory):
    """One scan of all shared photos through the CLI, as a user would run it."""
    root = tmp_path_factory.mktemp("realscan")
    catalog_path = root / "catalog.sqlite"
    env = {**os.environ, "HOME": str(root)}
    run = lambda: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "photoorg.engine.cli", "scan", str(shared_photos), "--catalog",
         str(catalog_path), "--json", "--workers", "2"],
        capture_output=True, text=True, timeout=600, env=env,
    )
    first = run()
    second = run()
    return shared_photos, catalog_path, first, second


def test_every_decodable_photo_added_every_broken_one_skipped(scanned):
    shared, catalog_path, first, _ = scanned
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)
    skipped = {os.path.relpath(s["path"], shared): s for s in result["skipped"]}
    for rel, kinds in BROKEN.items():
        assert rel in skipped, f"{rel} not reported"
        entry = skipped[rel]
        assert entry["kind"] in kinds, (rel, entry)
        # A sentence a person can read, more than the bare kind.
        reason = entry["reason"]
        assert len(reason.split()) >= 3 and reason.lower() != entry["kind"], (rel, entry)
    assert set(skipped) == set(BROKEN), set(skipped) ^ set(BROKEN)
    images = [
        os.path.relpath(os.path.join(d, f), shared)
        for d, _, files in os.walk(shared) for f in files
        if os.path.splitext(f)[1].lower() in {".jpg", ".jpeg", ".png", ".heic", ".heif", ".hif", ".avif",
                                             ".webp", ".tiff", ".tif", ".jxl", ".gif", ".kdc", ".arw", ".dng"}
    ]
    assert result["added"] == len(images) - len(BROKEN)
    with Catalog(catalog_path, readonly=True) as cat:
        assert cat.photo_count() == result["added"]


def test_second_scan_is_all_unchanged(scanned):
    _, _, first, second = scanned
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert b["added"] == b["updated"] == b["moved"] == b["missing"] == 0
    assert b["unchanged"] == a["added"]
    # Remembered skips (read from the catalog, not decoded again) keep their kind.
    assert {s["path"]: s["kind"] for s in b["skipped"]} == {s["path"]: s["kind"] for s in a["skipped"]}


def _by_name(catalog_path, rel_suffix):
    with Catalog(catalog_path, readonly=True) as cat:
        rows = [p for p in cat.photos() if p.path.endswith(rel_suffix)]
    assert len(rows) == 1, rel_suffix
    return rows[0]


def test_all_eight_orientations_are_upright(scanned):
    shared, catalog_path, *_ = scanned
    settings = Settings.for_catalog(catalog_path)
    for kind, size in (("landscape", (600, 450)), ("portrait", (450, 600))):
        ref = None
        for n in range(1, 9):
            photo = _by_name(catalog_path, f"orientation/{kind}_{n}.jpg")
            assert (photo.width, photo.height) == size, (kind, n)
            thumb = np.asarray(Image.open(thumb_path(settings.thumbs_dir, photo.content_hash)).convert("L"), float)
            if ref is None:
                ref = thumb
            assert thumb.shape == ref.shape
            # Upright copies of the same picture (each with its number drawn
            # in): far closer to the reference than any flip of it would be.
            same = np.abs(thumb - ref).mean()
            flipped = min(np.abs(f - ref).mean() for f in (thumb[:, ::-1], thumb[::-1], thumb[::-1, ::-1]))
            assert same < 0.4 * flipped, (kind, n, same, flipped)


def test_exif_of_many_camera_makes(scanned):
    _, catalog_path, *_ = scanned
    with Catalog(catalog_path, readonly=True) as cat:
        makes = " ".join(p.camera_make.lower() for p in cat.photos() if p.camera_make)
    for make in ("canon", "nikon", "fujifilm", "olympus", "sony", "kodak", "pentax", "samsung", "apple"):
        assert make in makes, make
    nikon = _by_name(catalog_path, "exif-org/nikon-e950.jpg")
    assert nikon.capture_source == "exif:DateTimeOriginal"


def test_gps_and_zone_from_real_walk(scanned):
    _, catalog_path, *_ = scanned
    photo = _by_name(catalog_path, "gps/DSCN0010.jpg")
    assert photo.gps_lat == pytest.approx(43.4674, abs=1e-3)
    assert photo.gps_lon == pytest.approx(11.8851, abs=1e-3)
    assert photo.capture_time == "2008-10-22T16:28:39"


def test_heic_avif_and_raw_metadata(scanned):
    _, catalog_path, *_ = scanned
    iphone = _by_name(catalog_path, "mobile/iphone_13_pro_max.heic")
    assert iphone.format == "HEIF" and (iphone.width, iphone.height) == (3024, 4032)
    assert iphone.camera_make == "Apple" and iphone.capture_tz == "+01:00"
    avif = _by_name(catalog_path, "exif/avif/mountains.avif")
    assert avif.format == "AVIF" and avif.capture_source == "exif:DateTimeOriginal"
    raw = _by_name(catalog_path, "raw/RAW_KODAK_DC50.KDC")
    assert raw.format == "RAW" and raw.width and raw.height


def test_rating_keywords_and_dates_from_xmp_and_iptc(scanned):
    _, catalog_path, *_ = scanned
    assert _by_name(catalog_path, "rating/mongolels.jpg").rating == 3
    assert set(_by_name(catalog_path, "tags/picasa.jpg").keywords) == {"Frost", "Yard"}
    no_exif = _by_name(catalog_path, "xmp/no_exif.jpg")
    assert no_exif.capture_source.startswith("xmp:") and no_exif.capture_tz == "+02:00"
    priority = _by_name(catalog_path, "dates/date-priority-test.jpg")
    assert priority.capture_time == "2023-02-02T02:00:00"


def test_thumbnails_exist_for_every_photo(scanned):
    _, catalog_path, *_ = scanned
    settings = Settings.for_catalog(catalog_path)
    with Catalog(catalog_path, readonly=True) as cat:
        for photo in cat.photos():
            path = thumb_path(settings.thumbs_dir, photo.content_hash)
            with Image.open(path) as im:
                assert max(im.size) <= settings.thumbnail_px


def test_scikit_image_photos(skimage_photos, tmp_path):
    settings = Settings.for_catalog(tmp_path / "sk.sqlite", workers=1)
    with Catalog(settings.catalog_path) as cat:
        summary = scan(cat, [str(skimage_photos)], settings)
        assert summary.added == 5 and not summary.skipped
        astronaut = [p for p in cat.photos() if p.path.endswith("astronaut.jpg")][0]
        assert (astronaut.width, astronaut.height) == (512, 512)
        assert astronaut.capture_source == "mtime"

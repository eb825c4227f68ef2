"""XMP sidecars: read by a real third-party reader (exiftool), merged into
sidecars other tools wrote (Lightroom's UTF-16 ones from Immich's test
assets, exiftool's face regions), and read back by the scanner."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from photoorg.engine.catalog import Catalog
from photoorg.engine.scan.scanner import scan
from photoorg.engine.settings import Preferences
from photoorg.engine.xmp import read
from photoorg.engine.xmp.write import (FaceRegion, SidecarData, XmpWriteError, sidecar_path, write_photo_sidecar,
                                       write_sidecar)

from test_curation_support import copy_unique, register, source_photos

EXIFTOOL = shutil.which("exiftool")
needs_exiftool = pytest.mark.skipif(EXIFTOOL is None, reason="exiftool (Debian libimage-exiftool-perl) not installed")


def exiftool(path, *tags) -> dict:
    out = subprocess.run([EXIFTOOL, "-j", "-G1", "-struct", *tags, str(path)], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)[0]


def _as_list(value):
    return value if isinstance(value, list) else [value]


@pytest.fixture
def on(settings):
    return settings.with_prefs(Preferences(xmp_write=True))


@pytest.fixture
def photo(catalog, shared_photos, tmp_path):
    path = copy_unique(source_photos(shared_photos)[0], tmp_path / "lib" / "Paris 2019" / "IMG_0001.jpg", "xmp")
    (pid,) = register(catalog, [path])
    return pid, path


@needs_exiftool
def test_exiftool_reads_rating_label_keywords_and_face_regions(catalog, on, photo):
    pid, path = photo
    catalog.set_rating([pid], 4)
    sidecar = write_photo_sidecar(
        catalog, on, pid, events=["Birthday"], people=["Anna Smith", "Tom"], interest=0.9,
        regions=[FaceRegion.from_box("Anna Smith", 100, 50, 40, 60, 400, 300), FaceRegion("Tom", 0.7, 0.5, 0.1, 0.2)])
    assert sidecar == str(path) + ".xmp"
    tags = exiftool(sidecar)
    assert tags["XMP-xmp:Rating"] == 4
    subjects = set(_as_list(tags["XMP-dc:Subject"]))
    assert {"Birthday", "Anna Smith", "Tom", "High interest"} <= subjects
    assert {"Events|Birthday", "People|Anna Smith", "People|Tom"} <= set(_as_list(tags["XMP-lr:HierarchicalSubject"]))
    assert "People/Anna Smith" in _as_list(tags["XMP-digiKam:TagsList"])
    regions = tags["XMP-mwg-rs:RegionInfo"]["RegionList"]
    assert [(r["Name"], r["Type"]) for r in regions] == [("Anna Smith", "Face"), ("Tom", "Face")]
    anna = regions[0]["Area"]
    assert (anna["X"], anna["Y"], anna["W"], anna["H"], anna["Unit"]) == (0.3, 0.266667, 0.1, 0.2, "normalized")

    # A rejected photo: -1 in xmp:Rating (darktable, digiKam), 1 in digiKam's pick label.
    catalog.set_rating([pid], None)
    catalog.set_flag([pid], "reject")
    write_photo_sidecar(catalog, on, pid)
    tags = exiftool(sidecar)
    assert tags["XMP-xmp:Rating"] == -1 and tags["XMP-digiKam:PickLabel"] == 1
    assert "Curation|Rejected" in _as_list(tags["XMP-lr:HierarchicalSubject"])
    assert "Anna Smith" in _as_list(tags["XMP-dc:Subject"])  # earlier names stay until the caller changes them
    assert [r["Name"] for r in tags["XMP-mwg-rs:RegionInfo"]["RegionList"]] == ["Anna Smith", "Tom"]
    write_photo_sidecar(catalog, on, pid, people=[], regions=[])  # the faces stage found nobody
    tags = exiftool(sidecar)
    assert "XMP-mwg-rs:RegionInfo" not in tags and "Anna Smith" not in _as_list(tags["XMP-dc:Subject"])
    assert "Birthday" in _as_list(tags["XMP-dc:Subject"])


@needs_exiftool
@pytest.mark.parametrize("year", ["2000", "2010", "2020"])
def test_a_lightroom_utf16_sidecar_keeps_its_fields_after_a_merge(catalog, on, photo, shared_photos, year):
    pid, path = photo
    original = shared_photos / "immich" / "metadata" / "xmp" / "dates" / f"{year}.xmp"
    assert original.read_bytes()[:2] == b"\xff\xfe"  # UTF-16, as Lightroom wrote it
    sidecar = path.with_suffix(".xmp")  # photo.xmp: Lightroom's naming, which "auto" must follow
    shutil.copyfile(original, sidecar)
    # exiftool 12 does not read UTF-16 XMP ("Superfluous BOM"): take its
    # reading of the same packet in UTF-8 as the fields to keep.
    utf8 = sidecar.with_name("utf8-reference.xmp")
    utf8.write_text(original.read_bytes().decode("utf-16"), encoding="utf-8")
    before = {k: v for k, v in exiftool(utf8).items() if k.startswith("XMP")}
    utf8.unlink()
    assert len(before) >= 4 and read.read_sidecar(str(sidecar)).create_date
    catalog.set_rating([pid], 3)
    assert write_photo_sidecar(catalog, on, pid, events=["Wedding"]) == str(sidecar)
    assert not os.path.exists(str(path) + ".xmp")
    after = {k: v for k, v in exiftool(sidecar).items() if k.startswith("XMP")}
    assert {k: after.get(k) for k in before} == before
    assert after["XMP-xmp:Rating"] == 3 and "Wedding" in _as_list(after["XMP-dc:Subject"])
    assert read.read_sidecar(str(sidecar)).create_date == read.parse(original.read_bytes()).create_date


@needs_exiftool
def test_face_regions_of_another_tool_are_kept_and_ours_replaced(catalog, on, photo, shared_photos):
    pid, path = photo
    sidecar = Path(str(path) + ".xmp")
    packet = subprocess.run([EXIFTOOL, "-xmp", "-b", str(shared_photos / "immich/metadata/faces/portrait.jpg")],
                            capture_output=True, check=True).stdout
    sidecar.write_bytes(packet)
    before = exiftool(sidecar)
    write_photo_sidecar(catalog, on, pid, people=["Anna"], regions=[FaceRegion("Anna", 0.2, 0.2, 0.1, 0.1)])
    write_photo_sidecar(catalog, on, pid, people=["Anne"], regions=[FaceRegion("Anne", 0.2, 0.2, 0.1, 0.1)])
    after = exiftool(sidecar)
    names = [r["Name"] for r in after["XMP-mwg-rs:RegionInfo"]["RegionList"]]
    assert names == [r["Name"] for r in before["XMP-mwg-rs:RegionInfo"]["RegionList"]] + ["Anne"]
    assert after["XMP-MP:RegionInfoMP"] == before["XMP-MP:RegionInfoMP"]  # Microsoft's regions untouched
    people = _as_list(after["XMP-lr:HierarchicalSubject"])
    assert "People|Anne" in people and "People|Anna" not in people and "People|Marie Curie" in people


def test_our_keywords_are_replaced_the_users_and_other_tools_kept(catalog, on, photo):
    pid, path = photo
    sidecar = write_photo_sidecar(catalog, on, pid, events=["Birthday"])
    # Another tool adds a keyword; a rescan copies the sidecar's keywords into the catalog.
    text = Path(sidecar).read_text().replace("<rdf:li>Birthday</rdf:li>", "<rdf:li>Birthday</rdf:li><rdf:li>Lightroom kw</rdf:li>", 1)
    Path(sidecar).write_text(text)
    with catalog.write() as db:
        db.execute("UPDATE photos SET keywords = ? WHERE id = ?",
                   (json.dumps(["Paris", "Birthday", "Lightroom kw"]), pid))
    write_photo_sidecar(catalog, on, pid, events=["Wedding"])
    info = read.read_sidecar(sidecar)
    assert set(info.subjects) == {"Paris", "Lightroom kw", "Wedding"}
    assert info.hierarchical == ["Events|Wedding"]
    # Writing the same state again changes nothing.
    mtime = os.stat(sidecar).st_mtime_ns
    assert write_sidecar(sidecar, SidecarData(keywords=["Paris"], managed={"Events": ["Wedding"]})) is False
    assert os.stat(sidecar).st_mtime_ns == mtime


def test_sidecar_naming_folder_and_opt_in(catalog, settings, on, photo, tmp_path):
    pid, path = photo
    assert write_photo_sidecar(catalog, settings, pid) is None  # not opted in: nothing written
    assert not [p for p in path.parent.iterdir() if p.suffix == ".xmp"]
    folder = path.parent
    assert sidecar_path(str(path)) == str(path) + ".xmp"
    assert sidecar_path(str(path), "replace") == str(folder / "IMG_0001.xmp")
    # "auto" follows the folder: here the other photos have photo.xmp sidecars.
    for name in ("a.CR2", "a.xmp", "b.jpg", "b.xmp"):
        (folder / name).write_bytes(b"")
    assert sidecar_path(str(path)) == str(folder / "IMG_0001.xmp")
    (folder / "IMG_0001.JPG.XMP").write_bytes(b"")  # an existing sidecar wins, whatever its case
    assert sidecar_path(str(path)) == str(folder / "IMG_0001.JPG.XMP")
    side_dir = tmp_path / "Sidecars"
    assert sidecar_path(str(path), "append", str(side_dir)) == str(side_dir / str(path).lstrip("/")) + ".xmp"
    elsewhere = settings.with_prefs(Preferences(xmp_write=True, xmp_folder=str(side_dir), xmp_naming="append"))
    written = write_photo_sidecar(catalog, elsewhere, pid)
    assert written.startswith(str(side_dir)) and os.path.exists(written)


def test_an_unreadable_sidecar_is_never_overwritten(catalog, on, photo):
    pid, path = photo
    sidecar = Path(str(path) + ".xmp")
    sidecar.write_bytes(b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><broken")
    with pytest.raises(XmpWriteError, match="left untouched"):
        write_photo_sidecar(catalog, on, pid)
    assert sidecar.read_bytes() == b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><broken"
    assert sorted(p.name for p in path.parent.iterdir()) == ["IMG_0001.jpg", "IMG_0001.jpg.xmp"]


def test_a_rescan_reads_back_what_was_written(settings, on, shared_photos, tmp_path):
    folder = tmp_path / "lib"
    path = copy_unique(source_photos(shared_photos)[1], folder / "IMG_0100.jpg", "rescan")
    with Catalog(settings.catalog_path) as catalog:
        assert scan(catalog, [str(folder)], settings).added == 1
        (photo,) = catalog.photos()
        catalog.set_rating([photo.id], 5)
        catalog.set_flag([photo.id], "pick")
        sidecar = write_photo_sidecar(catalog, on, photo.id, events=["BeachTrip"])
        write_sidecar(sidecar, SidecarData(label="Green"))
        # Our own write does not make the scanner read the photo again...
        catalog.set_sidecar_mtime(photo.id, os.stat(sidecar).st_mtime_ns)
        assert scan(catalog, [str(folder)], settings).unchanged == 1
    # ...and a new catalog of the same folder gets rating, label and keywords back.
    other = dataclasses.replace(settings, catalog_path=tmp_path / "second.sqlite")
    with Catalog(other.catalog_path) as second:
        scan(second, [str(folder)], other)
        (again,) = second.photos()
        assert (again.rating, again.label) == (5, "Green")
        assert "BeachTrip" in again.keywords

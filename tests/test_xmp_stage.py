"""The "sidecars" stage: XMP sidecars follow the catalog. Face boxes go from
the upright image to the stored one for every EXIF orientation; a named
person's region lands on the face of a real sideways photo as exiftool reads
it; only changed photos are written again; a rescan reads ratings and labels
back; a sidecar that cannot be read is left alone."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from photoorg.engine.catalog import Catalog
from photoorg.engine.imaging.decode import decode
from photoorg.engine.pipeline import run_stages
from photoorg.engine.scan.scanner import scan
from photoorg.engine.settings import Preferences
from photoorg.engine.xmp.write import face_region, upright_to_stored

EXIFTOOL = shutil.which("exiftool")
needs_exiftool = pytest.mark.skipif(EXIFTOOL is None, reason="exiftool (Debian libimage-exiftool-perl) not installed")


def exiftool(path, *tags) -> dict:
    out = subprocess.run([EXIFTOOL, "-j", "-G1", "-struct", "-n", *tags, str(path)], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)[0]


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _stage(catalog, settings, only=("sidecars",)) -> dict:
    out = {o.name: o for o in run_stages(catalog, settings, only=list(only))}
    assert all(o.status == "done" for o in out.values()), {k: o.to_json() for k, o in out.items()}
    return out["sidecars"].summary


@pytest.fixture
def on(settings):
    return settings.with_prefs(Preferences(xmp_write=True))


def _bbox(im: Image.Image) -> tuple[float, float, float, float]:
    a = np.asarray(im.convert("L")) > 128
    ys, xs = np.nonzero(a)
    h, w = a.shape
    return xs.min() / w, ys.min() / h, (xs.max() + 1) / w, (ys.max() + 1) / h


@pytest.mark.parametrize("orientation", [1, 2, 3, 4, 5, 6, 7, 8])
def test_upright_boxes_map_to_the_stored_image(tmp_path, orientation):
    """A white block drawn in the stored pixels, found again in the upright
    image the decoder makes (EXIF orientation applied): converting that box
    back gives the block's stored place."""
    stored = Image.new("RGB", (320, 200), "black")
    stored.paste((255, 255, 255), (40, 30, 120, 90))  # x 0.125-0.375, y 0.15-0.45
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / f"o{orientation}.png"
    stored.save(path, exif=exif)
    upright = decode(str(path), name=path.name)
    assert upright.size == ((200, 320) if orientation >= 5 else (320, 200))
    x0, y0, x1, y1 = _bbox(upright)
    cx, cy, w, h = upright_to_stored((x0, y0, x1 - x0, y1 - y0), orientation)
    assert (cx, cy, w, h) == pytest.approx((0.25, 0.3, 0.25, 0.3), abs=0.01)
    region = face_region("A", (x0, y0, x1 - x0, y1 - y0), orientation)
    assert (region.x, region.y, region.w, region.h) == pytest.approx((0.25, 0.3, 0.25, 0.3), abs=0.01)


def test_nothing_is_written_unless_the_user_opted_in(catalog, settings, shared_photos, tmp_path):
    shutil.copytree(shared_photos / "immich" / "albums" / "text", tmp_path / "lib")
    scan(catalog, [str(tmp_path / "lib")], settings)
    catalog.set_rating([p.id for p in catalog.photos()], 3)
    assert _stage(catalog, settings) == {"enabled": False}
    assert not list((tmp_path / "lib").glob("*.xmp"))


@needs_exiftool
def test_a_named_face_of_a_sideways_photo_lands_on_the_face(catalog, on, shared_photos, tmp_path):
    src = shared_photos / "immich" / "metadata" / "faces" / "portrait-orientation-6.jpg"
    lib = tmp_path / "lib"
    lib.mkdir()
    shutil.copy2(src, lib / "curie.jpg")
    scan(catalog, [str(lib)], on)
    (photo,) = catalog.photos()
    assert catalog.query("SELECT orientation FROM photos WHERE id = ?", (photo.id,))[0][0] == 6
    run_stages(catalog, on, only=["faces"])
    faces = catalog.faces_of_photo(photo.id)
    assert faces, "the face of the sideways photo was not found"
    face = max(faces, key=lambda f: f.box[2])
    person = face.person_id or catalog.new_person()
    if face.person_id is None:
        catalog.move_face(face.id, person)
    catalog.name_person(person, "Marie Curie")
    out = _stage(catalog, on)
    assert out["written"] == 1, out

    tags = exiftool(lib / "curie.jpg.xmp")
    info = tags["XMP-mwg-rs:RegionInfo"]
    assert (info["AppliedToDimensions"]["W"], info["AppliedToDimensions"]["H"]) == (700, 840)  # as stored
    (region,) = [r for r in info["RegionList"] if r["Name"] == "Marie Curie"]
    area = region["Area"]
    # Stored -> upright for orientation 6 (the stored image is shown turned
    # clockwise): upright (u, v) = (1 - y, x), width and height swapped.
    u, v, w, h = 1 - area["Y"], area["X"], area["H"], area["W"]
    fx, fy, fw, fh = face.box
    assert (u, v, w, h) == pytest.approx((fx + fw / 2, fy + fh / 2, fw, fh), abs=0.002)
    # The photo's own embedded regions (written by another tool) say where
    # Marie Curie's face is: ours falls inside hers.
    theirs = [r for r in exiftool(lib / "curie.jpg")["XMP-mwg-rs:RegionInfo"]["RegionList"]
              if r["Name"] == "Marie Curie"][0]["Area"]
    tu, tv, tw, th = 1 - theirs["Y"], theirs["X"], theirs["H"], theirs["W"]
    assert abs(u - tu) < tw / 2 and abs(v - tv) < th / 2, ((u, v), (tu, tv, tw, th))
    assert "People|Marie Curie" in _as_list(tags["XMP-lr:HierarchicalSubject"])


def _album(catalog, photos, event):
    from photoorg.engine.albums.build import default_mode
    from photoorg.engine.albums.queries import AlbumProposal

    ids = catalog.sync_albums(default_mode(catalog), [AlbumProposal(
        "k1", "folder", None, tuple(p.id for p in photos), tuple(p.content_hash for p in photos), None, None,
        None)])["ids"]
    catalog.set_album_event(ids["k1"], event)
    return ids["k1"]


@needs_exiftool
def test_sidecars_follow_the_catalog_and_a_rescan_reads_them_back(catalog, on, shared_photos, tmp_path):
    lib = tmp_path / "lib"
    shutil.copytree(shared_photos / "immich" / "albums" / "nature", lib)
    (lib / "broken_sidecar.jpg").write_bytes((lib / "silver_fir.jpg").read_bytes() + b"\0")
    (lib / "broken_sidecar.jpg.xmp").write_text("this is not XMP")
    # Another tool gave the fir a colour label (and nothing else) in a sidecar.
    subprocess.run([EXIFTOOL, "-q", "-XMP-xmp:Label=Red", "-XMP-dc:Creator=Someone", str(lib / "silver_fir.jpg.xmp")],
                   check=True)
    scan(catalog, [str(lib)], on)
    photos = {p.path.rsplit("/", 1)[1]: p for p in catalog.photos()}
    assert len(photos) == 10
    falcon, rocks, fir = photos["prairie_falcon.jpg"], photos["el_torcal_rocks.jpg"], photos["silver_fir.jpg"]
    catalog.set_rating([falcon.id], 4)
    catalog.set_flag([rocks.id], "reject")
    assert fir.label == "Red"
    _album(catalog, [falcon, rocks], "NatureTrip")
    catalog.save_interest([{"content_hash": falcon.content_hash, "weights_key": "t", "prior": {"quality": 3.0},
                            "dims": {}}])

    out = _stage(catalog, on)
    # The falcon, the rocks (rating/flag and the album), the fir (label);
    # the broken sidecar is reported and left as it was.
    assert out["written"] == 3 and out["failed"] == 1 and "broken_sidecar" in out["errors"][0], out
    assert (lib / "broken_sidecar.jpg.xmp").read_text() == "this is not XMP"
    assert sorted(p.name for p in lib.glob("*.xmp")) == [
        "broken_sidecar.jpg.xmp", "el_torcal_rocks.jpg.xmp", "prairie_falcon.jpg.xmp", "silver_fir.jpg.xmp"]
    tags = exiftool(lib / "prairie_falcon.jpg.xmp")
    assert tags["XMP-xmp:Rating"] == 4
    assert {"Events|NatureTrip", "Interest|High interest"} <= set(_as_list(tags["XMP-lr:HierarchicalSubject"]))
    tags = exiftool(lib / "el_torcal_rocks.jpg.xmp")
    assert tags["XMP-xmp:Rating"] == -1 and tags["XMP-digiKam:PickLabel"] == 1
    assert {"Events/NatureTrip", "Curation/Rejected"} <= set(_as_list(tags["XMP-digiKam:TagsList"]))
    tags = exiftool(lib / "silver_fir.jpg.xmp")
    assert tags["XMP-xmp:Label"] == "Red" and _as_list(tags["XMP-dc:Creator"]) == ["Someone"]  # merged, not clobbered

    # Nothing changed: nothing written (the broken one is tried again).
    again = _stage(catalog, on)
    assert again["written"] == 0 and again["failed"] == 1, again
    # One change, one write; a rating taken away is cleared, not left behind.
    catalog.set_rating([falcon.id], None)
    (lib / "silver_fir.jpg.xmp").unlink()  # a sidecar deleted by hand comes back
    third = _stage(catalog, on)
    assert third["written"] == 2, third
    assert exiftool(lib / "prairie_falcon.jpg.xmp")["XMP-xmp:Rating"] == 0
    assert exiftool(lib / "silver_fir.jpg.xmp")["XMP-xmp:Label"] == "Red"
    catalog.set_rating([falcon.id], 5)
    assert _stage(catalog, on)["written"] == 1

    # Another tool changes a sidecar: the rescan reads it; the stage then
    # writes the catalog's (now equal) state back, keeping that tool's edit.
    subprocess.run([EXIFTOOL, "-q", "-overwrite_original", "-XMP-xmp:Rating=2", "-XMP-xmp:Label=Blue",
                    str(lib / "el_torcal_rocks.jpg.xmp")], check=True)
    scan(catalog, [str(lib)], on)
    row = catalog.query("SELECT rating, label FROM photos WHERE id = ?", (rocks.id,))[0]
    assert (row[0], row[1]) == (2, "Blue")
    _stage(catalog, on)
    tags = exiftool(lib / "el_torcal_rocks.jpg.xmp")
    assert (tags["XMP-xmp:Rating"], tags["XMP-xmp:Label"]) == (2, "Blue")

    # A new catalog of the same folder reads the ratings and labels back.
    with Catalog(tmp_path / "fresh.sqlite") as fresh:
        scan(fresh, [str(lib)], on)
        back = {p.path.rsplit("/", 1)[1]: p for p in fresh.photos()}
        assert back["prairie_falcon.jpg"].rating == 5
        assert (back["el_torcal_rocks.jpg"].rating, back["el_torcal_rocks.jpg"].label) == (2, "Blue")
        assert back["silver_fir.jpg"].label == "Red"
        assert "NatureTrip" in back["prairie_falcon.jpg"].keywords

"""Rescans after real-world changes: renames, edits, deletions, copies, files
replaced while they are read, odd folders and names, broken files, sidecars.

Photos come from scikit-image's bundled data (a registry package), saved as
small JPEGs; scans run inline (workers=1) so that hooks can change the disk
between the scanner's steps.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest
import xxhash
from PIL import Image

from photoorg.engine.catalog import Catalog
from photoorg.engine.imaging.thumbnails import thumb_path
from photoorg.engine.scan import extract as extract_mod
from photoorg.engine.scan import walker as walker_mod
from photoorg.engine.scan.scanner import NothingToScan, scan

SAMPLES = ("astronaut", "coffee", "chelsea", "rocket", "camera")


@pytest.fixture(scope="module")
def jpegs() -> list[bytes]:
    """Five distinct real photos as small JPEG files' bytes."""
    data = pytest.importorskip("skimage.data")
    out = []
    for name in SAMPLES:
        im = Image.fromarray(getattr(data, name)()).convert("RGB")
        im.thumbnail((320, 320))
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=90)
        out.append(buf.getvalue())
    return out


def write(path: Path | bytes, data: bytes, mtime: float | None = None) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def replace_atomically(path: str, data: bytes) -> None:
    """How editors and sync tools save: a new file renamed over the old."""
    tmp = path + ".new"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def h(data: bytes) -> str:
    return xxhash.xxh3_128_hexdigest(data)


def by_name(cat: Catalog, name: str, status: str = "ok"):
    rows = [p for p in cat.photos(status=status) if os.path.basename(p.path) == name]
    assert len(rows) == 1, (name, [p.path for p in cat.photos(status=status)])
    return rows[0]


@pytest.fixture
def lib(tmp_path) -> Path:
    root = tmp_path / "library"
    root.mkdir()
    return root


# -- identity across renames, moves, edits, deletions and copies -----------------


def test_renamed_and_moved_files_keep_their_id_and_analysis(catalog, settings, lib, jpegs):
    write(lib / "a.jpg", jpegs[0])
    write(lib / "b.jpg", jpegs[1])
    first = scan(catalog, [lib], settings)
    assert first.added == 2
    a = by_name(catalog, "a.jpg")
    catalog.mark_stage([a.content_hash], "embed", 1)
    assert [p.id for p in catalog.photos_needing_stage("embed", 1)] == [by_name(catalog, "b.jpg").id]

    os.rename(lib / "a.jpg", lib / "renamed.jpg")
    os.makedirs(lib / "2024" / "trip")
    os.rename(lib / "b.jpg", lib / "2024" / "trip" / "b.jpg")
    second = scan(catalog, [lib], settings)
    assert (second.added, second.moved, second.missing, second.updated) == (0, 2, 0, 0)
    renamed = by_name(catalog, "renamed.jpg")
    assert renamed.id == a.id and renamed.content_hash == a.content_hash
    assert by_name(catalog, "b.jpg").path == str(lib / "2024" / "trip" / "b.jpg")
    # The analysis went with it: the stage is still done for that photo.
    assert a.id not in [p.id for p in catalog.photos_needing_stage("embed", 1)]
    assert catalog.photo_count() == 2 and catalog.photo_count("missing") == 0


def test_file_moved_out_of_the_library_then_scanned_elsewhere_keeps_its_id(catalog, settings, tmp_path, jpegs):
    lib, elsewhere = tmp_path / "lib", tmp_path / "elsewhere"
    write(lib / "a.jpg", jpegs[0])
    scan(catalog, [lib], settings)
    original = by_name(catalog, "a.jpg")
    os.makedirs(elsewhere)
    shutil.move(lib / "a.jpg", elsewhere / "a.jpg")
    assert scan(catalog, [lib], settings).missing == 1
    assert by_name(catalog, "a.jpg", status="missing").id == original.id
    later = scan(catalog, [elsewhere], settings)
    assert (later.moved, later.added) == (1, 0)
    moved = by_name(catalog, "a.jpg")
    assert moved.id == original.id and moved.path == str(elsewhere / "a.jpg")


def test_modified_file_is_updated_in_place(catalog, settings, lib, jpegs):
    write(lib / "a.jpg", jpegs[0], mtime=1_600_000_000)
    scan(catalog, [lib], settings)
    before = by_name(catalog, "a.jpg")
    write(lib / "a.jpg", jpegs[1], mtime=1_600_000_100)  # edited and saved
    summary = scan(catalog, [lib], settings)
    assert (summary.updated, summary.added, summary.unchanged) == (1, 0, 0)
    after = by_name(catalog, "a.jpg")
    assert after.id == before.id
    assert after.content_hash == h(jpegs[1]) != before.content_hash
    assert after.size == len(jpegs[1]) and after.mtime_ns == 1_600_000_100 * 10**9
    assert thumb_path(settings.thumbs_dir, after.content_hash).exists()


def test_deleted_file_is_marked_missing_and_found_again_when_it_comes_back(catalog, settings, lib, jpegs, tmp_path):
    write(lib / "a.jpg", jpegs[0])
    write(lib / "b.jpg", jpegs[1])
    scan(catalog, [lib], settings)
    a = by_name(catalog, "a.jpg")
    backup = tmp_path / "backup.jpg"
    shutil.copy2(lib / "a.jpg", backup)
    os.unlink(lib / "a.jpg")
    gone = scan(catalog, [lib], settings)
    assert (gone.missing, gone.unchanged) == (1, 1)
    assert by_name(catalog, "a.jpg", status="missing").id == a.id  # kept, not dropped
    assert catalog.photo_count() == 1
    # Missing stays missing (and is not counted again) while the file is away.
    assert scan(catalog, [lib], settings).missing == 0
    shutil.copy2(backup, lib / "a.jpg")  # restored with its modification time
    back = scan(catalog, [lib], settings)
    assert (back.found_again, back.unchanged, back.added, back.missing) == (1, 2, 0, 0)
    assert by_name(catalog, "a.jpg").id == a.id and catalog.photo_count("missing") == 0
    # Restored without its modification time: read again, same photo.
    os.unlink(lib / "a.jpg")
    scan(catalog, [lib], settings)
    shutil.copyfile(backup, lib / "a.jpg")
    os.utime(lib / "a.jpg", (1_700_000_000, 1_700_000_000))
    again = scan(catalog, [lib], settings)
    assert (again.updated, again.added) == (1, 0)
    assert by_name(catalog, "a.jpg").id == a.id


def test_exact_copy_is_a_new_photo_with_the_same_content(catalog, settings, lib, jpegs):
    write(lib / "a.jpg", jpegs[0])
    scan(catalog, [lib], settings)
    shutil.copy2(lib / "a.jpg", lib / "a copy.jpg")
    summary = scan(catalog, [lib], settings)
    assert (summary.added, summary.moved, summary.unchanged) == (1, 0, 1)
    a, copy = by_name(catalog, "a.jpg"), by_name(catalog, "a copy.jpg")
    assert a.id != copy.id and a.content_hash == copy.content_hash == h(jpegs[0])
    # Analysis is per content: one photo stands for both.
    assert len(catalog.photos_needing_stage("embed", 1)) == 1


def test_copy_and_removal_of_the_original_in_one_go_is_a_move(catalog, settings, lib, jpegs):
    write(lib / "a.jpg", jpegs[0])
    write(lib / "b.jpg", jpegs[0])  # two copies of one picture
    scan(catalog, [lib], settings)
    ids = {p.id for p in catalog.photos()}
    os.rename(lib / "a.jpg", lib / "c.jpg")
    summary = scan(catalog, [lib], settings)
    assert (summary.moved, summary.added, summary.missing) == (1, 0, 0)
    assert {p.id for p in catalog.photos()} == ids


def test_trashed_photo_put_back_by_hand_is_found_again(catalog, settings, lib, jpegs):
    write(lib / "a.jpg", jpegs[0])
    scan(catalog, [lib], settings)
    a = by_name(catalog, "a.jpg")
    with catalog.write() as db:  # as curation records a file sent to the trash
        db.execute("UPDATE photos SET status = 'trashed' WHERE id = ?", (a.id,))
    summary = scan(catalog, [lib], settings)  # the file is (back) at its place
    assert (summary.added, summary.found_again) == (0, 1)
    assert by_name(catalog, "a.jpg").id == a.id
    os.unlink(lib / "a.jpg")
    with catalog.write() as db:
        db.execute("UPDATE photos SET status = 'trashed' WHERE id = ?", (a.id,))
    assert scan(catalog, [lib], settings).missing == 0  # trashed is not missing
    assert catalog.photo(a.id).status == "trashed"


def test_unchanged_rescan_costs_a_stat_not_a_read(catalog, settings, lib, jpegs, monkeypatch):
    for i, data in enumerate(jpegs):
        write(lib / f"{i}.jpg", data)
    scan(catalog, [lib], settings)

    def no_reading(*args):
        raise AssertionError("an unchanged file was read")

    monkeypatch.setattr("photoorg.engine.scan.scanner.extract", no_reading)
    summary = scan(catalog, [lib], settings)
    assert summary.unchanged == len(jpegs) and not summary.skipped


# -- files that change while the scan runs -------------------------------------------


def test_file_replaced_between_listing_and_reading(catalog, settings, lib, jpegs, monkeypatch):
    write(lib / "a.jpg", jpegs[0], mtime=1_600_000_000)
    real_read = extract_mod._read

    def replace_first(path):
        if not calls:
            calls.append(path)
            replace_atomically(path, jpegs[1])
        return real_read(path)

    calls: list[str] = []
    monkeypatch.setattr(extract_mod, "_read", replace_first)
    summary = scan(catalog, [lib], settings)
    assert summary.added == 1 and calls
    photo = by_name(catalog, "a.jpg")
    # What is catalogued is the file that was read, with its own size and time.
    assert photo.content_hash == h(jpegs[1]) and photo.size == len(jpegs[1])
    assert photo.mtime_ns == os.stat(lib / "a.jpg").st_mtime_ns
    monkeypatch.undo()
    assert scan(catalog, [lib], settings).unchanged == 1


def test_file_replaced_while_it_is_read_is_read_again(catalog, settings, lib, jpegs, monkeypatch):
    write(lib / "a.jpg", jpegs[0])
    real_hash = extract_mod.content_hash_of
    reads: list[int] = []

    def replace_during_first_read(data):
        reads.append(len(data))
        if len(reads) == 1:
            replace_atomically(str(lib / "a.jpg"), jpegs[2])
        return real_hash(data)

    monkeypatch.setattr(extract_mod, "content_hash_of", replace_during_first_read)
    summary = scan(catalog, [lib], settings)
    assert reads == [len(jpegs[0]), len(jpegs[2])]
    assert summary.added == 1 and not summary.skipped
    assert by_name(catalog, "a.jpg").content_hash == h(jpegs[2])  # never a mix of both versions


def test_file_that_keeps_changing_is_skipped_and_read_on_the_next_scan(catalog, settings, lib, jpegs, monkeypatch):
    write(lib / "a.jpg", jpegs[0])
    write(lib / "b.jpg", jpegs[1])
    real_hash = extract_mod.content_hash_of
    turn = [0]

    def always_changing(data):
        if data in (jpegs[0], jpegs[3]):
            turn[0] += 1
            replace_atomically(str(lib / "a.jpg"), jpegs[3] if turn[0] % 2 else jpegs[0])
        return real_hash(data)

    monkeypatch.setattr(extract_mod, "content_hash_of", always_changing)
    summary = scan(catalog, [lib], settings)
    assert summary.added == 1  # b.jpg: the scan went on
    [skip] = summary.skipped
    assert skip["path"] == str(lib / "a.jpg") and "kept changing" in skip["reason"]
    # A passing state is not remembered as the file's fault.
    assert catalog.known_skipped_under([str(lib)]) == {}
    monkeypatch.undo()
    later = scan(catalog, [lib], settings)
    assert (later.added, later.skipped) == (1, [])


def test_file_vanishing_before_it_is_read_is_missing_not_skipped(catalog, settings, lib, jpegs, monkeypatch):
    write(lib / "a.jpg", jpegs[0], mtime=1_600_000_000)
    write(lib / "new.jpg", jpegs[1])
    scan(catalog, [lib], settings)
    os.unlink(lib / "new.jpg")
    write(lib / "a.jpg", jpegs[2], mtime=1_600_000_100)  # changed: will be read
    write(lib / "new.jpg", jpegs[1])
    real_read = extract_mod._read

    def delete_then_read(path):
        os.unlink(path)
        return real_read(path)

    monkeypatch.setattr(extract_mod, "_read", delete_then_read)
    summary = scan(catalog, [lib], settings)
    assert summary.skipped == [] and summary.missing == 2
    assert catalog.photo_count() == 0 and catalog.photo_count("missing") == 2


# -- folders: links, loops, permissions, vanishing ---------------------------------------


def test_symlink_loop_and_second_link_list_each_photo_once(catalog, settings, lib, jpegs):
    write(lib / "real" / "a.jpg", jpegs[0])
    write(lib / "real" / "deeper" / "b.jpg", jpegs[1])
    os.symlink(lib, lib / "real" / "deeper" / "loop")  # back up to the root
    os.symlink(lib / "real", lib / "second-link")  # the same folder twice
    os.symlink("self.jpg", lib / "self.jpg")  # a link to itself (ELOOP)
    os.symlink(lib / "nowhere.jpg", lib / "dangling.jpg")
    os.symlink(lib / "real" / "a.jpg", lib / "link-to-a.jpg")  # the same file twice
    summary = scan(catalog, [lib], settings)
    assert (summary.added, summary.skipped) == (2, [])
    paths = sorted(p.path for p in catalog.photos())
    again = scan(catalog, [lib], settings)
    assert (again.unchanged, again.added, again.missing, again.skipped) == (2, 0, 0, [])
    assert sorted(p.path for p in catalog.photos()) == paths  # the same names every time


def test_overlapping_roots_list_each_photo_once(catalog, settings, lib, jpegs):
    write(lib / "a.jpg", jpegs[0])
    write(lib / "sub" / "b.jpg", jpegs[1])
    summary = scan(catalog, [lib / "sub", lib, str(lib) + "/"], settings)
    assert summary.added == 2 and not summary.skipped
    assert scan(catalog, [lib / "sub"], settings).unchanged == 1


def test_unlistable_folder_is_reported_and_its_photos_are_not_marked_missing(catalog, settings, lib, jpegs, monkeypatch):
    write(lib / "open" / "a.jpg", jpegs[0])
    write(lib / "private" / "b.jpg", jpegs[1])
    write(lib / "private" / "inner" / "c.jpg", jpegs[2])
    assert scan(catalog, [lib], settings).added == 3
    blocked = str(lib / "private")
    real_scandir = os.scandir

    def scandir(path="."):
        if path == blocked:  # what chmod 000 does for a user other than root
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(walker_mod.os, "scandir", scandir)
    write(lib / "open" / "new.jpg", jpegs[3])
    summary = scan(catalog, [lib], settings)
    assert (summary.added, summary.unchanged, summary.missing) == (1, 1, 0)
    assert summary.skipped == [{"path": blocked, "reason": "permission denied: the folder cannot be listed"}]
    assert catalog.photo_count() == 4 and catalog.photo_count("missing") == 0


def test_folder_vanishing_mid_scan(catalog, settings, lib, jpegs, monkeypatch):
    write(lib / "a" / "1.jpg", jpegs[0])
    write(lib / "b" / "2.jpg", jpegs[1])
    write(lib / "c" / "3.jpg", jpegs[2])
    scan(catalog, [lib], settings)
    doomed = str(lib / "b")
    real_scandir = os.scandir

    def scandir(path="."):
        if path == doomed:  # deleted after its parent was listed
            shutil.rmtree(doomed)
        return real_scandir(path)

    monkeypatch.setattr(walker_mod.os, "scandir", scandir)
    summary = scan(catalog, [lib], settings)
    assert (summary.unchanged, summary.missing, summary.skipped) == (2, 1, [])
    assert by_name(catalog, "2.jpg", status="missing")


def test_hidden_files_and_program_folders_are_not_photos(catalog, settings, lib, jpegs):
    write(lib / "a.jpg", jpegs[0])
    write(lib / "._a.jpg", b"\x00\x05\x16\x07AppleDouble resource fork")
    write(lib / ".hidden" / "b.jpg", jpegs[1])
    write(lib / "@eaDir" / "a.jpg" / "SYNOPHOTO_THUMB_XL.jpg", jpegs[1])
    summary = scan(catalog, [lib], settings)
    assert (summary.added, summary.skipped) == (1, [])


def test_scanning_only_folders_that_do_not_exist_is_an_error(catalog, settings, tmp_path, lib, jpegs):
    with pytest.raises(NothingToScan, match="no such folder"):
        scan(catalog, [tmp_path / "typo"], settings)
    write(lib / "a.jpg", jpegs[0])
    summary = scan(catalog, [lib, tmp_path / "typo"], settings)
    assert summary.added == 1
    assert summary.skipped == [{"path": str(tmp_path / "typo"), "reason": "folder not found"}]


def test_unplugged_root_does_not_mark_its_photos_missing(catalog, settings, tmp_path, jpegs):
    disk, other = tmp_path / "disk", tmp_path / "other"
    write(disk / "a.jpg", jpegs[0])
    write(other / "b.jpg", jpegs[1])
    scan(catalog, [disk, other], settings)
    os.rename(disk, tmp_path / "unplugged")
    summary = scan(catalog, [disk, other], settings)
    assert summary.missing == 0 and catalog.photo_count() == 2
    assert summary.skipped[0]["reason"] == "folder not found"


# -- names that are not UTF-8 -------------------------------------------------------------


def test_non_utf8_names_are_scanned_stored_shown_and_opened_again(catalog, settings, lib, jpegs):
    base = os.fsencode(lib)
    folder = base + b"/Caf\xe9 2019"  # Latin-1, as old cameras and Windows shares write
    write(folder + b"/\xff\xfephoto.jpg", jpegs[0])
    write(base + b"/ok-\xe9.jpg", jpegs[1])
    write(base + b"/broken-\xe9.jpg", b"not an image at all")
    summary = scan(catalog, [lib], settings)
    assert summary.added == 2
    assert summary.skipped[0]["path"] == str(lib / "broken-\\xe9.jpg")  # printable
    photos = {os.fsencode(p.path): p for p in catalog.photos()}
    assert set(photos) == {folder + b"/\xff\xfephoto.jpg", base + b"/ok-\xe9.jpg"}
    photo = photos[folder + b"/\xff\xfephoto.jpg"]
    assert photo.display_path == str(lib) + "/Caf\\xe9 2019/\\xff\\xfephoto.jpg"
    photo.display_path.encode("utf-8")  # valid text for the window and JSON
    with open(photo.path, "rb") as fh:  # the stored path opens the very file
        assert h(fh.read()) == photo.content_hash
    with Image.open(photo.path) as im:
        assert im.size == Image.open(io.BytesIO(jpegs[0])).size
    again = scan(catalog, [lib], settings)
    assert (again.unchanged, again.added, again.missing, len(again.skipped)) == (2, 0, 0, 1)
    os.rename(folder + b"/\xff\xfephoto.jpg", base + b"/renamed.jpg")
    moved = scan(catalog, [lib], settings)
    assert (moved.moved, moved.added) == (1, 0)
    assert catalog.photo(photo.id).path == str(lib / "renamed.jpg")


# -- broken files -----------------------------------------------------------------------------


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size (a decompression bomb's header)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def _jpeg_claiming(data: bytes, width: int, height: int) -> bytes:
    """A real JPEG whose frame header (SOF0) claims another size."""
    sof = data.index(b"\xff\xc0")
    return data[: sof + 5] + struct.pack(">HH", height, width) + data[sof + 9:]


def test_broken_files_are_skipped_with_reasons_and_the_scan_goes_on(catalog, settings, lib, jpegs):
    png = io.BytesIO()
    Image.open(io.BytesIO(jpegs[2])).save(png, "PNG")
    write(lib / "good.jpg", jpegs[0])
    write(lib / "empty.jpg", b"")
    write(lib / "truncated.jpg", jpegs[1][: len(jpegs[1]) // 2])
    write(lib / "notes.jpg", b"shopping list: milk, eggs\n" * 20)
    write(lib / "png-named.jpg", png.getvalue())
    write(lib / "bomb.png", _png_header_only(30000, 30000))
    write(lib / "bomb.jpg", _jpeg_claiming(jpegs[3], 60000, 60000))
    write(lib / "zz-good.jpg", jpegs[4])
    summary = scan(catalog, [lib], settings)
    reasons = {os.path.basename(s["path"]): s["reason"] for s in summary.skipped}
    assert set(reasons) == {"empty.jpg", "truncated.jpg", "notes.jpg", "bomb.png", "bomb.jpg"}
    assert reasons["empty.jpg"] == "empty file (0 bytes)"
    assert reasons["truncated.jpg"].startswith("file is truncated")
    assert reasons["notes.jpg"].startswith("not a readable image: its content matches no supported format")
    assert "900 megapixels (30000x30000)" in reasons["bomb.png"] and "decompression-bomb" in reasons["bomb.png"]
    assert "3600 megapixels" in reasons["bomb.jpg"]
    # A PNG with a .jpg name is still a photo: catalogued as what it is.
    assert by_name(catalog, "png-named.jpg").format == "PNG"
    assert summary.added == 3 and {p.path for p in catalog.photos()} >= {str(lib / "good.jpg"), str(lib / "zz-good.jpg")}
    # Unchanged broken files are not read again, and stay listed.
    again = scan(catalog, [lib], settings)
    assert {os.path.basename(s["path"]): s["reason"] for s in again.skipped} == reasons
    assert again.unchanged == 3
    # A broken file that gets repaired is read and added; a deleted one is forgotten.
    write(lib / "truncated.jpg", jpegs[1])
    os.unlink(lib / "notes.jpg")
    fixed = scan(catalog, [lib], settings)
    assert fixed.added == 1 and len(fixed.skipped) == 3
    assert set(catalog.known_skipped_under([str(lib)])) == {str(lib / n) for n in ("empty.jpg", "bomb.png", "bomb.jpg")}


def test_videos_are_recorded_not_analysed(catalog, settings, lib, jpegs):
    import subprocess

    from photoorg.engine.story.ffmpeg import ffmpeg_exe

    write(lib / "a.jpg", jpegs[0])
    subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x36:rate=5",
                    "-t", "1", "-c:v", "libx264", str(lib / "clip.mp4")], check=True)
    write(lib / "MOVIE.MOV", os.urandom(2048))  # not a video: skipped with its reason (video/reader.check_job)
    summary = scan(catalog, [lib], settings)
    assert (summary.added, summary.videos) == (1, 1)
    assert [(os.path.basename(s["path"]), s["reason"][:20]) for s in summary.skipped] == [
        ("MOVIE.MOV", "not a readable video")]
    rows = catalog.query("SELECT path, size, status FROM videos ORDER BY path")
    assert [(os.path.basename(r["path"]), r["size"], r["status"]) for r in rows] == [
        ("clip.mp4", os.path.getsize(lib / "clip.mp4"), "ok")]
    os.unlink(lib / "clip.mp4")
    scan(catalog, [lib], settings)
    assert catalog.scalar("SELECT status FROM videos WHERE path LIKE '%clip.mp4'") == "missing"


# -- XMP sidecars -----------------------------------------------------------------------------------

SIDECAR = """<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmp:Rating="{rating}" xmp:Label="{label}"><dc:subject><rdf:Bag><rdf:li>{keyword}</rdf:li></rdf:Bag></dc:subject>
</rdf:Description></rdf:RDF></x:xmpmeta>"""


def test_sidecar_rating_is_read_and_a_changed_sidecar_is_read_again(catalog, settings, lib, jpegs):
    write(lib / "a.jpg", jpegs[0], mtime=1_600_000_000)
    write(lib / "a.jpg.xmp", SIDECAR.format(rating=4, label="Green", keyword="beach").encode(), mtime=1_600_000_000)
    write(lib / "b.JPG", jpegs[1])
    write(lib / "b.xmp", SIDECAR.format(rating=1, label="Red", keyword="city").encode())
    scan(catalog, [lib], settings)
    a = by_name(catalog, "a.jpg")
    assert (a.rating, a.label, a.keywords) == (4, "Green", ("beach",))
    assert by_name(catalog, "b.JPG").rating == 1

    # Another program changes the rating: only the sidecar's time changes.
    write(lib / "a.jpg.xmp", SIDECAR.format(rating=2, label="Blue", keyword="sea").encode(), mtime=1_600_000_500)
    assert os.stat(lib / "a.jpg").st_mtime_ns == 1_600_000_000 * 10**9
    summary = scan(catalog, [lib], settings)
    assert (summary.updated, summary.unchanged) == (1, 1)
    a2 = by_name(catalog, "a.jpg")
    assert a2.id == a.id and (a2.rating, a2.label, a2.keywords) == (2, "Blue", ("sea",))
    # The sidecar is removed: the photo's own metadata is all there is.
    os.unlink(lib / "a.jpg.xmp")
    scan(catalog, [lib], settings)
    assert by_name(catalog, "a.jpg").rating is None


def test_sidecar_wins_over_the_rating_inside_the_file(catalog, settings, lib, shared_photos):
    shutil.copy2(shared_photos / "immich/metadata/rating/mongolels.jpg", lib / "m.jpg")
    scan(catalog, [lib], settings)
    assert by_name(catalog, "m.jpg").rating == 3  # from the file's embedded XMP
    write(lib / "m.xmp", SIDECAR.format(rating=5, label="", keyword="steppe").encode())
    scan(catalog, [lib], settings)
    assert by_name(catalog, "m.jpg").rating == 5


def test_names_that_read_the_same_do_not_stop_the_scan(catalog, settings, lib, jpegs):
    # b"\xe9" is shown as the four characters "\xe9", which another file may
    # really be called: the second cannot take the first one's place.
    write(os.fsencode(lib) + b"/caf\xe9.jpg", jpegs[0])
    write(lib / "caf\\xe9.jpg", jpegs[1])
    write(lib / "z.jpg", jpegs[2])
    summary = scan(catalog, [lib], settings)
    assert summary.added == 2 and catalog.photo_count() == 2
    [skip] = summary.skipped
    assert skip["path"] == str(lib / "caf\\xe9.jpg") and "cannot be stored in the catalog" in skip["reason"]


def test_unreadable_file_is_tried_again_on_every_scan(catalog, settings, lib, jpegs, monkeypatch):
    write(lib / "a.jpg", jpegs[0])
    real_read = extract_mod._read

    def denied(path):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(extract_mod, "_read", denied)
    first = scan(catalog, [lib], settings)
    assert first.skipped == [{"path": str(lib / "a.jpg"), "reason": "permission denied: the file cannot be read"}]
    monkeypatch.setattr(extract_mod, "_read", real_read)  # permissions fixed: the file itself did not change
    assert scan(catalog, [lib], settings).added == 1

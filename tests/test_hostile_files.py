"""Bounded work per file: names, sidecars and headers built to hang, flood or
crash a scan are skipped with a reason (or ignored while the photo is added),
quickly; damaged files are remembered until they change, passing errors are
tried again."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from photoorg.engine.errors import DecodeError
from photoorg.engine.imaging.decode import decode, decode_thumbnail
from photoorg.engine.scan import scanner as scanner_module
from photoorg.engine.scan.scanner import scan
from photoorg.engine.settings import Preferences
from photoorg.engine.xmp import read as xmp_read

from test_curation_support import copy_unique, source_photos

SIDECAR = """<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmp:Rating="{rating}"><dc:subject><rdf:Bag>{keywords}</rdf:Bag></dc:subject></rdf:Description>
</rdf:RDF></x:xmpmeta>"""


def _sidecar(path: Path, rating: str = "3", keywords: int = 2) -> None:
    items = "".join(f"<rdf:li>kw{i}</rdf:li>" for i in range(keywords))
    path.write_text(SIDECAR.format(rating=rating, keywords=items))


@pytest.fixture
def lib(tmp_path, shared_photos):
    folder = tmp_path / "lib"
    sources = source_photos(shared_photos)
    return folder, [copy_unique(sources[i], folder / f"IMG_{i}.jpg", f"h{i}") for i in range(4)]


def test_infinite_nan_and_huge_ratings_keep_the_photo(catalog, settings, lib):
    folder, photos = lib
    for photo, rating in zip(photos, ["inf", "NaN", "1e400", "-Infinity"]):
        _sidecar(Path(str(photo) + ".xmp"), rating)
    summary = scan(catalog, [str(folder)], settings)
    assert summary.added == 4 and not summary.skipped
    assert {p.rating for p in catalog.photos()} <= {None, -1, 5}  # ignored or clamped, never an error
    assert xmp_read.parse(SIDECAR.format(rating="1e400", keywords="").encode()).rating is None


def test_fifo_and_device_sidecars_and_photos_do_not_hang_the_scan(settings, lib, tmp_path):
    folder, photos = lib
    os.mkfifo(str(photos[0]) + ".xmp")  # photo.jpg.xmp as a FIFO: opening it for reading would block
    os.mkfifo(folder / "pipe.jpg")
    os.symlink("/dev/zero", folder / "IMG_1.xmp")  # a sidecar that never ends
    code = ("import sys, json; from photoorg.engine.catalog import Catalog; from photoorg.engine.settings import "
            "Settings; from photoorg.engine.scan.scanner import scan\n"
            "s = Settings.for_catalog(sys.argv[1], workers=1)\n"
            "with Catalog(s.catalog_path) as c:\n    r = scan(c, [sys.argv[2]], s)\n"
            "print(json.dumps(r.to_json()))")
    run = subprocess.run([sys.executable, "-c", code, str(tmp_path / "c.sqlite"), str(folder)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    import json
    result = json.loads(run.stdout)
    assert result["added"] == 4
    reasons = {Path(s["path"]).name: s["reason"] for s in result["skipped"]}
    assert "named pipe" in reasons["IMG_0.jpg.xmp"] and "never opened" in reasons["IMG_0.jpg.xmp"]
    assert "device" in reasons["IMG_1.xmp"]
    assert "pipe.jpg" not in reasons  # not a file: not a photo, never opened


def test_huge_sidecars_are_skipped_with_a_message_and_keywords_are_capped(catalog, settings, lib):
    folder, photos = lib
    with open(str(photos[0]) + ".xmp", "wb") as fh:  # 50 MB (sparse)
        fh.truncate(50 * 1024 * 1024)
    _sidecar(Path(str(photos[1]) + ".xmp"), "2", keywords=100_000)  # 2.6 MB, under the size cap
    started = time.monotonic()
    summary = scan(catalog, [str(folder)], settings)
    seconds = time.monotonic() - started
    assert summary.added == 4
    reasons = {Path(s["path"]).name: s["reason"] for s in summary.skipped}
    assert "MB" in reasons["IMG_0.jpg.xmp"] and "limit" in reasons["IMG_0.jpg.xmp"]
    flooded = next(p for p in catalog.photos() if p.path == str(photos[1]))
    import json
    keywords = list(flooded.keywords) if not isinstance(flooded.keywords, str) else json.loads(flooded.keywords)
    assert len(keywords) == xmp_read.MAX_KEYWORDS and keywords[:2] == ["kw0", "kw1"]
    assert flooded.rating == 2
    assert seconds < 30, f"the scan took {seconds:.0f}s (196 s for one photo before the keyword cap)"


def _avif_bomb(shared: Path, dest: Path) -> Path:
    """The 46 KB AVIF of the shared photos with its header (ispe) declaring
    13000 x 13000 pixels: 169 MP, under the megapixel limit, 1.7 GB to decode."""
    data = bytearray((shared / "exif" / "avif" / "mountains.avif").read_bytes())
    at = data.find(b"ispe")
    data[at + 8:at + 16] = struct.pack(">II", 13000, 13000)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(bytes(data))
    return dest


def test_a_small_file_declaring_a_huge_image_is_refused_from_its_header(catalog, settings, shared_photos, tmp_path):
    bomb = _avif_bomb(shared_photos, tmp_path / "lib" / "bomb.avif")
    started = time.monotonic()
    summary = scan(catalog, [str(tmp_path / "lib")], settings)
    assert summary.added == 0
    (entry,) = summary.skipped
    assert "13000x13000" in entry["reason"] and "decompression-bomb" in entry["reason"]
    # The later stages' decoders refuse it too, before decoding.
    for call in (lambda: decode(str(bomb), name=bomb.name, target=224),
                 lambda: decode_thumbnail(str(bomb), 384, name=bomb.name)):
        with pytest.raises(DecodeError, match="decompression-bomb"):
            call()
    assert time.monotonic() - started < 10  # decoding it took 17 s and 1.7 GB
    # A real photo of that size is not refused: the density check needs a tiny file.
    real = shared_photos / "immich" / "formats" / "avif" / "8bit-sRGB.avif"
    assert decode_thumbnail(str(real), 64, name=real.name).size[0] <= 64


def test_damaged_files_are_remembered_passing_errors_tried_again(catalog, settings, shared_photos, tmp_path,
                                                               monkeypatch):
    folder = tmp_path / "lib"
    folder.mkdir()
    jxl = (shared_photos / "exif" / "jxl" / "test_0001.jxl").read_bytes()
    middle = len(jxl) // 2
    (folder / "damaged.jxl").write_bytes(jxl[:middle] + bytes(b ^ 0x5A for b in jxl[middle:middle + 64])
                                         + jxl[middle + 64:])
    copy_unique(source_photos(shared_photos)[0], folder / "locked.jpg", "locked")
    from photoorg.engine.scan import extract as extract_module
    real_open = extract_module.open_regular

    def denied(path):
        if path.endswith("locked.jpg"):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path)
    monkeypatch.setattr(extract_module, "open_regular", denied)
    first = scan(catalog, [str(folder)], settings)
    reasons = {Path(s["path"]).name: s["reason"] for s in first.skipped}
    assert "JPEG XL" in reasons["damaged.jxl"] and "libjxl" not in reasons["damaged.jxl"]
    assert "permission denied" in reasons["locked.jpg"]
    read_again = []
    original = scanner_module.extract
    monkeypatch.setattr(scanner_module, "extract", lambda task, config: read_again.append(
        os.path.basename(task.path)) or original(task, config))
    second = scan(catalog, [str(folder)], settings)
    assert read_again == ["locked.jpg"]  # the damaged file is not read again until it changes
    assert {Path(s["path"]).name for s in second.skipped} == {"damaged.jxl", "locked.jpg"}
    os.utime(folder / "damaged.jxl", ns=(1, 1))  # changed: read again
    read_again.clear()
    scan(catalog, [str(folder)], settings)
    assert sorted(read_again) == ["damaged.jxl", "locked.jpg"]


def test_a_file_name_that_is_not_utf8_does_not_break_the_sidecars_stage(catalog, settings, lib):
    folder, photos = lib
    odd = os.path.join(os.fsencode(str(folder)), b"caf\xe9 \xff.jpg")
    os.rename(photos[0], odd)
    scan(catalog, [str(folder)], settings)
    with catalog.write() as db:
        db.execute("UPDATE photos SET rating = 4")
    on = settings.with_prefs(Preferences(xmp_write=True))
    from photoorg.engine.progress import CancelToken
    from photoorg.engine.xmp import stage
    summary = stage.run(catalog, on, lambda p: None, CancelToken())
    assert summary["written"] == 4 and summary["failed"] == 0
    assert os.path.exists(odd + b".xmp")
    again = stage.run(catalog, on, lambda p: None, CancelToken())  # and the next run too
    assert again["failed"] == 0


def test_a_damaged_exif_block_costs_at_most_the_time_budget(catalog, settings, shared_photos, tmp_path):
    """Found by tests/bench/fuzz_scan.py: 19 bytes dropped from a 57 KB HEIC
    kept exifread busy for 25-50 s. The EXIF is read under a time budget."""
    from photoorg.engine.scan import exif_fields
    data = bytearray((shared_photos / "heif" / "heif_other" / "L_exif_xmp_iptc.heic").read_bytes())
    del data[95:95 + 19]
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "damaged.heic").write_bytes(bytes(data))
    started = time.monotonic()
    summary = scan(catalog, [str(tmp_path / "lib")], settings)
    assert time.monotonic() - started < exif_fields.EXIF_SECONDS + 8
    assert len(summary.skipped) + summary.added == 1

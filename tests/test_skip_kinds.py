"""Every skipped file carries the product's classification ("kind") beside its
human-readable reason; tests and scripts rely on the kind, never on wording."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

from photoorg.engine.scan.scanner import scan
from photoorg.engine.scan.skip_kinds import KINDS, kind_of


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header announces width x height (no pixel data needed: the
    size guard must act on the header alone)."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def _jpeg(size=(320, 240)) -> bytes:
    buf = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(buf, "JPEG", quality=90)
    return buf.getvalue()


def test_the_product_reasons_map_to_their_kinds():
    cases = {
        "empty file (0 bytes)": "empty",
        "file is truncated: it ends inside the image header": "truncated",
        "not a readable image: its content matches no supported format (named .jpg)": "unreadable",
        "corrupted image header: cannot identify": "corrupted",
        "image data is corrupted: Invalid input: Unexpected end of file": "corrupted",
        "the image decoder crashed on this file (damaged or unsupported data)": "corrupted",
        "image is 400 megapixels (20000x20000), above the 179 MP safety limit": "too-large",
        "RAW file is truncated or not supported by LibRaw (b'Input/output error')": "raw-unsupported",
        "permission denied: the file cannot be read": "permission-denied",
        "folder not found": "not-found",
        "file kept changing while it was read; it will be read on the next scan": "changing",
        # The hostile-input guards (walls, special files, bombs, size limits).
        "a link to a folder outside the library (/usr/share): not followed": "outside-library",
        "image declares 169 megapixels (13000x13000) in only 46 KB, far fewer bytes": "too-large",
        "JPEG XL data is corrupted or uses a feature the JPEG XL decoder does not support": "corrupted",
        "a named pipe (FIFO), not a file: never opened for reading": "not-a-file",
        "the sidecar is 50.0 MB, above the 4 MB limit for a sidecar: ignored": "too-large",
        "file is truncated or damaged after its first image (GIF)": "truncated",
    }
    for reason, kind in cases.items():
        assert kind_of(reason) == kind, reason
        assert kind in KINDS
    # A reason the table does not know is not forced into a wrong kind.
    assert kind_of("something new went wrong") == "other"


def test_scan_json_gives_each_skip_a_kind_and_a_reason(settings, catalog, tmp_path):
    library = tmp_path / "library"
    library.mkdir()
    good = _jpeg()
    (library / "good.jpg").write_bytes(good)
    (library / "empty.jpg").write_bytes(b"")
    (library / "notes.jpg").write_text("shopping list: milk, eggs\n" * 20)
    (library / "cut.jpg").write_bytes(good[: len(good) // 2])
    (library / "huge.png").write_bytes(_png_header_only(20000, 20000))
    gone = tmp_path / "unplugged-disk"

    result = scan(catalog, [str(library), str(gone)], settings).to_json()

    assert result["added"] == 1
    kinds = {item["path"].rsplit("/", 1)[-1]: item["kind"] for item in result["skipped"]}
    assert kinds == {"empty.jpg": "empty", "notes.jpg": "unreadable", "cut.jpg": "truncated",
                     "huge.png": "too-large", "unplugged-disk": "not-found"}
    for item in result["skipped"]:
        # The reason stays a sentence for people; the kind is one of the known words.
        assert item["kind"] in KINDS and item["kind"] != "other"
        assert len(item["reason"].split()) >= 2, item

    # A rescan reports the remembered skips (from the catalog) with the same kinds.
    again = scan(catalog, [str(library), str(gone)], settings).to_json()
    assert {i["path"]: i["kind"] for i in again["skipped"]} == {i["path"]: i["kind"] for i in result["skipped"]}

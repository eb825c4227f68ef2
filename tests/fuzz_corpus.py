"""Mutated photos and sidecars for the fuzz tests (no tests of its own).

Seeds are real files from ../shared/photos, one or more per format the
scanner reads (JPEG, PNG, HEIC, AVIF, WebP, TIFF, GIF, JPEG XL, RAW) and
real XMP sidecars. A mutation is what damage and hostility look like: flipped
bytes, a cut-off end, a block repeated or dropped, header fields set to
extremes, a splice of two files; sidecars get huge or non-finite ratings,
keyword floods, deep nesting, entity declarations and random bytes.
``scan_check`` is the property both fuzzers assert on a scan's result.
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path
from typing import Iterable, Optional

SEEDS = [
    "exif/jpg/Canon_40D.jpg", "immich/albums/nature/notocactus_minimus.jpg", "exif/jpg/xmp/BlueSquare.jpg",
    "heif/non_heif/RGBA_8__128x128.png", "heif/non_heif/xmp.png", "immich/formats/png/density_plot.png",
    "heif/heif/zPug_3.heic", "heif/heif_other/L_exif_xmp_iptc.heic",
    "exif/avif/mountains.avif",
    "heif/non_heif/xmp.webp", "immich/formats/webp/denali.webp",
    "exif/tiff/Arbitro.tiff", "heif/non_heif/xmp.tiff",
    "heif/non_heif/chi.gif",
    "exif/jxl/test_0001.jxl",
    "raw/RAW_KODAK_DC50.KDC", "exif/raw/nikon_z_9_high_efficiency_compressed_dx_cropped_max_overexposed.dng",
]
SIDECAR_SEEDS = ["immich/metadata/xmp/dates/2000.xmp", "immich/problems/xmp/iso-value-array/iso-value-array.xmp"]
# Values a hostile or broken file puts where a number belongs.
EXTREMES = [b"\x00\x00", b"\xff\xff", b"\x7f\xff\xff\xff", b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x80\x00"]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to three damaging edits of a file's bytes."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        if not out:
            break
        op = rng.randrange(7)
        at = rng.randrange(len(out))
        if op == 0:  # flipped bytes
            for _ in range(rng.randint(1, 16)):
                i = rng.randrange(len(out))
                out[i] ^= 1 << rng.randrange(8)
        elif op == 1:  # cut off
            del out[max(8, at):]
        elif op == 2:  # a block repeated
            n = rng.randint(1, 4096)
            out[at:at] = out[at:at + n] * rng.randint(1, 8)
        elif op == 3:  # a block dropped
            del out[at:at + rng.randint(1, 2048)]
        elif op == 4:  # a header field set to an extreme (the first KB holds the headers)
            i = rng.randrange(min(len(out), 1024))
            value = rng.choice(EXTREMES)
            out[i:i + len(value)] = value
        elif op == 5:  # random bytes
            n = rng.randint(1, 256)
            out[at:at + n] = bytes(rng.randrange(256) for _ in range(n))
        else:  # zeros
            n = rng.randint(1, 4096)
            out[at:at + n] = bytes(n)
    return bytes(out)


def mutate_xmp(text: str, rng: random.Random) -> bytes:
    """A sidecar made hostile: impossible values, floods, nesting, entities,
    or just damaged bytes."""
    op = rng.randrange(8)
    if op == 0:
        value = rng.choice(["inf", "-inf", "NaN", "1e400", "-1e400", "99999999999999999999", "", "3.5.1", "★"])
        text = re.sub(r'xmp:Rating="[^"]*"', f'xmp:Rating="{value}"', text)
        if "xmp:Rating" not in text:
            text = text.replace("<rdf:Description ", f'<rdf:Description xmp:Rating="{value}" ', 1)
        return text.encode()
    if op == 1:  # a keyword flood
        items = "".join(f"<rdf:li>k{i}</rdf:li>" for i in range(rng.randint(1000, 20000)))
        return text.replace("</rdf:Description>", f"<dc:subject><rdf:Bag>{items}</rdf:Bag></dc:subject>"
                            "</rdf:Description>", 1).encode()
    if op == 2:  # deep nesting
        depth = rng.randint(100, 5000)
        return text.replace("</rdf:Description>", "<a>" * depth + "</a>" * depth + "</rdf:Description>", 1).encode()
    if op == 3:  # entity expansion ("billion laughs")
        bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]>'
        return (bomb + text.replace("<rdf:Description ", "<rdf:Description dc:title=\"&b;\" ", 1)).encode()
    if op == 4:  # odd dates
        value = rng.choice(["0000-00-00", "9999-99-99T99:99:99", "2019-02-29T25:61:61+99:99", "-1", "x" * 5000])
        return re.sub(r"(DateTimeOriginal|CreateDate|DateCreated)(=\"|>)[^<\"]*", rf"\1\g<2>{value}", text).encode()
    if op == 5:  # an unterminated packet
        return text.encode()[: rng.randrange(1, max(2, len(text)))]
    if op == 6:  # UTF-16 with a wrong mark, or garbage
        return rng.choice([b"\xff\xfe" + text.encode(), bytes(rng.randrange(256) for _ in range(2000))])
    return mutate(text.encode(), rng)


def write_corpus(shared: Path, dest: Path, count: int, seed: int) -> list[Path]:
    """``count`` mutated photos (evenly over the seeds; about a third with a
    mutated sidecar beside them); returns the photo paths."""
    rng = random.Random(seed)
    photos = {name: (shared / name).read_bytes() for name in SEEDS if (shared / name).is_file()}
    sidecars = [(shared / name).read_text(errors="replace") for name in SIDECAR_SEEDS if (shared / name).is_file()]
    names = sorted(photos)
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for k in range(count):
        name = names[k % len(names)]
        data = photos[name]
        if rng.random() < 0.1:  # a splice of two files (a header of one, the data of another)
            other = photos[rng.choice(names)]
            data = data[: rng.randrange(1, len(data))] + other[rng.randrange(len(other)):]
        path = dest / f"f{k:04d}_{Path(name).stem[:20]}{Path(name).suffix}"
        path.write_bytes(mutate(data, rng))
        out.append(path)
        if sidecars and rng.random() < 0.35:
            side = Path(str(path) + ".xmp") if rng.random() < 0.5 else path.with_suffix(".xmp")
            side.write_bytes(mutate_xmp(rng.choice(sidecars), rng))
    return out


def scan_check(result: dict, photos: Iterable[Path], shared_root: Optional[Path] = None) -> list[str]:
    """What is wrong with a scan of fuzzed photos (empty: nothing): every photo
    added or skipped with a reason, no reason that is a bug's."""
    photos = [str(p) for p in photos]
    skipped = {s["path"]: s["reason"] for s in result["skipped"]}
    problems = []
    for path, reason in skipped.items():
        if not reason or reason.startswith("unexpected error"):
            problems.append(f"{os.path.basename(path)}: {reason!r}")
    accounted = result["added"] + result["updated"] + result["unchanged"] + result["moved"]
    skipped_photos = [p for p in photos if p in skipped]
    if accounted + len(skipped_photos) != len(photos):
        problems.append(f"{len(photos)} photos, {accounted} added and {len(skipped_photos)} skipped")
    return problems


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM: not inherited on exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_scan(shared: Path, dest: Path, count: int, seed: int, workers: int = 2) -> dict:
    """Write a corpus and scan it like a user would (worker processes), in
    this process; returns the scan, the problems found and the peak memory
    of this process and of its largest worker."""
    import resource
    import time

    from photoorg.engine.catalog import Catalog
    from photoorg.engine.scan.scanner import scan
    from photoorg.engine.settings import Settings

    photos = write_corpus(shared, dest / "lib", count, seed)
    settings = Settings.for_catalog(dest / "catalog.sqlite", workers=workers)
    started = time.monotonic()
    with Catalog(settings.catalog_path) as catalog:
        result = scan(catalog, [str(dest / "lib")], settings).to_json()
    return {"photos": len(photos), "sidecars": len(list((dest / "lib").glob("*.xmp"))),
            "formats": sorted({p.suffix.lower() for p in photos}), "seconds": round(time.monotonic() - started, 1),
            "added": result["added"], "skipped": len(result["skipped"]), "problems": scan_check(result, photos),
            "peak_mb": round(peak_mb()),
            "worker_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}


if __name__ == "__main__":  # python tests/fuzz_corpus.py SHARED DEST COUNT SEED: one scan, JSON out
    import json
    import sys

    shared_root, dest_root, n, s = sys.argv[1:5]
    print(json.dumps(run_scan(Path(shared_root), Path(dest_root), int(n), int(s))))

"""Benchmark: embedding 12 MP JPEGs end to end, and grouping 100,000 photos.

    .venv/bin/python tests/bench/bench_embed.py [--photos 400] [--device auto]
        [--library 100000] [--skip-embed] [--skip-group]

Embedding: a corpus of real 10-16 MP camera JPEGs from ../shared/photos, each
copied many times with a few unique bytes after the end-of-image marker (so
every copy is a distinct content, decoded at full cost). Three figures:
  a) embed stage decoding the originals (DCT-scaled decode included), no thumbnails;
  b) scan (hash, EXIF, thumbnail) then the embed stage reading the scan's
     thumbnails, both timed;
  c) the ONNX backbone alone on preprocessed arrays (the ceiling).
Grouping: synthetic embeddings with bursts, near-duplicates and ordinary shots
on realistic capture times; time and peak memory of the grouping alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
PHOTOS = REPO.parent / "shared" / "photos"
SOURCES = [  # real camera JPEGs of 10-16 megapixels
    "exif/jpg/tests/Xiaomi_Mi_9T_KeyError.jpg",  # 4000x3000
    "exif/jpg/tests/42_IndexError.jpg",  # 4032x3024
    "immich/albums/text/book-beside-flowers.jpg",  # 3024x4032
    "immich/metadata/gps-position/empty_gps.jpg",  # 4640x3472
]


def _load() -> str:
    return os.getloadavg().__repr__()


def build_corpus(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        src = PHOTOS / SOURCES[i % len(SOURCES)]
        target = folder / f"IMG_{i:05d}.jpg"
        shutil.copyfile(src, target)
        with open(target, "ab") as fh:  # trailing bytes: a new content hash, same decode cost
            fh.write(f"copy-{i}".encode())
        out.append(target)
    return out


def bench_embed(n: int, device: str) -> None:
    from photoorg.engine.analysis import embed_stage
    from photoorg.engine.analysis.backbone_runner import BackboneRunner
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.progress import CancelToken
    from photoorg.engine.scan.scanner import scan
    from photoorg.engine.settings import Preferences, Settings

    from PIL import Image

    sizes = [Image.open(PHOTOS / s).size for s in SOURCES]
    print(f"corpus: {n} JPEGs from {len(SOURCES)} real photos, "
          f"{', '.join(f'{w}x{h}' for w, h in sizes)}; cpu cores {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="bench-embed-") as tmp:
        root = Path(tmp)
        files = build_corpus(root / "lib", n)
        prefs = Preferences(device=device)

        # Warm-up: export and load the model once (not timed).
        warm = Settings.for_catalog(root / "warm.sqlite", prefs=prefs)
        shared_cache = root / "shared-cache"
        import dataclasses
        warm = dataclasses.replace(warm, cache_dir=shared_cache)
        runner = BackboneRunner(warm)
        runner.run(np.zeros((2, 3, 224, 224), np.float32))
        print(f"backbone device: {runner.device}; load average {_load()}")

        # a) originals: photos recorded without thumbnails
        s_a = dataclasses.replace(Settings.for_catalog(root / "a.sqlite", prefs=prefs), cache_dir=shared_cache)
        with Catalog(s_a.catalog_path) as cat:
            for i, f in enumerate(files):
                cat.record_photo(str(f), {"size": f.stat().st_size, "mtime_ns": 1, "content_hash": f"a{i}"}, 0)
            t = time.perf_counter()
            summary = embed_stage.STAGE.run(cat, s_a, lambda p: None, CancelToken())
            dt = time.perf_counter() - t
        assert summary["embedded"] == n, summary
        print(f"a) embed stage from 12 MP originals (decode included): {n / dt:.1f} photos/s "
              f"({dt:.1f} s; load {_load()})")

        # b) scan with thumbnails, then embed from the thumbnails
        s_b = Settings.for_catalog(root / "b.sqlite", prefs=prefs)
        s_b = dataclasses.replace(s_b, cache_dir=root / "b-cache")
        shutil.copytree(shared_cache / "models", s_b.models_dir)
        with Catalog(s_b.catalog_path) as cat:
            t = time.perf_counter()
            scan(cat, [str(root / "lib")], s_b)
            scan_dt = time.perf_counter() - t
            t = time.perf_counter()
            summary = embed_stage.STAGE.run(cat, s_b, lambda p: None, CancelToken())
            dt = time.perf_counter() - t
        print(f"b) scan {n / scan_dt:.1f} photos/s ({scan_dt:.1f} s), then embed stage from the scan's "
              f"thumbnails {summary['embedded'] / dt:.1f} photos/s ({dt:.1f} s, {summary['from_thumbnails']} "
              f"from thumbnails); scan+embed {n / (scan_dt + dt):.1f} photos/s; load {_load()}")

        # c) the backbone alone
        batch = np.random.default_rng(0).standard_normal((128, 3, 224, 224)).astype(np.float32)
        t = time.perf_counter()
        c0 = time.process_time()
        runner.run(batch)
        dt = time.perf_counter() - t
        infer_cpu_ms = (time.process_time() - c0) / len(batch) * 1000
        print(f"c) backbone alone (ONNX Runtime, {runner.device}, batch 32): {len(batch) / dt:.1f} photos/s "
              f"({infer_cpu_ms:.0f} CPU-ms per photo); load {_load()}")

        # d) the CPU cost of decoding one 12 MP original with DCT scaling
        from photoorg.engine.analysis.backbone_runner import preprocess
        from photoorg.engine.imaging.decode import decode

        sample = files[:40]
        c0 = time.process_time()
        for f in sample:
            preprocess(decode(str(f), name=str(f), target=224))
        decode_cpu_ms = (time.process_time() - c0) / len(sample) * 1000
        cores = os.cpu_count() or 1
        print(f"d) decode + preprocess of a 12 MP JPEG (DCT-scaled to 1/8): {decode_cpu_ms:.0f} CPU-ms per photo; "
              f"so {cores} idle cores can embed at most {cores * 1000 / (decode_cpu_ms + infer_cpu_ms):.0f} "
              f"originals/s and {cores * 1000 / (infer_cpu_ms + 2):.0f} thumbnails/s")


def _rss_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_group(n: int) -> None:
    import gc

    from photoorg.engine.series.grouping import group_photos
    from photoorg.engine.series.synthetic import pair_precision_recall, synthetic_library

    t = time.perf_counter()
    lib = synthetic_library(n, seed=0)
    make_dt = time.perf_counter() - t
    gc.collect()
    before = _rss_mib("VmRSS")
    try:  # reset the peak-RSS mark, so VmHWM below is the grouping's own peak
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    t = time.perf_counter()
    groups = group_photos(lib.items)
    dt = time.perf_counter() - t
    peak = _rss_mib("VmHWM")
    predicted = np.full(n, -1)
    for gi, g in enumerate(groups):
        predicted[g.members] = gi
    precision, recall = pair_precision_recall(lib.scene_of, predicted)
    print(f"grouping {n} synthetic photos: {dt:.1f} s ({len(groups)} groups, truth {lib.true_groups}; "
          f"pairwise precision {precision:.3f} recall {recall:.3f}); peak RSS during grouping {peak:.0f} MiB "
          f"(of which the library in memory {before:.0f} MiB; made in {make_dt:.1f} s); load {_load()}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photos", type=int, default=400)
    ap.add_argument("--library", type=int, default=100_000)
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--skip-embed", action="store_true")
    ap.add_argument("--skip-group", action="store_true")
    args = ap.parse_args()
    if not args.skip_embed:
        if not PHOTOS.is_dir():
            print(f"no photos at {PHOTOS}; skipping the embedding benchmark", file=sys.stderr)
        else:
            bench_embed(args.photos, args.device)
    if not args.skip_group:
        if args.skip_embed:
            bench_group(args.library)
        else:  # a fresh process, so that its peak memory is the grouping's own
            import subprocess

            subprocess.run([sys.executable, __file__, "--skip-embed", "--library", str(args.library)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

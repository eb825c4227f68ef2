"""Scan benchmark: first scan with thumbnails, unchanged rescan, peak memory.

Builds (once, cached under .bench/) a corpus of full-size 12 MP JPEGs made
from the real photos in ../shared/photos: each file is a crop of a real photo
resized to 4000x3000 (or 3000x4000), with optional sensor-like grain so that
the files weigh what a camera's do, re-encoded at quality 90 with the source's
EXIF (camera, exposure, GPS...) copied in and a distinct capture time. Every
file has distinct content, so every first-scan file is hashed, parsed and
decoded into a new thumbnail.

Then, for each corpus size (default 500, 1000, 2000), in a fresh catalog, it
runs ``photoorg scan`` twice in a child process (the first scan, then the
unchanged rescan) and prints photos/second and the peak resident memory of the
scanning process and of its largest worker.

    .venv/bin/python tests/bench/bench_scan.py            # build + measure
    .venv/bin/python tests/bench/bench_scan.py --sizes 1000 --repeat 3
    .venv/bin/python tests/bench/bench_scan.py --grain 0  # smooth (small) files

Run it under low load (``uptime``) with ``nice``; the files are read from
the page cache (just written), so the figures are CPU-bound, not disk-bound.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "photos"
DEFAULT_CORPUS = REPO / ".bench" / "scan-corpus"
PER_FOLDER = 100  # like a camera's DCIM/100XXXXX folders
SIZE = (4000, 3000)
QUALITY = 90
MIN_SOURCE_SIDE = 600

# -- corpus ---------------------------------------------------------------------


def _sources() -> list[Path]:
    """Decodable real photos big enough to crop from (JPEG, HEIC, PNG...)."""
    from PIL import Image

    from photoorg.engine.imaging.decode import _register_plugins

    _register_plugins()
    out = []
    for path in sorted(SHARED.rglob("*")):
        if path.suffix.lower() not in (".jpg", ".jpeg", ".heic", ".webp"):
            continue
        try:
            with Image.open(path) as im:
                if min(im.size) < MIN_SOURCE_SIDE or im.width * im.height > 60e6:
                    continue
                im.load()
        except Exception:  # noqa: BLE001 - broken test files are not sources
            continue
        out.append(path)
    return out


_noise = None


def _make_one(job: tuple[int, str, str, float]) -> int:
    """Write corpus file number ``index`` from ``source``; returns its size."""
    import numpy as np
    from PIL import Image, ImageOps

    from photoorg.engine.imaging.decode import _register_plugins

    global _noise
    index, source, target, grain = job
    _register_plugins()
    rng = np.random.default_rng(index)
    with Image.open(source) as src:
        exif = src.getexif()
        im = ImageOps.exif_transpose(src).convert("RGB")
    w, h = im.size
    size = SIZE if w >= h else SIZE[::-1]
    # A random crop of 60-100% of the frame at the target's aspect ratio.
    frac = rng.uniform(0.6, 1.0)
    aspect = size[0] / size[1]
    cw = min(w, int(h * aspect)) * frac
    ch = cw / aspect
    x0 = rng.uniform(0, w - cw)
    y0 = rng.uniform(0, h - ch)
    im = im.resize(size, Image.Resampling.BILINEAR, box=(x0, y0, x0 + cw, y0 + ch))
    if rng.random() < 0.5:
        im = ImageOps.mirror(im)
    if grain > 0:
        if _noise is None:  # one tile per process, sliced at random offsets
            tile_rng = np.random.default_rng(1234 + os.getpid())
            _noise = np.clip(tile_rng.normal(0, grain, (SIZE[0] + 64, SIZE[0] + 64, 3)), -127, 127).astype(np.int8)
        oy, ox = rng.integers(0, 64, 2)
        arr = np.asarray(im, dtype=np.int16)
        arr += _noise[oy:oy + arr.shape[0], ox:ox + arr.shape[1]]
        im = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    # The source's EXIF, upright now, with a distinct capture time.
    exif[0x0112] = 1
    when = time.strftime("%Y:%m:%d %H:%M:%S", time.gmtime(1_500_000_000 + index * 97))
    exif.get_ifd(0x8769)[0x9003] = when
    exif[0x0132] = when
    tmp = target + ".tmp"
    im.save(tmp, "JPEG", quality=QUALITY, exif=exif.tobytes())
    os.replace(tmp, target)
    return os.path.getsize(target)


def build_corpus(corpus: Path, count: int, grain: float, jobs: int) -> list[Path]:
    """Folders of PER_FOLDER files each, kept and reused (and completed where
    files are missing) while the recipe is the same."""
    manifest = corpus / "manifest.json"
    recipe = {"size": list(SIZE), "quality": QUALITY, "grain": grain, "per_folder": PER_FOLDER, "version": 1}
    if manifest.exists() and json.loads(manifest.read_text()).get("recipe") != recipe:
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps({"recipe": recipe}))
    folders = [corpus / f"{100 + i // PER_FOLDER}PHOTO" for i in range(0, count, PER_FOLDER)]
    todo = []
    sources: list[Path] = []
    for i in range(count):
        target = corpus / f"{100 + i // PER_FOLDER}PHOTO" / f"IMG_{i:05d}.JPG"
        if not target.exists():  # files appear complete or not at all (renamed in place)
            sources = sources or _sources()
            if not sources:
                sys.exit(f"no source photos found in {SHARED}")
            target.parent.mkdir(exist_ok=True)
            todo.append((i, str(sources[i % len(sources)]), str(target), grain))
    if todo:
        print(f"building {len(todo)} corpus files from {len(sources)} real photos in {SHARED} ...", flush=True)
        started = time.monotonic()
        with multiprocessing.get_context("spawn").Pool(jobs) as pool:
            for n, _ in enumerate(pool.imap_unordered(_make_one, todo, chunksize=4), 1):
                if n % 100 == 0:
                    print(f"  {n}/{len(todo)} ({time.monotonic() - started:.0f}s)", flush=True)
    return folders


# -- measuring ----------------------------------------------------------------------

# Runs in a child process: one scan through the real CLI entry point, then its
# own peak RSS and that of its largest (reaped) worker process.
_DRIVER = r"""
import json, resource, sys, time
from photoorg.engine.cli import main
started = time.monotonic()
code = main(sys.argv[1:])
wall = time.monotonic() - started
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "wall_s": wall,
                  "parent_rss_mb": me.ru_maxrss / 1024, "worker_rss_mb": kids.ru_maxrss / 1024,
                  "parent_cpu_s": me.ru_utime + me.ru_stime, "worker_cpu_s": kids.ru_utime + kids.ru_stime}),
      file=sys.stderr)
"""


def run_scan(roots: list[Path], catalog: Path, workers: int) -> dict:
    cmd = [sys.executable, "-c", _DRIVER, "scan", *map(str, roots), "--catalog", str(catalog), "--json"]
    if workers:
        cmd += ["--workers", str(workers)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"scan failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout)
    stats = json.loads(proc.stderr.strip().splitlines()[-1])
    return {**result, **stats}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus folder (default .bench/scan-corpus)")
    ap.add_argument("--sizes", default="500,1000,2000", help="corpus sizes to scan, comma-separated")
    ap.add_argument("--repeat", type=int, default=1, help="runs per size (the best is kept)")
    ap.add_argument("--workers", type=int, default=0, help="reader processes (default: the scanner's)")
    ap.add_argument("--grain", type=float, default=3.0,
                    help="sensor-like noise sigma; 3 gives camera-like 2-3 MB files, 0 smooth ~1 MB files")
    ap.add_argument("--jobs", type=int, default=2, help="processes building the corpus")
    ap.add_argument("--build-only", action="store_true", help="build the corpus and stop")
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    corpus = args.corpus if args.grain == 3.0 else args.corpus.with_name(f"{args.corpus.name}-grain{args.grain:g}")
    folders = build_corpus(corpus, max(sizes), args.grain, args.jobs)
    if args.build_only:
        return
    files = sorted(p for f in folders for p in f.glob("*.JPG"))
    mean_mb = sum(p.stat().st_size for p in files[: max(sizes)]) / len(files[: max(sizes)]) / 1e6
    print(f"corpus: {corpus} ({len(files)} files, {SIZE[0]}x{SIZE[1]}, mean {mean_mb:.2f} MB, grain {args.grain:g})")
    print(f"machine: {os.cpu_count()} cores; load average before: {load()}")
    print(f"{'files':>6} {'first scan':>16} {'rescan':>18} {'parent RSS':>11} {'worker RSS':>11}  load")
    work = REPO / ".bench" / "scan-runs"
    for n in sizes:
        roots = folders[: (n + PER_FOLDER - 1) // PER_FOLDER]
        best_first = best_re = None
        for _ in range(args.repeat):
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            catalog = work / "catalog.sqlite"
            first = run_scan(roots, catalog, args.workers)
            again = run_scan(roots, catalog, args.workers)
            assert first["added"] == n and not first["skipped"], first
            assert again["unchanged"] == n and again["added"] == again["updated"] == 0, again
            if best_first is None or first["elapsed_s"] < best_first["elapsed_s"]:
                best_first = first
            if best_re is None or again["elapsed_s"] < best_re["elapsed_s"]:
                best_re = again
        print(f"{n:>6} {n / best_first['elapsed_s']:>8.1f} photo/s {n / best_re['elapsed_s']:>9.0f} files/s "
              f"{max(best_first['parent_rss_mb'], best_re['parent_rss_mb']):>8.0f} MB "
              f"{best_first['worker_rss_mb']:>8.0f} MB  {load()}", flush=True)
        # CPU time per photo does not depend on what else runs on the machine;
        # it bounds what the scan can do on idle cores.
        worker_ms = best_first["worker_cpu_s"] / n * 1000
        parent_ms = best_first["parent_cpu_s"] / n * 1000
        cores = os.cpu_count() or 1
        print(f"{'':>6} first scan {best_first['elapsed_s']:.2f}s (process {best_first['wall_s']:.2f}s), "
              f"CPU per photo: workers {worker_ms:.1f} ms + scanning process {parent_ms:.1f} ms "
              f"-> at most {cores * 1000 / (worker_ms + parent_ms):.0f} photo/s on {cores} idle cores; "
              f"rescan {best_re['elapsed_s']:.3f}s (process {best_re['wall_s']:.2f}s)", flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

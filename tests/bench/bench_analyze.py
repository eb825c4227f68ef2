"""Analysis benchmark: scan plus full analysis of 12 MP JPEGs, against
Debian's ``findimagedupes`` on the same folder in the same run.

Builds a corpus of 4000x3000 JPEGs from the real photos in ../shared/photos
(``bench_scan.build_corpus``: random crops upscaled to 12 MP, mirrored at
random, sensor-like grain, quality 90, the source's EXIF with a distinct
capture time) in a temporary folder (``--corpus DIR`` keeps and reuses it),
then, for each size:

1. ``photoorg scan`` and ``photoorg analyze --device cpu`` in child processes
   on a fresh catalog: photos/s of scan plus analysis, seconds per stage (a
   per-photo stage's share of the one pass, and its own CPU time in the
   workers), and the peak memory of the whole process tree (the analysis and
   its worker processes together, sampled every 0.2 s);
2. ``findimagedupes -R`` on the same folder: its time, and the time ratio
   (photoorg / findimagedupes; the target is 1.0 or less).

    nice -n 10 .venv/bin/python tests/bench/bench_analyze.py                 # 300 photos
    nice -n 10 .venv/bin/python tests/bench/bench_analyze.py --sizes 300 1000 --corpus .bench/analyze-corpus

On a shared machine, read the ratio (both tools under the same load) before
the absolute figures; ``uptime`` is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scan import build_corpus  # noqa: E402  (same folder)

REPO = Path(__file__).resolve().parents[2]
PHOTOORG = [sys.executable, "-m", "photoorg.engine.cli"]


def _tree_rss_mb(root: int) -> float:
    """Resident memory of ``root`` and all its descendants (MB)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total / 2**20


def run_measured(cmd: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak tree RSS MB, stdout) of a command."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_mb(proc.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    wall = time.monotonic() - started
    done.set()
    sampler.join()
    if proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(cmd[:6])}... exited with {proc.returncode}")
    return wall, peak[0], out


def measure(folder: Path, count: int, work: Path) -> dict:
    catalog = work / f"catalog-{count}.sqlite"
    for stale in work.glob(f"catalog-{count}*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    scan_s, scan_mb, _ = run_measured([*PHOTOORG, "--catalog", str(catalog), "--json", "scan", str(folder)])
    analyze_s, analyze_mb, out = run_measured([*PHOTOORG, "--catalog", str(catalog), "--json", "analyze",
                                               "--device", "cpu"])
    stages = json.loads(out)["stages"]
    fid_s, fid_mb, fid_out = run_measured(["findimagedupes", "-R", str(folder)])
    total = scan_s + analyze_s
    return {"photos": count, "scan_s": round(scan_s, 1), "analyze_s": round(analyze_s, 1),
            "photos_per_s": round(count / total, 2), "peak_mb": round(max(scan_mb, analyze_mb)),
            "scan_peak_mb": round(scan_mb), "analyze_peak_mb": round(analyze_mb),
            "findimagedupes_s": round(fid_s, 1), "findimagedupes_photos_per_s": round(count / fid_s, 2),
            "findimagedupes_groups": sum(1 for line in fid_out.splitlines() if line.strip()),
            "ratio": round(total / fid_s, 2), "stages": stages, "load": os.getloadavg()}


def report(r: dict) -> None:
    print(f"\n{r['photos']} photos (12 MP JPEG): scan {r['scan_s']} s + analysis {r['analyze_s']} s = "
          f"{r['photos_per_s']} photos/s; findimagedupes -R {r['findimagedupes_s']} s "
          f"({r['findimagedupes_photos_per_s']} photos/s); time ratio {r['ratio']}; "
          f"peak memory {r['peak_mb']} MB (analysis and its workers {r['analyze_peak_mb']} MB); "
          f"load average {', '.join(f'{x:.1f}' for x in r['load'])}")
    for s in r["stages"]:
        extra = f", CPU in workers {s['compute_seconds']} s" if "compute_seconds" in s else ""
        print(f"  {s['stage']:16s} {s['status']:7s} {s['seconds']:7.1f} s{extra}")
        if "pass" in s:
            p = s["pass"]
            print(f"  {'(one pass)':16s} {p['photos']} photos, {p['workers']} workers, {p['wall_seconds']} s, "
                  f"decoding {p['decode_seconds']} s CPU")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[300])
    ap.add_argument("--corpus", type=Path, help="build (or reuse) the corpus here instead of a temporary folder")
    ap.add_argument("--grain", type=float, default=4.0)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    if shutil.which("findimagedupes") is None:
        sys.exit("findimagedupes is not installed (Debian: apt-get install findimagedupes)")
    temp = None
    if args.corpus is None:
        temp = tempfile.mkdtemp(prefix="bench-analyze-")
        corpus = Path(temp) / "corpus"
    else:
        corpus = args.corpus.resolve()
    work = Path(tempfile.mkdtemp(prefix="bench-analyze-catalogs-", dir=corpus.parent if temp else None))
    results = []
    try:
        for count in sorted(args.sizes):
            build_corpus(corpus, count, args.grain, max(1, os.cpu_count() or 1))
            # Exactly ``count`` photos: a folder of hard links to the first ones
            # (a symbolic link out of the library is not followed by the scan).
            folder = work / f"photos-{count}"
            folder.mkdir()
            for i, path in enumerate(sorted(corpus.rglob("IMG_*.JPG"))[:count]):
                target = folder / f"{i:05d}_{path.name}"
                try:
                    os.link(path, target)
                except OSError:  # another file system
                    shutil.copy2(path, target)
            r = measure(folder, count, work)
            report(r)
            results.append(r)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if temp:
            shutil.rmtree(temp, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

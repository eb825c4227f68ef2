"""GUI responsiveness benchmark: the longest GUI-thread stall, and start-up time.

Three measurements, each printed with the machine load (``uptime``):

1. ``startup``: ``photoorg gui --catalog FILE`` on a catalog of 100,000
   photos (synthetic rows inserted through the catalog, sharing a few
   thousand real thumbnails): seconds from launching the command to the
   window shown, to the grid's first rows painted, and to all 100,000 rows
   in the grid; and the CPU seconds the process used (the wall-clock
   figures depend on the machine's load, the CPU time much less).
2. ``scroll``: the window over that catalog (offscreen); a 5 ms heartbeat
   QTimer measures the gaps in the GUI thread's event loop while the grid
   scrolls through all 100,000 rows (smooth scrolling, then random jumps,
   thumbnails loading as they come into view).
3. ``scan``: a library of 10,000 distinct JPEGs (crops of the real photos in
   ../shared/photos, made once under .bench/gui-library) is added through
   the window: the scan runs in the window's process (the scanner's worker
   processes decode), the analysis after it in the window's analysis
   process; the heartbeat runs throughout. Analysis of 10,000 photos takes
   far longer than a benchmark should, so it is measured for
   ``--analysis-seconds`` and then cancelled (the cancel is timed too).
   ``--in-process`` also runs analysis inside the window's process for the
   same time, to show why it runs in a child process.

    nice -n 10 .venv/bin/python tests/bench/bench_gui.py                 # all
    nice -n 10 .venv/bin/python tests/bench/bench_gui.py --only scroll startup

Target: no stall over 50 ms; start-up under 2 s.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "photos"
BENCH = REPO / ".bench"
STALL_MS = 50


def load() -> str:
    return open("/proc/loadavg").read().split(" ")[0] if os.path.exists("/proc/loadavg") else "?"


# -- inputs ---------------------------------------------------------------------------
def _sources() -> list[Path]:
    from PIL import Image

    out = []
    for path in sorted(SHARED.rglob("*")):
        if path.suffix.lower() in (".jpg", ".jpeg") and "invalid" not in str(path) and "corrupt" not in path.name:
            try:
                with Image.open(path) as im:
                    if min(im.size) >= 300:
                        out.append(path)
            except Exception:  # noqa: BLE001 - a broken test file is simply not a source
                pass
    return out


def _make_variant(args) -> None:
    src, dest, seed, size = args
    from PIL import Image, ImageOps

    rng = random.Random(seed)
    with Image.open(src) as im:
        im.draft("RGB", (size * 2, size * 2))  # JPEG DCT scaling: no full-size decode
        im = ImageOps.exif_transpose(im).convert("RGB")
        w, h = im.size
        cw, ch = int(w * rng.uniform(0.55, 0.9)), int(h * rng.uniform(0.55, 0.9))
        x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
        im = im.crop((x, y, x + cw, y + ch))
        im.thumbnail((size, size))
        if rng.random() < 0.5:
            im = ImageOps.mirror(im)
        dest.parent.mkdir(parents=True, exist_ok=True)
        im.save(dest, "JPEG", quality=88)


def make_files(folder: Path, n: int, size: int, per_folder: int = 250, distinct: Optional[int] = None) -> list[Path]:
    """``n`` JPEGs with distinct content (cached: made once). The first
    ``distinct`` are real crops; the others copy one of those and add bytes
    after the image's end marker (decoders ignore them, the content hash and
    so every analysis differ), which costs no decoding on a busy machine."""
    distinct = min(n, distinct or n)
    paths = [folder / f"{i // per_folder:03d}" / f"IMG_{i:06d}.jpg" for i in range(n)]
    todo = [(i, p) for i, p in enumerate(paths[:distinct]) if not p.exists()]
    if todo:
        sources = _sources()
        jobs = [(sources[i % len(sources)], p, i, size) for i, p in todo]
        print(f"making {len(todo)} files under {folder} …", flush=True)
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            pool.map(_make_variant, jobs, chunksize=16)
    for i, p in enumerate(paths[distinct:], start=distinct):
        if not p.exists():
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(paths[i % distinct].read_bytes() + f"photoorg-bench-{i}".encode())
    return paths


def make_big_catalog(path: Path, n: int, distinct_thumbs: int) -> Path:
    """A catalog of ``n`` synthetic photo rows (through the catalog API)
    whose content hashes cycle over ``distinct_thumbs`` real thumbnails."""
    from PIL import Image

    from photoorg.engine.catalog import Catalog
    from photoorg.engine.imaging.thumbnails import save_thumbnail
    from photoorg.engine.settings import Settings

    settings = Settings.for_catalog(path)
    marker = path.with_suffix(".done")
    if marker.exists():
        return path
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    thumbs = make_files(BENCH / "gui-thumb-sources", distinct_thumbs, 400)
    hashes = [f"{i:032x}" for i in range(distinct_thumbs)]
    print(f"making {distinct_thumbs} thumbnails …", flush=True)
    for h, src in zip(hashes, thumbs):
        with Image.open(src) as im:
            save_thumbnail(settings.thumbs_dir, h, im.convert("RGB"), settings.thumbnail_px)
    print(f"inserting {n} photo rows …", flush=True)
    with Catalog(path) as catalog:
        base = 1.4e9
        batch = 5000
        for start in range(0, n, batch):
            with catalog.write():
                for i in range(start, min(n, start + batch)):
                    catalog.record_photo(
                        f"/synthetic/{i // 1000:03d}/IMG_{i:06d}.jpg",
                        {"size": 3_000_000, "mtime_ns": i, "content_hash": hashes[i % distinct_thumbs],
                         "capture_ts": base + i * 600 + random.random() * 300, "width": 4000, "height": 3000,
                         "rating": random.choice([None, None, None, 1, 3, 5])}, 0)
        ids = [r.id for r in catalog.browse_rows()]
        for k in range(0, min(len(ids) - 3, 30000), 7):  # some series, for the badges
            catalog.save_series("series", f"bench-{k}", [(ids[k], 1, 0.9), (ids[k + 1], 2, 0.5), (ids[k + 2], 3, 0.2)])
    marker.write_text("ok")
    return path


# -- the heartbeat --------------------------------------------------------------------
class Heartbeat:
    def __init__(self, interval_ms: int = 5) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.phase_gaps: dict[str, list[tuple[float, float]]] = {}
        self.phase = "idle"
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self._last_proc = time.process_time()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._beat)

    def start(self, phase: str) -> None:
        self.phase = phase
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self._last_proc = time.process_time()
        self.timer.start()

    def _beat(self) -> None:
        # Wall-clock gap between beats, and the GUI thread's own CPU time in
        # it: a long gap with little CPU is the thread waiting (for the OS
        # scheduler on a loaded machine, or for the GIL), not working.
        now, cpu, proc = time.perf_counter(), time.thread_time(), time.process_time()
        gap, gap_cpu = (now - self._last) * 1000, (cpu - self._last_cpu) * 1000
        gap_proc = (proc - self._last_proc) * 1000
        self._last, self._last_cpu, self._last_proc = now, cpu, proc
        self.phase_gaps.setdefault(self.phase, []).append((gap, gap_cpu, gap_proc))

    def report(self, phase: str) -> dict:
        pairs = self.phase_gaps.get(phase, [])
        if not pairs:
            return {"phase": phase, "beats": 0}
        gaps = sorted(p[0] for p in pairs)
        worst = max(pairs)
        return {"phase": phase, "beats": len(gaps), "max_gap_ms": round(worst[0], 1),
                "gui_cpu_in_max_gap_ms": round(worst[1], 1), "process_cpu_in_max_gap_ms": round(worst[2], 1),
                "max_gui_cpu_in_a_gap_ms": round(max(p[1] for p in pairs), 1),
                "p99_ms": round(gaps[int(len(gaps) * 0.99) - 1], 1), "p50_ms": round(gaps[len(gaps) // 2], 1),
                f"gaps_over_{STALL_MS}ms": sum(g > STALL_MS for g in gaps)}


class GcTimer:
    """Longest garbage-collector pause (it runs on whichever thread allocates)."""

    def __init__(self) -> None:
        self.max_ms = 0.0
        self.total_ms = 0.0
        self._t = 0.0
        gc.callbacks.append(self._cb)

    def _cb(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._t = time.perf_counter()
        else:
            ms = (time.perf_counter() - self._t) * 1000
            self.max_ms = max(self.max_ms, ms)
            self.total_ms += ms


GC = GcTimer()


def pump(app, seconds: float, until=None) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        if until is not None and until():
            return True
        time.sleep(0.001)
    return until is None


# -- measurements -----------------------------------------------------------------------
def bench_startup(catalog: Path, runs: int) -> list[dict]:
    out = []
    for _ in range(runs):
        env = {**os.environ, "PHOTOORG_STARTUP_PROBE": "1"}
        started = time.monotonic()
        before = os.times()
        proc = subprocess.run([str(REPO / ".venv" / "bin" / "photoorg"), "gui", "--catalog", str(catalog)],
                              capture_output=True, text=True, env=env, timeout=120)
        after = os.times()
        cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        line = next((l for l in proc.stderr.splitlines() if l.startswith("{")), None)
        if line is None:
            out.append({"error": proc.stderr[-500:]})
            continue
        probe = json.loads(line)
        out.append({"shown_s": round(probe["shown_monotonic"] - started, 3),
                    "grid_painted_s": round(probe["ready_monotonic"] - started, 3),
                    "all_rows_s": round(probe["all_rows_monotonic"] - started, 3), "rows": probe["rows"],
                    "process_cpu_s": round(cpu, 3), "load": load()})
    return out


def bench_scroll(app, catalog: Path, seconds: float) -> dict:
    from photoorg.app.main_window import MainWindow
    from photoorg.engine.settings import Settings

    window = MainWindow(Settings.for_catalog(catalog), analyse_after_scan=False)
    window.resize(1500, 950)
    window.show()
    beat = Heartbeat()
    beat.start("open")
    lib = window.shell.library
    total = window.session.catalog.photo_count()
    pump(app, 120, lambda: lib.model.rowCount() >= total)
    rows = lib.model.rowCount()
    bar = lib.grid.verticalScrollBar()
    pump(app, 1.0)
    beat.phase = "smooth"
    step = lib.grid.viewport().height() // 2  # a fast fling: about 30 screens a second at 60 Hz
    end = time.monotonic() + seconds
    while time.monotonic() < end and bar.value() < bar.maximum():
        bar.setValue(bar.value() + step)
        pump(app, 0.016)
    smooth_reached = bar.value() / max(1, bar.maximum())
    beat.phase = "jumps"
    rng = random.Random(1)
    end = time.monotonic() + seconds / 2
    while time.monotonic() < end:
        bar.setValue(rng.randint(0, bar.maximum()))
        pump(app, 0.2)
    beat.phase = "end"
    loaded = window.session.thumbs.loaded
    window.close()
    pump(app, 0.5)
    return {"rows": rows, "smooth_scroll_fraction_covered": round(smooth_reached, 3), "thumbnails_loaded": loaded,
            "gc_max_pause_ms": round(GC.max_ms, 1),
            "open": beat.report("open"), "smooth": beat.report("smooth"), "jumps": beat.report("jumps"),
            "load": load()}


def bench_scan(app, files: list[Path], analysis_seconds: float, in_process: bool, workers: int) -> dict:
    import tempfile

    from photoorg.app import jobs
    from photoorg.app.main_window import MainWindow
    from photoorg.engine.settings import Settings

    root = files[0].parent.parent
    tmp = Path(tempfile.mkdtemp(prefix="bench-gui-"))
    settings = Settings.for_catalog(tmp / "catalog.sqlite", workers=workers)
    window = MainWindow(settings, analyse_after_scan=False)
    window.resize(1500, 950)
    window.show()
    beat = Heartbeat()
    beat.start("scan")
    runner = window.session.runner
    started = time.monotonic()
    window.add_folders([str(root)])
    pump(app, 3600, lambda: runner.idle())
    scan_s = time.monotonic() - started
    photos = window.session.catalog.photo_count()
    lib = window.shell.library
    pump(app, 60, lambda: lib.model.rowCount() == photos)
    result = {"photos": photos, "scan_s": round(scan_s, 1), "scan_rate": round(photos / scan_s, 1),
              "grid_rows_at_end": lib.model.rowCount(), "scan": beat.report("scan"), "load_after_scan": load()}
    for mode in (["child", "in_process"] if in_process else ["child"]):
        beat.phase = f"analysis_{mode}"
        progress = []
        task = jobs.start_analysis(window.session, in_process=(mode == "in_process"))
        runner.task_progress.connect(lambda t: progress.append(t.last_progress) if t is task else None)
        pump(app, analysis_seconds, lambda: task.finished)
        beat.phase = f"cancel_{mode}"
        cancel_started = time.monotonic()
        task.cancel()
        pump(app, 120, lambda: task.finished)
        last = progress[-1] if progress else None
        result[f"analysis_{mode}"] = {
            **beat.report(f"analysis_{mode}"), "stage_reached": last.stage if last else None,
            "done_in_stage": last.done if last else None, "cancel_s": round(time.monotonic() - cancel_started, 1),
            "cancel_stall": beat.report(f"cancel_{mode}").get("max_gap_ms"), "load": load()}
    window.close()
    pump(app, 0.5)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=["startup", "scroll", "scan"], default=["startup", "scroll", "scan"])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--thumbs", type=int, default=3000, help="distinct thumbnails behind the synthetic rows")
    parser.add_argument("--files", type=int, default=10_000, help="photos in the scanned library")
    parser.add_argument("--distinct", type=int, default=1500,
                        help="of which decoded from real photos (the rest are byte-level variants)")
    parser.add_argument("--scroll-seconds", type=float, default=20)
    parser.add_argument("--analysis-seconds", type=float, default=90)
    parser.add_argument("--in-process", action="store_true", help="also time analysis inside the window's process")
    parser.add_argument("--startup-runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"needs the real photos at {SHARED}")
        return 1
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from photoorg.app import theme

    theme.apply(app)
    print(f"load before: {load()}  (2 cores shared; figures are wall-clock under that load)")
    results = {}
    if {"startup", "scroll"} & set(args.only):
        big = make_big_catalog(BENCH / f"gui-{args.rows}.sqlite", args.rows, args.thumbs)
        if "startup" in args.only:
            results["startup"] = bench_startup(big, args.startup_runs)
            print(json.dumps({"startup": results["startup"]}, indent=1), flush=True)
        if "scroll" in args.only:
            results["scroll"] = bench_scroll(app, big, args.scroll_seconds)
            print(json.dumps({"scroll": results["scroll"]}, indent=1), flush=True)
    if "scan" in args.only:
        files = make_files(BENCH / "gui-library" / "photos", args.files, 1024, distinct=args.distinct)
        results["scan"] = bench_scan(app, files, args.analysis_seconds, args.in_process, args.workers)
        print(json.dumps({"scan": results["scan"]}, indent=1), flush=True)
    print(f"load after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

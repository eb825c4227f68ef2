"""Fuzzing stays: a seeded corpus of a few hundred damaged and hostile photos
and sidecars, made from ../shared/photos in every format the scanner reads,
scanned with worker processes as a user would. Every photo is added or
skipped with a reason, none with a bug's reason ("unexpected error"), no
traceback, and memory stays under a stated bound. The longer run for release
checks is tests/bench/fuzz_scan.py (hypothesis)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PHOTOS = 300
SEED = 19
MEMORY_BOUND_MB = 1024  # per process: the scanning process and each worker


def test_a_seeded_fuzzed_corpus_is_scanned_without_a_single_traceback(shared_photos, tmp_path):
    run = subprocess.run([sys.executable, str(HERE / "fuzz_corpus.py"), str(shared_photos), str(tmp_path),
                          str(PHOTOS), str(SEED)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["photos"] == PHOTOS and report["sidecars"] > 50
    assert {".jpg", ".png", ".heic", ".avif", ".webp", ".tiff", ".gif", ".jxl", ".dng", ".kdc"} <= set(
        report["formats"]), report["formats"]
    assert report["problems"] == [], report["problems"]
    assert report["added"] > 50 and report["skipped"] > 50  # the corpus holds both
    assert report["peak_mb"] < MEMORY_BOUND_MB and report["worker_peak_mb"] < MEMORY_BOUND_MB, report
    print(json.dumps(report))

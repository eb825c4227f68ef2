"""Albums benchmark: prints figures (not a timed test).

1. Labelling cost: 1,000 albums of 50 photos with concept vectors already
   computed, through the shipped event model on ONNX Runtime (CPU), plus the
   importance recalibration; against a baseline in the same run (the same
   albums through the teacher's closed-form scores, numpy only).
2. Time segmentation: boundary precision / recall / F1 on synthetic camera
   rolls of four shooting habits (seeds not used to choose the parameters),
   adaptive vs one fixed gap; and the real GPS walk.
3. With --real: the shipped model on real photos with a known event (from
   ../shared/photos), labels and probabilities printed.

    .venv/bin/python tests/bench/bench_albums.py [--real] [--albums 1000] [--photos 50]
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
SHARED = REPO.parent / "shared" / "photos"


def load() -> str:
    return os.popen("uptime").read().strip()


def bench_labelling(n_albums: int, n_photos: int) -> None:
    from photoorg.engine.albums import teacher
    from photoorg.engine.albums.events import EventModel
    from photoorg.engine.albums.importance import album_importance
    from photoorg.engine.settings import Settings

    rng = np.random.default_rng(0)
    # Concept vectors shaped like the backbone's: a few strong classes, a long tail.
    albums = []
    for _ in range(n_albums):
        c = rng.dirichlet(np.full(1000, 0.02), size=n_photos).astype(np.float32)
        albums.append(c)
    tmp = Path(tempfile.mkdtemp(prefix="bench-albums-"))
    try:
        settings = Settings.for_catalog(tmp / "catalog.sqlite", workers=2)
        model = EventModel(settings)
        t = time.perf_counter()
        model.predict(albums[:2])  # export + session load, once
        setup = time.perf_counter() - t
        t = time.perf_counter()
        preds = model.predict(albums)
        infer = time.perf_counter() - t
        t = time.perf_counter()
        for p in preds:
            album_importance(list(range(n_photos)), p.importance_head, p.attention, p.event_probs, p.photo_event_probs)
        imp = time.perf_counter() - t
        aff = teacher.affinity()
        t = time.perf_counter()
        for c in albums:
            teacher.album_event_scores(c, aff)
        base = time.perf_counter() - t
        print(f"labelling {n_albums} albums x {n_photos} photos (embeddings given), CPU:")
        print(f"  ONNX export + session load (once): {setup:.1f} s")
        print(f"  event transformer: {infer:.2f} s ({n_albums / infer:.0f} albums/s, "
              f"{n_albums * n_photos / infer:.0f} photos/s)")
        print(f"  importance recalibration: {imp:.2f} s; total {infer + imp:.2f} s")
        print(f"  baseline, teacher scores in numpy: {base:.2f} s (transformer/baseline = {infer / base:.1f}x)")
        print(f"  load: {load()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_segmentation() -> None:
    from photoorg.engine.albums.segment import SegmentParams, segment_by_time
    from photoorg.engine.albums.synthetic_rolls import found_boundaries, make_roll

    methods = {
        "adaptive (default)": SegmentParams(),
        "fixed gap 30 min": SegmentParams(ratio=0, min_gap_s=1800, jump_km=1e12),
        "fixed gap 2 h": SegmentParams(ratio=0, min_gap_s=7200, jump_km=1e12),
        "adaptive, no GPS": SegmentParams(jump_km=1e12),
    }
    print("time segmentation on synthetic camera rolls (20 rolls x 25 events per habit, GPS on half):")
    print(f"  {'habit':<9} {'method':<20} {'P':>6} {'R':>6} {'F1':>6}")
    for habit in ("burst", "moderate", "sparse", "mixed"):
        rolls = [make_roll(seed, habit, gps=seed % 2 == 0) for seed in range(20)]
        for name, params in methods.items():
            tp = fp = fn = 0
            for roll in rolls:
                found = set(found_boundaries(segment_by_time(roll.points, params)))
                truth = set(roll.boundaries)
                tp, fp, fn = tp + len(found & truth), fp + len(found - truth), fn + len(truth - found)
            p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
            print(f"  {habit:<9} {name:<20} {p:6.3f} {r:6.3f} {2 * p * r / max(p + r, 1e-9):6.3f}")


def bench_real() -> None:
    from photoorg.engine.albums.build import build_albums
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.pipeline import run_stages
    from photoorg.engine.scan.scanner import scan
    from photoorg.engine.settings import Settings

    if not SHARED.is_dir():
        print(f"real photos not found at {SHARED}; skipped")
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-albums-real-"))
    try:
        lib = tmp / "lib"
        shutil.copytree(SHARED / "immich/albums/nature", lib / "nature")
        shutil.copytree(SHARED / "immich/albums/text", lib / "text")
        shutil.copytree(SHARED / "exif/jpg/gps", lib / "DCIM/100NIKON", ignore=shutil.ignore_patterns("*.txt"))
        settings = Settings.for_catalog(tmp / "catalog.sqlite", workers=2)
        with Catalog(settings.catalog_path) as catalog:
            scan(catalog, [str(lib)], settings)
            run_stages(catalog, settings, only=["embed"])
            build_albums(catalog, settings, "auto")
            print("the shipped event model on real albums (auto mode):")
            for a in catalog.albums("auto"):
                top = sorted(a.event_scores.items(), key=lambda kv: -kv[1])[:4]
                print(f"  [{a.id}] {a.title} ({a.photo_count} photos)")
                print("      " + ", ".join(f"{k} {v:.3f}" for k, v in top))
                best = catalog.album_photos(a.id, order="importance")[:3]
                print("      most important: " + ", ".join(f"{Path(p.path).name} {p.importance:.2f}" for p in best
                                                         if p.importance is not None))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--albums", type=int, default=1000)
    ap.add_argument("--photos", type=int, default=50)
    ap.add_argument("--real", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    bench_labelling(args.albums, args.photos)
    bench_segmentation()
    if args.real:
        bench_real()
    return 0


if __name__ == "__main__":
    sys.exit(main())

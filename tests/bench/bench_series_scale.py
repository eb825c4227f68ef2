"""Grouping at library scale, verification included.

    .venv/bin/python tests/bench/bench_series_scale.py [--photos 100000] [--path both|pool|single]

A synthetic library (engine/series/synthetic.py: outings, bursts, "one more
shot" repeats; backbone-sized embeddings whose cosines land where the real
backbone's do) goes through the series grouping: candidates by embedding,
then every candidate pair verified by ``local.compare`` on real keypoints.
The keypoints are those of a small real set (the development set's
originals and their copies, extracted here), reused: the shots of one
synthetic scene get the copies of one real photo, so verification does the
work it does on a library (matches, homographies, the changed-area check)
and reaches real verdicts. Keypoint extraction itself is per-photo analysis
(like the embedding) and cached, so it is not part of grouping; its cost per
photo is printed apart.

Two paths in the same run (``--path both``, the default): verification in a
pool of worker processes, one per core (``verify_pool``, what the series
stage does with a large batch), and in this process alone (the old path).
Prints for each the time, CPU per verified pair, the pairs verified and the
groups, whether both paths gave the same groups, and the peak memory of
this process and of the workers.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PHOTOS = REPO.parent / "shared" / "photos"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--path", choices=("both", "pool", "single"), default="both")
    parser.add_argument("--workers", type=int, default=0, help="pool size (default: one per core)")
    args = parser.parse_args()
    if not PHOTOS.is_dir():
        print(f"no photos at {PHOTOS}", file=sys.stderr)
        return 1
    import numpy as np

    from photoorg.engine.series import devset, local
    from photoorg.engine.series.synthetic import synthetic_library
    from photoorg.engine.series.verified import group_verified
    from photoorg.engine.series.verify_pool import Parallel, PackedKeypoints

    items = [it for it in devset.build(PHOTOS, small=True) if it.cls not in ("person-in", "other-person")]
    started = time.process_time()
    packed = [local.extract(it.image) for it in items]
    extract_ms = (time.process_time() - started) / len(items) * 1000
    feats = [local.unpack(p) for p in packed]
    moments: dict[str, list[int]] = {}
    for k, it in enumerate(items):
        moments.setdefault(it.moment, []).append(k)
    families = list(moments.values())
    keypoint_bytes = sum(p.nbytes for p in packed) / len(packed)
    del items

    lib = synthetic_library(args.photos, seed=args.seed)
    shot_in_scene: dict[int, int] = {}
    feature_of: dict[str, int] = {}
    for item, scene in zip(lib.items, lib.scene_of):
        k = shot_in_scene.get(int(scene), 0)
        shot_in_scene[int(scene)] = k + 1
        family = families[int(scene) % len(families)]
        feature_of[item.content_hash] = family[k % len(family)]
    index_of = {h: int(i) for h, i in feature_of.items()}
    source = PackedKeypoints(tuple(packed), index_of)
    calls = 0

    def verifier(ha: str, hb: str):
        nonlocal calls
        calls += 1
        return local.compare(feats[feature_of[ha]], feats[feature_of[hb]])

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    results = {}
    timings = {}
    worker_peaks: dict = {}
    critical: dict = {}
    for path in (["pool", "single"] if args.path == "both" else [args.path]):
        calls = 0
        parallel = Parallel(source, workers=args.workers, min_pairs=0) if path == "pool" else None
        cpu_self = time.process_time()
        cpu_children = _children_cpu()
        started = time.monotonic()
        groups = group_verified(lib.items, verifier, parallel=parallel)
        seconds = time.monotonic() - started
        own = time.process_time() - cpu_self
        cpu = own + _children_cpu() - cpu_children
        verified = parallel.computed if parallel is not None else calls
        if parallel is not None:
            worker_peaks = parallel.worker_peak_mb
        results[path] = groups
        timings[path] = seconds
        redundant = [g for g in groups if g.kind == "series"]
        similar = [g for g in groups if g.kind == "similar"]
        label = f"pool of {parallel.size()} processes" if parallel is not None else "single process (old path)"
        print(f"[{label}] photos: {args.photos:,}  grouping (candidates + verification): {seconds:.1f} s "
              f"({args.photos / seconds:,.0f} photos/s)")
        print(f"[{label}] pairs verified: {verified:,} ({verified / args.photos:.2f} per photo); "
              f"CPU {cpu:.1f} s in all, {cpu / max(verified, 1) * 1000:.2f} ms per pair, candidates included")
        if parallel is not None:
            workers_cpu = sorted(parallel.worker_cpu_s.values())
            critical[path] = own + max(workers_cpu, default=0)
            print(f"[{label}] CPU: this process {own:.1f} s, workers {' + '.join(f'{c:.1f}' for c in workers_cpu)} s; "
                  f"critical path {critical[path]:.1f} s (about the wall time on an idle machine "
                  f"with a core per process)")
        print(f"[{label}] groups: {len(redundant):,} redundant, {len(similar):,} similar-moment stacks; "
              f"true scenes with 2+ shots: {lib.true_groups:,}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    if len(results) == 2:
        same = [(g.kind, g.members) for g in results["pool"]] == [(g.kind, g.members) for g in results["single"]]
        print(f"same groups on both paths: {'yes' if same else 'NO'}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peaks = list(worker_peaks.values())
    total = rss + sum(peaks)
    print(f"peak memory: {rss:,.0f} MB this process (before grouping, the library itself: {rss_before:,.0f} MB), "
          f"workers {' + '.join(f'{p:,.0f}' for p in peaks) or '-'} MB; at most {total:,.0f} MB together")
    print(f"keypoints: {extract_ms:.0f} ms CPU per photo to extract (analysis, cached), "
          f"{keypoint_bytes / 1024:.1f} kB each in the catalog; real photos reused: {len(feats)}")
    if len(timings) == 2:
        print(f"pool / single process: {timings['pool']:.1f} s / {timings['single']:.1f} s = "
              f"{timings['pool'] / timings['single']:.2f}x the time")
    for path, seconds in timings.items():
        ok = seconds < 60 and total < 2048
        line = f"target ({path}): under 60 s and 2 GB -> {'met' if ok else 'NOT met'} on the wall clock"
        if path in critical:
            line += f"; CPU critical path {critical[path]:.1f} s ({'under' if critical[path] < 60 else 'over'} 60 s)"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Grouping at library scale, verification included.

    .venv/bin/python tests/bench/bench_series_scale.py [--photos 100000]

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
photo is printed apart. Prints time, peak memory, candidate and verified
pairs, and groups.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PHOTOS = REPO.parent / "shared" / "photos"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not PHOTOS.is_dir():
        print(f"no photos at {PHOTOS}", file=sys.stderr)
        return 1
    import numpy as np

    from photoorg.engine.series import devset, local
    from photoorg.engine.series.synthetic import synthetic_library
    from photoorg.engine.series.verified import group_verified

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
    del items, packed

    lib = synthetic_library(args.photos, seed=args.seed)
    shot_in_scene: dict[int, int] = {}
    feature_of: dict[str, int] = {}
    for item, scene in zip(lib.items, lib.scene_of):
        k = shot_in_scene.get(int(scene), 0)
        shot_in_scene[int(scene)] = k + 1
        family = families[int(scene) % len(families)]
        feature_of[item.content_hash] = family[k % len(family)]
    calls = 0

    def verifier(ha: str, hb: str):
        nonlocal calls
        calls += 1
        return local.compare(feats[feature_of[ha]], feats[feature_of[hb]])

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.monotonic()
    groups = group_verified(lib.items, verifier)
    seconds = time.monotonic() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    redundant = [g for g in groups if g.kind == "series"]
    similar = [g for g in groups if g.kind == "similar"]
    print(f"photos: {args.photos:,}  grouping (candidates + verification): {seconds:.1f} s "
          f"({args.photos / seconds:,.0f} photos/s)")
    print(f"pairs verified: {calls:,} ({calls / args.photos:.2f} per photo; "
          f"{seconds / max(calls, 1) * 1000:.2f} ms each, candidates included)")
    print(f"groups: {len(redundant):,} redundant, {len(similar):,} similar-moment stacks; "
          f"true scenes with 2+ shots: {lib.true_groups:,}")
    print(f"peak memory: {rss:,.0f} MB (before grouping, the library itself: {rss_before:,.0f} MB)")
    print(f"keypoints: {extract_ms:.0f} ms CPU per photo to extract (analysis, cached), "
          f"{keypoint_bytes / 1024:.1f} kB each in the catalog; real photos reused: {len(feats)}")
    print(f"target: under 60 s and 2 GB -> {'met' if seconds < 60 and rss < 2048 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

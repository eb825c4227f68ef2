"""Series grouping precision/recall on the labelled real-photo set.

    .venv/bin/python tests/bench/bench_series_grouping.py [--simulated 40]

Scans ../shared/photos into a temporary catalog, runs the embed stage, builds
the labelled set of engine/series/realset.py (real groups, the 4 frames of
bird_burst.heic, and "one more shot" groups simulated from real photos) and
prints pairwise precision/recall for a sweep of thresholds, with the photos'
real capture times and with every photo at the same instant (visual cues
alone: the worst case, e.g. files whose only date is the copy time).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
PHOTOS = REPO.parent / "shared" / "photos"


def build_items(root: Path, simulated: int, seed: int = 0):
    from photoorg.engine.analysis import embed_stage
    from photoorg.engine.analysis.backbone_runner import BackboneRunner
    from photoorg.engine.analysis.embed_stage import dhash
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.imaging.decode import decode
    from photoorg.engine.progress import CancelToken
    from photoorg.engine.scan.scanner import scan
    from photoorg.engine.series.grouping import PhotoItem
    from photoorg.engine.series.realset import (BURST, FAMILIES, burst_frames, is_photo_like, label_of,
                                                simulated_series)
    from photoorg.engine.settings import Settings

    settings = Settings.for_catalog(root / "c.sqlite")
    items, labels, families, names = [], {}, {}, {}
    with Catalog(settings.catalog_path) as cat:
        scan(cat, [str(PHOTOS)], settings)
        embed_stage.STAGE.run(cat, settings, lambda p: None, CancelToken())
        photos = cat.photos()
        hashes = [p.content_hash for p in photos]
        emb = cat.get_features("effnet_lite0", "embedding", hashes)
        dh = cat.get_features("effnet_lite0", "dhash", hashes)
        singles = []
        for p in photos:
            rel = str(Path(p.path).relative_to(PHOTOS))
            label = label_of(rel)
            if label is None or p.content_hash not in emb:
                continue
            image = decode(p.path, name=p.path, target=448)
            if not is_photo_like(image):
                continue
            items.append(PhotoItem(p.id, p.content_hash, p.capture_ts, emb[p.content_hash], dh[p.content_hash], p.path))
            labels[p.id], families[p.id], names[p.id] = label, FAMILIES.get(label), rel
            if label.startswith("single:") and min(image.size) >= 300:
                singles.append((p, rel, image))
    runner = BackboneRunner(settings)
    next_id = 10_000_000
    # The burst's later frames (frame 0 is the catalogued file itself).
    burst_row = next(i for i in items if names[i.photo_id] == BURST[0])
    frames = burst_frames(PHOTOS / BURST[0])[1:]
    out = runner.embed(frames)
    for k, frame in enumerate(frames, 1):
        items.append(PhotoItem(next_id, f"burst{k}", burst_row.capture_ts + 0.25 * k, out["embedding"][k - 1],
                               dhash(frame), f"{burst_row.name}#{k}"))
        labels[next_id], families[next_id], names[next_id] = BURST[1], None, f"{BURST[0]}#frame{k}"
        next_id += 1
    # "One more shot" groups around real photos.
    rng = random.Random(seed)
    chosen = rng.sample(singles, min(simulated, len(singles)))
    sims = simulated_series([(rel, image) for _, rel, image in chosen], per_group=3, seed=seed)
    out = runner.embed([s.image for s in sims]) if sims else {"embedding": []}
    source_of = {rel: p for p, rel, _ in chosen}
    for s, vec in zip(sims, out["embedding"]):
        src_rel = s.rel.split("#")[0]
        src = source_of[src_rel]
        labels[src.id] = s.label  # the original joins its simulated shots
        shot = int(s.rel.rsplit("shot", 1)[1])
        items.append(PhotoItem(next_id, f"sim{next_id}", (src.capture_ts or 0.0) + 2.0 * (shot + 1), vec, dhash(s.image),
                               f"{src.path}#{shot}"))
        labels[next_id], families[next_id], names[next_id] = s.label, None, s.rel
        next_id += 1
    return items, labels, families, names


def evaluate(items, labels, families, params, same_time=False):
    from photoorg.engine.series.grouping import group_photos
    from photoorg.engine.series.realset import pair_scores

    if same_time:  # every photo in one instant: compare all pairs, visual cues alone decide
        items = [dataclasses.replace(i, capture_ts=0.0) for i in items]
        params = dataclasses.replace(params, neighbours=len(items))
    groups = group_photos(items, params)
    predicted = {}
    for gi, g in enumerate(groups):
        for pid in g.members:
            predicted[pid] = gi
    # Duplicates: the series stage keeps one content per series; its copies
    # are grouped through the duplicates group. Merge the two views here.
    by_hash = {}
    for i in items:
        by_hash.setdefault(i.content_hash, []).append(i.photo_id)
    for same in by_hash.values():
        rep = next((predicted[p] for p in same if p in predicted and groups[predicted[p]].kind == "series"), None)
        if rep is None:
            rep = next((predicted[p] for p in same if p in predicted), None)
        if rep is not None:
            for p in same:
                predicted[p] = rep
    return pair_scores(labels, predicted, families)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--simulated", type=int, default=40)
    args = ap.parse_args()
    if not PHOTOS.is_dir():
        print(f"no photos at {PHOTOS}", file=sys.stderr)
        return 1
    from photoorg.engine.series.grouping import GroupingParams

    with tempfile.TemporaryDirectory(prefix="bench-series-") as tmp:
        items, labels, families, names = build_items(Path(tmp), args.simulated)
    n_groups = len({l for l in labels.values() if not l.startswith("single:")})
    print(f"labelled set: {len(items)} photos, {n_groups} true groups "
          f"({sum(1 for l in labels.values() if l.startswith('sim:'))} photos in simulated groups), "
          f"{sum(1 for l in labels.values() if l.startswith('single:'))} unrelated singles")
    print(f"{'sim':>5} {'group':>5} {'hash':>4} | {'P(real t)':>9} {'R(real t)':>9} {'F1':>5} | "
          f"{'P(same t)':>9} {'R(same t)':>9} {'F1':>5}")
    default = GroupingParams()
    rows = []
    for sim in np.arange(0.70, 0.935, 0.02):
        for use_hash in (True, False):
            params = dataclasses.replace(default, min_similarity=float(sim), min_group_similarity=float(sim) - 0.04,
                                         max_hash_distance=default.max_hash_distance if use_hash else -1)
            real = evaluate(items, labels, families, params)
            same = evaluate(items, labels, families, params, same_time=True)
            rows.append((sim, use_hash, real, same))
            print(f"{sim:5.2f} {sim - 0.04:5.2f} {str(use_hash):>4} | {real.precision:9.3f} {real.recall:9.3f} "
                  f"{real.f1:5.3f} | {same.precision:9.3f} {same.recall:9.3f} {same.f1:5.3f}")
    chosen = evaluate(items, labels, families, default, same_time=True)
    chosen_real = evaluate(items, labels, families, default)
    print(f"\nshipped defaults {default}:\n  real times: P {chosen_real.precision:.3f} R {chosen_real.recall:.3f} "
          f"F1 {chosen_real.f1:.3f} ({chosen_real.true_pairs} true pairs, {chosen_real.counted_pairs} counted)\n"
          f"  same time:  P {chosen.precision:.3f} R {chosen.recall:.3f} F1 {chosen.f1:.3f}")
    for title, pairs in (("false links (same time)", chosen.false_links), ("missed links (same time)", chosen.missed_links),
                         ("false links (real times)", chosen_real.false_links),
                         ("missed links (real times)", chosen_real.missed_links)):
        print(f"{title}: {len(pairs)}")
        for a, b in pairs[:15]:
            print(f"   {names[a]}  <->  {names[b]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Learning from the user's series picks, with a simulated user.

    .venv/bin/python tests/bench/bench_series_user.py [--series 40]

Builds a library of series from real photos (../shared/photos): each series
is one photo shot three times with a small camera move and a different
exposure (x0.8, x1.0, x1.2, written as JPEG files). A simulated user always
keeps the brightest shot, a taste the shipped head was never taught. The
script scans, analyzes (embed + series), records the user's picks as the
window would (catalog.set_series_pick), runs the fine-tuning of
``photoorg train-series`` and prints its held-out accuracy before and after,
plus how often the series' rank-1 photo is the user's choice after
re-ranking with the fine-tuned head.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

from PIL import ImageEnhance

REPO = Path(__file__).resolve().parents[2]
PHOTOS = REPO.parent / "shared" / "photos"
FACTORS = (0.8, 1.0, 1.2)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=30)
    args = ap.parse_args()
    if not PHOTOS.is_dir():
        print(f"no photos at {PHOTOS}", file=sys.stderr)
        return 1
    import fnmatch

    from photoorg.engine.catalog import Catalog
    from photoorg.engine.pipeline import run_stages
    from photoorg.engine.scan.scanner import scan
    from photoorg.engine.series.realset import EXCLUDED
    from photoorg.engine.series.train_jobs import finetune_on_decisions
    from photoorg.engine.series.training import collect_sources
    from photoorg.engine.settings import Settings

    rng = random.Random(args.seed)
    sources = collect_sources([PHOTOS], min_side=300,
                              exclude=lambda rel: any(fnmatch.fnmatch(rel, p) for p in EXCLUDED))
    sources = rng.sample(sources, min(args.series, len(sources)))
    with tempfile.TemporaryDirectory(prefix="bench-user-") as tmp:
        root = Path(tmp)
        brightest = set()
        for k, (name, image) in enumerate(sources):
            folder = root / "lib" / f"s{k:03d}"
            folder.mkdir(parents=True)
            for f in FACTORS:
                w, h = image.size
                dx, dy = rng.uniform(-0.03, 0.03) * w, rng.uniform(-0.03, 0.03) * h
                shot = image.resize((w, h), box=(0.04 * w + dx, 0.04 * h + dy, 0.96 * w + dx, 0.96 * h + dy))
                shot = ImageEnhance.Brightness(shot).enhance(f)
                path = folder / f"IMG_{int(f * 100):03d}.jpg"
                shot.save(path, quality=92)
                if f == max(FACTORS):
                    brightest.add(str(path))
        settings = Settings.for_catalog(root / "c.sqlite")
        with Catalog(settings.catalog_path) as cat:
            scan(cat, [str(root / "lib")], settings)
            run_stages(cat, settings, only=["embed", "series"])
            infos = cat.series_list("series")
            paths = {p.id: p.path for p in cat.photos()}
            before_top1 = sum(paths[i.members[0].photo_id] in brightest for i in infos)
            for info in infos:
                choice = next((m.photo_id for m in info.members if paths[m.photo_id] in brightest), None)
                if choice is not None:
                    cat.set_series_pick(info.id, choice)
            report = finetune_on_decisions(cat, settings, epochs=args.epochs, seed=args.seed)
            run_stages(cat, settings, only=["series"])  # re-rank with the user's head
            infos = cat.series_list("series")
            after_top1 = sum(paths[i.members[0].photo_id] in brightest for i in infos)
    print(f"{len(sources)} real photos -> {len(infos)} series found (3 shots each, exposure x0.8 / x1.0 / x1.2); "
          f"the simulated user keeps the brightest")
    print(f"fine-tuning: {report['train_pairs']} training pairs, {report['held_out_pairs']} held-out pairs from "
          f"{report['held_out_series']} series never trained on")
    print(f"held-out pair accuracy: {report['held_out_accuracy_before']:.3f} (shipped head) -> "
          f"{report['held_out_accuracy_after']:.3f} (fine-tuned), gain {report['gain']:+.3f}; "
          f"heuristic {report['heuristic_held_out_accuracy']:.3f}; saved: {bool(report['saved'])}")
    print(f"rank-1 is the user's choice in {before_top1}/{len(infos)} series before, {after_top1}/{len(infos)} after "
          f"(after includes the series trained on)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

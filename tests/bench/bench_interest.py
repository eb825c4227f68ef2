"""Interest benchmark: quality on degraded copies, and learning a user's taste.

    .venv/bin/python tests/bench/bench_interest.py [--repeats 10] [--rebuild]
    .venv/bin/python tests/bench/bench_interest.py --save-default   # also writes the shipped weights

1. Quality dataset: every readable photo in ../shared/photos plus scikit-image's
   bundled photos, each decoded at the working size with four degraded copies
   (``engine.interest.dataset``); features cached in .bench/interest/.
2. Quality: five-fold cross-validation by near-duplicate group; the share of
   held-out (better, worse) pairs the quality dimension orders correctly.
3. Learning from decisions, by simulation: a synthetic user with a hidden
   preference defined from something real keeps the photos it likes and
   trashes the others (10 % of decisions flipped: people are inconsistent);
   the user head is retrained on its first 0 / 20 / 50 / 200 decisions (the
   pool holds fewer photos than 200, so late decisions revisit photos, as a
   rating after a keep does) and held-out photos (other near-duplicate
   groups) are ranked: ROC AUC against the hidden preference, mean and
   spread over repeats. Preferences:
   - "people": dlib's HOG face detector finds a face in the photo;
   - "nature": the photo's EfficientNet-Lite0 concepts put > 35 % on the
     landscape, plant and animal groups (resources/interest/concept_groups.tsv).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
PHOTOS = REPO.parent / "shared" / "photos"
CACHE = REPO / ".bench" / "interest"
SKIMAGE = ("astronaut", "camera", "chelsea", "coffee", "coins", "rocket", "clock", "moon", "page", "text",
           "hubble_deep_field", "immunohistochemistry", "retina", "stereo_motorcycle", "grass", "gravel", "brick")
NATURE = {"landscapes", "plants & flowers", "birds", "insects", "wild animals", "small creatures",
          "reptiles & amphibians", "fish", "marine mammals", "small mammals"}
DECISIONS = (0, 20, 50, 200)
FLIP = 0.1


def settings():
    from photoorg.engine.settings import Settings

    return Settings.for_catalog(CACHE / "bench.sqlite", workers=2)


def skimage_folder() -> Path:
    import skimage.data as data

    folder = CACHE / "skimage"
    folder.mkdir(parents=True, exist_ok=True)
    for name in SKIMAGE:
        target = folder / f"{name}.png"
        if not target.exists():
            a = getattr(data, name)()
            Image.fromarray(a[0] if isinstance(a, tuple) else a).save(target)
    return folder


def quality_dataset(rebuild: bool):
    from photoorg.engine.cli.common import ProgressPrinter
    from photoorg.engine.interest.backbones import make_backbones
    from photoorg.engine.interest.dataset import QualityDataset, build_quality_dataset, find_images

    path = CACHE / "quality_ds.npz"
    if path.exists() and not rebuild:
        return QualityDataset.load(path), None
    paths = find_images([PHOTOS, skimage_folder()])
    started = time.monotonic()
    ds = build_quality_dataset(paths, make_backbones(settings()), seed=0, progress=ProgressPrinter())
    seconds = time.monotonic() - started
    ds.save(path)
    return ds, seconds / len(ds.photo)


def hidden_preferences(ds) -> dict[str, np.ndarray]:
    """Per photo of the dataset: has a face (dlib), nature share (concepts)."""
    path = CACHE / "preferences.json"
    cached = json.loads(path.read_text()) if path.exists() else {}
    if cached.get("paths") != ds.paths:
        import dlib

        from photoorg.engine.analysis.backbone_runner import BackboneRunner
        from photoorg.engine.interest.profile import concept_groups
        from photoorg.engine.interest.tiles import working_image

        detector = dlib.get_frontal_face_detector()
        runner = BackboneRunner(settings())
        groups = np.array(concept_groups())
        nature_cols = np.isin(groups, sorted(NATURE))
        faces, nature = [], []
        for p in ds.paths:
            im = working_image(p)
            small = im.copy()
            small.thumbnail((800, 800))
            faces.append(len(detector(np.asarray(small), 1)))
            nature.append(float(runner.embed([im])["concepts"][0, nature_cols].sum()))
        cached = {"paths": ds.paths, "faces": faces, "nature": nature}
        path.write_text(json.dumps(cached))
    return {"people": np.array(cached["faces"]) > 0, "nature": np.array(cached["nature"]) > 0.35}


def auc(scores, positive):
    from photoorg.engine.interest.preference import auc as _auc

    return _auc(np.asarray(scores), np.asarray(positive, bool))


def simulate(model, meta, ds, prefer: np.ndarray, repeats: int, config) -> dict[int, list[float]]:
    from photoorg.engine.interest.prior import prior_logit
    from photoorg.engine.interest.training import pooled_features, predict_raw, train_user_head, user_raw

    originals = np.flatnonzero(ds.level == 0)  # one row per photo, in photo order
    feats, mask = ds.feats[originals], ds.mask[originals]
    pooled = pooled_features(model, feats, mask)
    prior = prior_logit(predict_raw(model, feats, mask)[:, model.index("quality")], meta)
    groups = ds.group[ds.photo[originals]]
    results: dict[int, list[float]] = {n: [] for n in DECISIONS}
    for r in range(repeats):
        rng = np.random.default_rng(1000 + r)
        unique = rng.permutation(np.unique(groups))
        held_groups = unique[: int(len(unique) * 0.3)]
        held = np.flatnonzero(np.isin(groups, held_groups))
        pool = np.flatnonzero(~np.isin(groups, held_groups))
        order = np.concatenate([rng.permutation(pool) for _ in range(3)])  # revisits after the pool is used up
        for n in DECISIONS:
            if n == 0:
                results[n].append(auc(prior[held], prefer[held]))
                continue
            chosen = order[:n]
            kept = prefer[chosen] ^ (rng.random(n) < FLIP)
            # the latest decision on a photo counts (signals.py does the same)
            last = {int(p): float(k) for p, k in zip(chosen, kept)}
            rows = np.array(sorted(last))
            labels = np.array([last[p] for p in rows], np.float32)
            m = train_user_head(model, pooled[rows], mask[rows], prior[rows], labels,
                                np.ones(len(rows), np.float32), None, seed=r, config=config)
            scores = prior[held] + user_raw(m, pooled[held], mask[held])
            results[n].append(auc(scores, prefer[held]))
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--rebuild", action="store_true", help="recompute the features")
    parser.add_argument("--save-default", action="store_true", help="write resources/models/interest_default.npz")
    parser.add_argument("--skip-quality", action="store_true", help="only the simulation (uses the shipped weights)")
    args = parser.parse_args()
    if not PHOTOS.is_dir():
        print(f"no photos at {PHOTOS}")
        return 1
    CACHE.mkdir(parents=True, exist_ok=True)
    ds, per_image_s = quality_dataset(args.rebuild)
    print(f"dataset: {len(ds.paths)} photos ({len(np.unique(ds.group))} near-duplicate groups), "
          f"{int((ds.level > 0).sum())} degraded copies")
    if per_image_s:
        print(f"feature extraction: {per_image_s:.2f} s per image (2 backbones x 16 sub-images, decode included); "
              f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    from photoorg.engine.interest.model_store import default_weights_path, load_weights

    if not args.skip_quality:
        from photoorg.engine.interest.base_training import train_base_from_dataset

        out = default_weights_path() if args.save_default else CACHE / "interest_base.npz"
        started = time.monotonic()
        report = train_base_from_dataset(ds, out, seed=0, folds=5)
        print(f"\nquality, 5-fold by group: {report['accuracy']:.1%} of {report['held_out_pairs']} held-out pairs "
              f"ordered correctly (folds {report['fold_accuracy']}); {time.monotonic() - started:.0f} s")
        print(f"{'degradation / pair':<36} {'pairs':>5} {'accuracy':>8}")
        for k, v in report["by_kind"].items():
            print(f"{k:<36} {v['pairs']:>5} {v['accuracy']:>8.1%}")
        weights = out
    else:
        weights = default_weights_path()

    from photoorg.engine.interest.training import UserTraining

    model, meta = load_weights(weights)
    prefs = hidden_preferences(ds)
    config = UserTraining()
    print(f"\nlearning from decisions ({args.repeats} repeats, 30% of groups held out, {FLIP:.0%} of decisions flipped)")
    print(f"{'preference':<10} {'base rate':>9} " + " ".join(f"{f'{n} dec.':>13}" for n in DECISIONS))
    for name, prefer in prefs.items():
        res = simulate(model, meta, ds, prefer, args.repeats, config)
        cells = " ".join(f"{np.nanmean(v):>6.3f}±{np.nanstd(v):<6.3f}" for v in res.values())
        print(f"{name:<10} {prefer.mean():>9.1%} {cells}")
    print("(ROC AUC of held-out photos' interest against the hidden preference; 0.5 = chance)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Interest benchmark: quality on degraded copies, learning a user's taste, cost.

    .venv/bin/python tests/bench/bench_interest.py [--repeats 20] [--rebuild]
    .venv/bin/python tests/bench/bench_interest.py --save-default --compare-old --cost 40   # what the card reports
    .venv/bin/python tests/bench/bench_interest.py --pca 256,512   # the rejected stored-size reduction

1. Quality dataset: every readable photo in ../shared/photos plus scikit-image's
   bundled photos, each decoded at 896 px (short side) with four degraded
   copies made there (``engine.interest.dataset``), every version shrunk to
   the stage's working size and cut into 4x4 sub-images; 1280-d features of
   both backbones cached in .bench/interest/quality_ds_raw<tile>.npz.
2. Quality: five-fold cross-validation by near-duplicate group; the share of
   held-out (better, worse) pairs the quality dimension orders correctly.
   ``--save-default`` then writes the base trained on every photo to
   resources/models/interest_default.npz.
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
4. ``--compare-old``: steps 2-3 also for feature version 1 (224 px tiles, the
   photo seen at 896 px), on the same photos, copies, folds and repeats.
5. ``--cost N``: the stage's feature work per photo (decode of the original,
   tiles, both backbones) on ~12 MP real JPEGs, old and new configuration
   alternating in this process, with the load average; bytes stored per photo.
6. ``--pca D,...``: steps 2-3 with each backbone's features shrunk by a PCA to
   D dimensions (then spread evenly over the D stored channels by a Hadamard
   rotation, so the model's per-channel standardisation does not whiten
   them), fitted on every photo of the dataset (optimistic: the held-out
   folds shape it too). Measured and rejected for the stored features.
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
OLD = {"tile": 224, "side": 896}  # feature version 1


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


def raw_dataset(tile: int, side: int, rebuild: bool):
    """Raw 1280-d features of the quality dataset at this tile size (cached)."""
    from photoorg.engine.cli.common import ProgressPrinter
    from photoorg.engine.interest.backbones import make_backbones
    from photoorg.engine.interest.dataset import QualityDataset, build_quality_dataset, find_images

    path = CACHE / f"quality_ds_raw{tile}.npz"
    if path.exists() and not rebuild:
        return QualityDataset.load(path)
    paths = find_images([PHOTOS, skimage_folder()])
    started = time.monotonic()
    ds = build_quality_dataset(paths, make_backbones(settings(), tile=tile), seed=0, progress=ProgressPrinter(),
                               tile=tile, side=side)
    print(f"built the {tile} px dataset in {time.monotonic() - started:.0f} s (load {os.getloadavg()[0]:.1f})")
    ds.save(path)
    return ds


def pca_variant(ds, dim: int):
    """The dataset with each backbone's features PCA-projected to ``dim``
    (fitted here, on every photo) and Hadamard-rotated; explained variance."""
    from photoorg.engine.interest.dataset import QualityDataset

    rotation = np.ones((1, 1))
    while len(rotation) < dim:  # Sylvester's Hadamard matrix (dim a power of two)
        rotation = np.block([[rotation, rotation], [rotation, -rotation]])
    rotation /= np.sqrt(dim)

    feats = np.zeros(ds.feats.shape[:3] + (dim,), np.float16)
    explained = []
    for m in range(ds.feats.shape[1]):
        present = ds.mask[:, m] > 0
        x = ds.feats[present, m].reshape(-1, ds.feats.shape[-1]).astype(np.float64)
        mu = x.mean(0)
        values, vectors = np.linalg.eigh(np.cov(x - mu, rowvar=False))
        order = np.argsort(values)[::-1][:dim]
        explained.append(round(float(values[order].sum() / values.sum()), 3))
        components = vectors[:, order] @ rotation
        feats[present, m] = ((ds.feats[present, m].astype(np.float64) - mu) @ components).astype(np.float16)
    return QualityDataset(feats, ds.mask, ds.photo, ds.kind, ds.level, ds.group, ds.paths), explained


def hidden_preferences(ds) -> dict[str, np.ndarray]:
    """Per photo of the dataset: has a face (dlib), nature share (concepts)."""
    path = CACHE / "preferences.json"
    cached = json.loads(path.read_text()) if path.exists() else {}
    wanted = [os.path.abspath(p) for p in ds.paths]
    if [os.path.abspath(p) for p in cached.get("paths", [])] != wanted:
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
            im = working_image(p, side=896)
            small = im.copy()
            small.thumbnail((800, 800))
            faces.append(len(detector(np.asarray(small), 1)))
            nature.append(float(runner.embed([im])["concepts"][0, nature_cols].sum()))
        cached = {"paths": wanted, "faces": faces, "nature": nature}
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


def evaluate(label: str, ds, out: Path, repeats: int, features: dict | None = None) -> dict:
    """Quality cross-validation, the base model trained on everything (saved
    to ``out``), and the decision simulation on it."""
    from photoorg.engine.interest.base_training import train_base_from_dataset
    from photoorg.engine.interest.model_store import load_weights
    from photoorg.engine.interest.training import UserTraining

    started = time.monotonic()
    report = train_base_from_dataset(ds, out, seed=0, folds=5, features=features)
    print(f"\n[{label}] quality, 5-fold by group: {report['accuracy']:.1%} of {report['held_out_pairs']} held-out "
          f"pairs ordered correctly (folds {report['fold_accuracy']}); {time.monotonic() - started:.0f} s")
    print(f"{'degradation / pair':<36} {'pairs':>5} {'accuracy':>8}")
    for k, v in report["by_kind"].items():
        print(f"{k:<36} {v['pairs']:>5} {v['accuracy']:>8.1%}")
    model, meta = load_weights(out)
    prefs = hidden_preferences(ds)
    print(f"\n[{label}] learning from decisions ({repeats} repeats, 30% of groups held out, "
          f"{FLIP:.0%} of decisions flipped)")
    print(f"{'preference':<10} {'base rate':>9} " + " ".join(f"{f'{n} dec.':>13}" for n in DECISIONS))
    sims = {}
    for name, prefer in prefs.items():
        res = simulate(model, meta, ds, prefer, repeats, UserTraining())
        sims[name] = {n: [float(np.nanmean(v)), float(np.nanstd(v))] for n, v in res.items()}
        cells = " ".join(f"{m:>6.3f}±{s:<6.3f}" for m, s in sims[name].values())
        print(f"{name:<10} {prefer.mean():>9.1%} {cells}")
    print("(ROC AUC of held-out photos' interest against the hidden preference; 0.5 = chance)")
    return {"quality": report, "simulation": sims}


def measure_cost(count: int, rounds: int = 2) -> None:
    """Seconds per photo of the stage's feature work (decode of the original
    included) on ~12 MP real JPEGs, old and new configuration alternating
    over ``rounds`` rounds (so a change of the machine's load hits both),
    and the bytes stored per photo."""
    from PIL import Image as PILImage

    from photoorg.engine.interest.backbones import make_backbones, tile_features
    from photoorg.engine.interest.dataset import find_images
    from photoorg.engine.interest.tiles import NUM_TILES, TILE, WORK_SIDE, cut_tiles, working_image

    def megapixels(p):
        try:
            with PILImage.open(p) as im:
                return im.width * im.height / 1e6
        except OSError:
            return 0.0

    big = [p for p in find_images([PHOTOS]) if p.suffix.lower() in (".jpg", ".jpeg") and 10 <= megapixels(p) <= 17]
    if not big:
        print("no 10-17 MP JPEGs to time")
        return
    paths = [big[i % len(big)] for i in range(count)]  # the few camera originals, cycled
    mean_mp = np.mean([megapixels(p) for p in paths])
    st = settings()
    configs = [(f"old ({OLD['tile']} px tiles, 1280-d)", OLD["tile"], OLD["side"]),
               (f"new ({TILE} px tiles, 1280-d)", TILE, WORK_SIDE)]
    print(f"\ncost of the feature work on {len(paths)} decodes of {len(big)} real JPEGs of 10-17 MP (mean "
          f"{mean_mp:.1f} MP): decode, 4x4 tiles, 2 backbones; one process, "
          f"photos 4 per batch as the stage, {rounds} rounds alternating old/new")
    backbones = {}
    for label, tile, side in configs:  # sessions built and warmed outside the timing
        backbones[label] = make_backbones(st, tile=tile)
        tile_features([cut_tiles(working_image(str(paths[0]), side=side), tile)], backbones[label])
    totals: dict[str, list[float]] = {c[0]: [0.0, 0.0] for c in configs}
    for r in range(rounds):
        for label, tile, side in configs:
            load_before = os.getloadavg()[0]
            wall, cpu = time.perf_counter(), time.process_time()
            for i in range(0, len(paths), 4):
                tiles = [cut_tiles(working_image(str(p), side=side), tile) for p in paths[i:i + 4]]
                feats = tile_features(tiles, backbones[label])
            wall, cpu = (time.perf_counter() - wall) / len(paths), (time.process_time() - cpu) / len(paths)
            totals[label][0] += wall / rounds
            totals[label][1] += cpu / rounds
            print(f"  round {r + 1} {label:<32} {wall:.3f} s/photo wall, {cpu:.3f} s/photo CPU "
                  f"(load {load_before:.2f} -> {os.getloadavg()[0]:.2f})")
    for label, _tile, _side in configs:
        stored = len(backbones[label]) * NUM_TILES * next(iter(feats.values())).shape[-1] * 2  # float16
        print(f"  mean {label:<32} {totals[label][0]:.3f} s/photo wall, {totals[label][1]:.3f} s/photo CPU; "
              f"stores {stored / 1024:.0f} KiB/photo")
    print(f"  uptime: {os.popen('uptime').read().strip()}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true", help="recompute the features")
    parser.add_argument("--save-default", action="store_true", help="write resources/models/interest_default.npz")
    parser.add_argument("--compare-old", action="store_true", help="also feature version 1 (224 px tiles)")
    parser.add_argument("--cost", type=int, default=0, metavar="N", help="time the feature work on N photos")
    parser.add_argument("--skip-quality", action="store_true", help="only the cost measurement")
    parser.add_argument("--pca", default="", metavar="D,...", help="also PCA-shrunk features of these sizes")
    args = parser.parse_args()
    if not PHOTOS.is_dir():
        print(f"no photos at {PHOTOS}")
        return 1
    CACHE.mkdir(parents=True, exist_ok=True)
    from photoorg.engine.interest.model_store import default_weights_path
    from photoorg.engine.interest.tiles import TILE, WORK_SIDE

    if args.cost:
        measure_cost(args.cost)
    if args.skip_quality:
        return 0
    ds = raw_dataset(TILE, WORK_SIDE, args.rebuild)
    print(f"dataset: {len(ds.paths)} photos ({len(np.unique(ds.group))} near-duplicate groups), "
          f"{int((ds.level > 0).sum())} degraded copies")
    results = {}
    if args.compare_old:
        old = raw_dataset(OLD["tile"], OLD["side"], args.rebuild)
        same = ([os.path.abspath(p) for p in old.paths] == [os.path.abspath(p) for p in ds.paths]
                and (old.group == ds.group).all() and (old.kind == ds.kind).all())
        print(f"old configuration: same photos, groups and copies as the new one: {same}")
        results["old"] = evaluate(f"old: {OLD['tile']} px tiles", old, CACHE / "interest_old.npz", args.repeats,
                                  features={"version": 1, "tile": OLD["tile"], "dim": 1280})
    for dim in [int(d) for d in args.pca.split(",") if d]:
        shrunk, explained = pca_variant(ds, dim)
        print(f"\nPCA to {dim}: explained variance per backbone {explained}")
        results[f"pca{dim}"] = evaluate(f"{TILE} px tiles, PCA {dim}-d", shrunk, CACHE / f"interest_pca{dim}.npz",
                                        args.repeats, features={"version": 0, "tile": TILE, "dim": dim})
    out = default_weights_path() if args.save_default else CACHE / "interest_base.npz"
    results["new"] = evaluate(f"new: {TILE} px tiles", ds, out, args.repeats)
    (CACHE / "results.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

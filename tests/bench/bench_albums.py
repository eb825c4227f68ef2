"""Albums benchmark: prints figures (not a timed test).

1. Labelling cost: 1,000 albums of 50 photos with concept vectors already
   computed, through the shipped event model on ONNX Runtime (CPU), plus the
   importance recalibration; against a baseline in the same run (the same
   albums through the teacher's closed-form scores, numpy only).
2. Time segmentation: boundary precision / recall / F1 on synthetic camera
   rolls of four shooting habits (seeds not used to choose the parameters),
   adaptive vs one fixed gap; and the real GPS walk.
3. With --real: the shipped model (or several weights files, compared in the
   same run on the same catalog) on real albums with a known answer (from
   ../shared/photos): events where a person sees one (nature, the GPS walk)
   and folders that are no event (text, camera samples), probabilities
   printed; random mixes of the held-out unrelated photos (the share whose
   title would name an event); or, with --library, every album of a copy of
   a whole folder the way a user sees it.
4. With --evidence CAT (a catalog of ../shared/photos after ``photoorg scan``
   and ``photoorg analyze``): the evidence beside the event model (text,
   calendar, people, time of day, place), each source's effect on its own
   and all together, fitted on synthetic albums (evidence_fit.py) and
   measured on other synthetic albums and on the real albums with a known
   answer, all in one run; --write-combiner saves the all-sources fit as
   resources/models/event_evidence.json.

    .venv/bin/python tests/bench/bench_albums.py [--real] [--weights A.pt --weights B.pt]
        [--library ../shared/photos] [--skip-speed] [--albums 1000] [--photos 50]
        [--evidence CAT [--write-combiner] [--train-albums 3000] [--test-albums 1000]]
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


# Real albums with a known answer, all held out of the training command in the model card
# (the first model held out only nature, text and the walk):
# folder in ../shared/photos -> (folder in the test library, what a person would say).
REAL_ALBUMS = {
    "immich/albums/nature": ("nature", "NatureTrip"),
    "exif/jpg/gps": ("DCIM/100NIKON", "Architecture|UrbanTrip"),   # a walk: cut by time, one event
    "immich/albums/text": ("text", None),
    "exif/jpg/exif-org": ("exif-org", None),                     # 15 unrelated camera samples
    "exif/jpg": ("jpg", None),                                   # its own files only: mixed camera tests
    "faces/knn_examples/train": ("portraits", None),             # 9 portraits of 5 public figures, flattened
}
FLATTEN = {"faces/knn_examples/train"}  # one album of the photos of every subfolder
UNRELATED = ("text", "exif-org", "jpg", "portraits")  # held-out photos with no event, for random mixes


def _real_library(lib: Path) -> None:
    for src, (dest, _truth) in REAL_ALBUMS.items():
        target = lib / dest
        target.mkdir(parents=True, exist_ok=True)
        files = (SHARED / src).rglob("*") if src in FLATTEN else (SHARED / src).iterdir()
        for f in sorted(files):
            if f.is_file() and f.suffix.lower() not in (".txt", ".md"):
                shutil.copy(f, target / f.name)


def _models(weights: list[str]):
    from photoorg.engine.albums import events as ev

    paths = [Path(w) for w in weights] or [ev.default_weights_path()]
    return [(p.name, ev.load_torch_model(p)[0]) for p in paths]


def _mix_negatives(catalog, predict, count: int = 300, seed: int = 0) -> dict:
    """Random albums of 4-20 held-out unrelated real photos (camera samples,
    text): the share whose title would name an event (top >= 0.5)."""
    from photoorg.engine.albums.events import FEATURE_KIND, FEATURE_MODEL

    pool = [p for p in catalog.photos() if Path(p.path).parent.name in UNRELATED]
    concepts, has = catalog.feature_matrix(FEATURE_MODEL, FEATURE_KIND, [p.content_hash for p in pool])
    concepts = concepts[has]
    rng = np.random.default_rng(seed)
    albums = [concepts[rng.choice(len(concepts), int(rng.integers(4, 21)), replace=False)] for _ in range(count)]
    top = np.array([p.event_probs.max() for p in predict(albums)])
    return {"photos": len(concepts), "albums": count, "titled": float((top >= 0.5).mean()),
            "mean_top": float(top.mean())}


def bench_real(weights: list[str], library: str | None) -> None:
    """Each model (``weights``: files; default the shipped one) on the same
    catalog in the same run: the real albums with a known answer, random
    mixes of held-out unrelated photos, and (``library``) every album of a
    whole folder in auto mode, the way a user would see it."""
    from photoorg.engine.albums import events as ev
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
        if library:
            shutil.copytree(library, lib)  # a copy: file times are today's, as for a user's fresh copy
        else:
            _real_library(lib)
        settings = Settings.for_catalog(tmp / "catalog.sqlite", workers=2)
        with Catalog(settings.catalog_path) as catalog:
            scan(catalog, [str(lib)], settings)
            run_stages(catalog, settings, only=["embed"])
            known = {str(lib / dest): (src, truth) for src, (dest, truth) in REAL_ALBUMS.items()}
            for name, torch_model in _models(weights):
                model = ev.EventModel(settings, run=ev.torch_runner(torch_model))
                build_albums(catalog, settings, "auto", model=model, relabel=True)
                folders = catalog.folder_paths()
                print(f"\n== {name} on real albums (auto mode; probabilities independent per event)")
                for a in catalog.albums("auto"):
                    folder = folders.get(a.folder_id, "")
                    if not library and folder not in known:
                        continue
                    top = sorted(a.event_scores.items(), key=lambda kv: -kv[1])[:4]
                    src, truth = known.get(folder, (Path(folder).name, "?"))
                    print(f"  [{a.id}] {a.title!r} ({a.photo_count} photos; {src}; a person: {truth or 'no event'})")
                    print("      " + ", ".join(f"{k} {v:.3f}" for k, v in top))
                    best = catalog.album_photos(a.id, order="importance")[:3]
                    if not library:
                        print("      most important: " + ", ".join(
                            f"{Path(p.path).name} {p.importance:.2f}" for p in best if p.importance is not None))
                if not library:
                    mix = _mix_negatives(catalog, model.predict)
                    print(f"  random mixes of {mix['photos']} held-out unrelated photos ({mix['albums']} albums of "
                          f"4-20): titled with an event {mix['titled']:.1%}, mean top probability {mix['mean_top']:.3f}")
                else:
                    scores = [max(a.event_scores.values()) for a in catalog.albums("auto") if a.event_scores]
                    print(f"  albums whose title names an event: {sum(s >= 0.5 for s in scores)}/{len(scores)}")
            print(f"  load: {load()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


HELD_OUT = ("immich/albums", "el_torcal_rocks", "exif/jpg/gps", "exif/jpg/exif-org", "faces/knn_examples")


def _real_members(photos, src: str) -> list:
    root = str(SHARED / src)
    if src in FLATTEN:
        return [p for p in photos if p.path.startswith(root + "/")]
    return [p for p in photos if p.path.rsplit("/", 1)[0] == root]


def bench_evidence(catalog_path: str, write: bool, n_train: int, n_test: int, seed: int = 0) -> None:
    """Each evidence source's effect, fitted on synthetic albums, measured on
    other synthetic albums and on the real albums with a known answer."""
    from photoorg.engine.albums import events as ev
    from photoorg.engine.albums import evidence, evidence_fit, teacher
    from photoorg.engine.albums.context import album_context
    from photoorg.engine.albums.geo import update_photo_places
    from photoorg.engine.albums.synth import SyntheticAlbums
    from photoorg.engine.albums.words import update_photo_words
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.settings import Settings

    settings = Settings.for_catalog(catalog_path, workers=2)
    labels_all = teacher.event_labels()
    with Catalog(settings.catalog_path) as catalog:
        update_photo_places(catalog, settings.cache_dir)
        update_photo_words(catalog, settings.prefs.max_megapixels)
        photos = catalog.photos()
        feats_of = lambda ps: catalog.feature_matrix(ev.FEATURE_MODEL, ev.FEATURE_KIND, [p.content_hash for p in ps])
        pool_photos = [p for p in photos if not any(h in p.path for h in HELD_OUT)
                       and p.path.rsplit("/", 1)[0] != str(SHARED / "exif/jpg")]
        concepts, has = feats_of(pool_photos)
        pool = concepts[has]
        places = catalog.photo_places()
        words = catalog.photo_words([p.content_hash for p in photos])
        faces = catalog.face_counts([p.content_hash for p in photos])
        real = []
        for src, (_dest, truth) in REAL_ALBUMS.items():
            members = _real_members(photos, src)
            c, h = feats_of(members)
            y = np.zeros(len(labels_all), np.float32)
            for t in (truth or "").split("|"):
                if t:
                    y[labels_all.index(t)] = 1.0
            real.append((src, c[h], y, evidence.features(album_context(members, places, words, faces))))
    print(f"\n== evidence beside the event model ({len(pool)} background photos; load {load()})")
    model = ev.EventModel(settings, run=ev.torch_runner(ev.load_torch_model(ev.default_weights_path())[0]))

    def synthetic(count: int, s: int):
        synth = SyntheticAlbums(pool, seed=s)
        albums = [synth.album(None) for _ in range(count)]
        labels = np.stack([a[1] for a in albums])
        probs = np.stack([p.event_probs for p in model.predict([a[0] for a in albums])])
        feats = evidence_fit.contexts_for(labels, [a[4] for a in albums], seed=s + 7)
        return probs, feats, labels

    t = time.perf_counter()
    train = synthetic(n_train, seed)
    test = synthetic(n_test, seed + 1000)
    print(f"  synthetic albums: {n_train} to fit, {n_test} to measure (another seed and photo bank), "
          f"{time.perf_counter() - t:.0f} s; {float((test[2].max(1) < 0.5).mean()):.0%} of them no event")
    rows = evidence_fit.ablation(train, test)
    real_probs = np.stack([p.event_probs for p in model.predict([r[1] for r in real])])
    real_feats, real_labels = [r[3] for r in real], np.stack([r[2] for r in real])
    neg = ~real_labels.any(1)
    print(f"  {'':<20} {'synthetic mAP':>13} {'top-1':>6} {'neg titled':>10} {'pos titled right':>16}"
          f" | {'real mAP':>8} {'top-1':>6} {'no-event titled':>15} {'events titled':>13}   weights")
    for name, comb, m in rows:
        r = evidence_fit.measure(comb, real_probs, real_feats, real_labels)
        tops = np.array([comb.combine(p, f).max() for p, f in zip(real_probs, real_feats)])
        w = ", ".join(f"{s} {v:+.2f}" for s, v in comb.weights)
        print(f"  {name:<20} {m['mAP']:>13.3f} {m['top1']:>6.3f} {m['negatives_titled']:>10.1%} "
              f"{m['positives_titled_right']:>16.1%} | {r['mAP']:>8.3f} {r['top1']:>6.3f} "
              f"{int((tops[neg] >= 0.5).sum()):>9d} of {int(neg.sum())} {int((tops[~neg] >= 0.5).sum()):>8d} of "
              f"{int((~neg).sum())}   a {comb.a:.2f} b {comb.b:+.2f} {w}")
    full = rows[-1][1]
    print("  real albums (top event, model alone -> all sources):")
    for (src, _c, y, f), p in zip(real, real_probs):
        q = full.combine(p, f)
        truth = "|".join(labels_all[i] for i in np.flatnonzero(y)) or "no event"
        moved = ", ".join(f"{s} {float(np.abs(f[s]).max()):.2f}" for s in evidence.SOURCES if np.abs(f[s]).max() > 0)
        print(f"    {src:<26} ({truth}): {labels_all[int(p.argmax())]} {p.max():.3f} -> "
              f"{labels_all[int(q.argmax())]} {q.max():.3f}   [evidence: {moved or 'none'}]")
    if write:
        from photoorg.engine.albums.evidence import combiner_path

        m = rows[-1][2]
        evidence_fit.save_combiner(
            full, combiner_path(),
            trained={"synthetic_albums": n_train, "seed": seed, "background_photos": int(len(pool)),
                     "context": "engine/albums/evidence_fit.py ContextConfig defaults"},
            measured={"synthetic_albums": n_test, "mAP": round(m["mAP"], 4), "top1": round(m["top1"], 4),
                      "model_alone_mAP": round(rows[0][2]["mAP"], 4), "model_alone_top1": round(rows[0][2]["top1"], 4)})
        print(f"  written: {combiner_path()}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--albums", type=int, default=1000)
    ap.add_argument("--photos", type=int, default=50)
    ap.add_argument("--real", action="store_true")
    ap.add_argument("--weights", action="append", default=[], metavar="PT",
                    help="--real: event weights to compare in the same run (default: the shipped ones)")
    ap.add_argument("--library", default=None, metavar="DIR",
                    help="--real: every album of a copy of DIR instead of the albums with a known answer")
    ap.add_argument("--skip-speed", action="store_true", help="no labelling-cost or segmentation figures")
    ap.add_argument("--evidence", default=None, metavar="CAT",
                    help="each evidence source's effect, with an analysed catalog of ../shared/photos")
    ap.add_argument("--write-combiner", action="store_true", help="--evidence: save the all-sources fit")
    ap.add_argument("--train-albums", type=int, default=3000)
    ap.add_argument("--test-albums", type=int, default=1000)
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    if not args.skip_speed:
        bench_labelling(args.albums, args.photos)
        bench_segmentation()
    if args.real:
        bench_real(args.weights, args.library)
    if args.evidence:
        bench_evidence(args.evidence, args.write_combiner, args.train_albums, args.test_albums)
    return 0


if __name__ == "__main__":
    sys.exit(main())

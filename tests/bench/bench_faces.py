"""Faces benchmark: people found on real photos, privacy flags, speed.

    nice -n 10 .venv/bin/python tests/bench/bench_faces.py            # everything
    nice -n 10 .venv/bin/python tests/bench/bench_faces.py --skip-cnn --n 100000

1. ../shared/photos/faces (6 named people in knn_examples/train/<person>/,
   knn_examples/test/ incl. a two-person photo, test_images/ more of two of
   them incl. partial faces): the train folder is analysed first, then the
   rest is added and joins incrementally (no re-clustering); then a full
   re-clustering. Printed each time: pairwise precision/recall/F1 and BCubed
   P/R/F of people against the folder and file names, and verification
   accuracy over every same/different pair of faces. Identical files (the
   test_images copies of train photos) are one content, so one face.
2. Rotated faces: immich's portrait.jpg and its EXIF-orientation-6 twin, and
   a copy of a real photo stored sideways with orientation 6.
3. Private photos: immich/albums/text must be documents, albums/nature not.
4. Speed on this CPU: faces/second for detection (HOG, and the CNN/MMOD
   detector for comparison) and for alignment + embedding.
5. Clustering time for ``--n`` synthetic 128-D embeddings (default 100,000)
   shaped like a personal library (Zipf-sized people, 15% one-off faces).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "photos"
FACES = SHARED / "faces"

# Who is where in the multi-person photos: ranges of the face centre's x.
MULTI = {
    "obama_and_biden.jpg": [(0.0, 0.5, "biden"), (0.5, 0.72, "obama"), (0.72, 1.0, "other:girl")],
    "kit_with_rose.jpg": [(0.0, 0.4, "rose_leslie"), (0.4, 1.0, "kit_harington")],
}
BY_NAME = {"johnsnow_test1.jpg": "kit_harington", "alex_lacamoire1.jpg": "alex_lacamoire", "obama1.jpg": "obama",
           "biden.jpg": "biden", "32bit.png": "obama"}


def truth_of(path: str, box: tuple, largest: bool) -> str:
    p = Path(path)
    cx = box[0] + box[2] / 2
    if p.name in MULTI:
        return next(name for lo, hi, name in MULTI[p.name] if lo <= cx < hi)
    if not largest:  # a second face in a one-person photo: a bystander or a false detection
        return f"other:{p.name}:{cx:.2f}"
    if p.parent.parent.name == "train":
        return p.parent.name
    if p.name in BY_NAME:
        return BY_NAME[p.name]
    if p.name.startswith("portrait"):  # immich's portrait.jpg and its sideways twin
        return "immich_portrait"
    if p.name.startswith("obama"):
        return "obama"
    return f"other:{p.name}"


def people_figures(catalog, label: str) -> dict:
    from photoorg.engine.faces import metrics

    table = catalog.face_table()
    faces = [catalog.face(int(i)) for i in table["id"]]
    sizes = {}
    for f in faces:
        sizes.setdefault(f.content_hash, []).append(f.box[2] * f.box[3])
    truth = [truth_of(f.path, f.box, f.box[2] * f.box[3] == max(sizes[f.content_hash])) for f in faces]
    pred = np.array([f.person_id if f.person_id is not None else -1 for f in faces])
    pp, pr, pf = metrics.pairwise_prf(pred, truth)
    bp, br, bf = metrics.bcubed(pred, truth)
    ver = metrics.verification_accuracy(table["embedding"], truth, 0.6)
    ver5 = metrics.verification_accuracy(table["embedding"], truth, 0.5)
    names = {}
    for t, p in zip(truth, pred):
        names.setdefault(t, []).append(int(p))
    print(f"[{label}] {len(faces)} faces, {len(set(truth))} true identities, "
          f"{len(set(pred[pred >= 0].tolist()))} people, {int((pred < 0).sum())} faces in no person")
    print(f"  pairwise precision {pp:.3f} recall {pr:.3f} F1 {pf:.3f}; BCubed P {bp:.3f} R {br:.3f} F {bf:.3f}")
    print(f"  verification over {ver['pairs']} pairs ({ver['same_pairs']} same, {ver['different_pairs']} different): "
          f"accuracy {ver['accuracy']:.4f} at 0.6 (TA {ver['true_accept']:.3f}, TR {ver['true_reject']:.3f}), "
          f"{ver5['accuracy']:.4f} at 0.5")
    for t in sorted(names):
        print(f"    {t:<34} -> people {names[t]}")
    return {"pairwise": (pp, pr, pf), "bcubed": (bp, br, bf), "verification": ver}


def bench_people(workdir: Path) -> None:
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.faces import stage as faces_stage
    from photoorg.engine.faces.people import recluster
    from photoorg.engine.privacy import stage as privacy_stage
    from photoorg.engine.progress import CancelToken
    from photoorg.engine.scan.scanner import scan
    from photoorg.engine.settings import Settings

    settings = Settings.for_catalog(workdir / "catalog.sqlite", workers=1)
    lib = workdir / "library"
    shutil.copytree(FACES / "knn_examples" / "train", lib / "train")
    with Catalog(settings.catalog_path) as cat:
        scan(cat, [str(lib)], settings)
        t = time.monotonic()
        out = faces_stage.STAGE.run(cat, settings, lambda p: None, CancelToken())
        print(f"faces stage on knn_examples/train: {out} in {time.monotonic() - t:.1f}s")
        people_figures(cat, "train only")
        for sub in ("knn_examples/test", "test_images"):
            shutil.copytree(FACES / sub, lib / sub.replace("/", "_"))
        shutil.copytree(SHARED / "immich" / "metadata" / "faces", lib / "immich_faces")
        for album in ("text", "nature"):
            shutil.copytree(SHARED / "immich" / "albums" / album, lib / f"album_{album}")
        scan(cat, [str(lib)], settings)
        t = time.monotonic()
        out = faces_stage.finish(cat, settings, lambda p: None, CancelToken(), full=False)
        print(f"faces stage on the added photos: {out} in {time.monotonic() - t:.1f}s")
        people_figures(cat, "after incremental assignment")
        t = time.monotonic()
        out = recluster(cat)
        print(f"full re-clustering: {out} in {time.monotonic() - t:.2f}s")
        people_figures(cat, "after full re-clustering")

        print("\nrotated faces (EXIF orientation applied before detection):")
        for name in ("portrait.jpg", "portrait-orientation-6.jpg"):
            pid = cat.scalar("SELECT id FROM photos WHERE filename = ?", (name,))
            faces = cat.faces_of_photo(pid)
            print(f"  {name}: {len(faces)} face(s), box {[round(v, 3) for v in faces[0].box] if faces else None}, "
                  f"person {faces[0].person_id if faces else None}")

        t = time.monotonic()
        out = privacy_stage.STAGE.run(cat, settings, lambda p: None, CancelToken())
        print(f"\nprivacy stage: {out} in {time.monotonic() - t:.1f}s")
        flags = {Path(p.path).parent.name + "/" + Path(p.path).name: p.reasons for p in cat.privacy_list()}
        for album in ("album_text", "album_nature"):
            items = {k: v for k, v in flags.items() if k.startswith(album)}
            docs = sum("document" in v for v in items.values())
            print(f"  {album}: {docs}/{len(items)} flagged as documents")
            for k, v in sorted(items.items()):
                print(f"    {k:<48} {','.join(v) or '-'}")


def rotated_copy(workdir: Path) -> None:
    """A real photo stored sideways with EXIF orientation 6: found upright."""
    from PIL import Image

    from photoorg.engine.faces.detect import FaceAnalyzer
    from photoorg.engine.imaging.decode import decode

    src = FACES / "knn_examples" / "train" / "biden" / "biden2.jpg"
    im = Image.open(src).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90 degrees clockwise
    path = workdir / "sideways.jpg"
    im.transpose(Image.Transpose.ROTATE_90).save(path, exif=exif, quality=92)
    fa = FaceAnalyzer()
    upright = decode(str(path), name=str(path), target=1024)
    raw = Image.open(path).convert("RGB")
    print(f"  sideways copy of biden2.jpg: {len(fa.analyze(upright))} face(s) with orientation applied, "
          f"{len(fa.analyze(raw))} without")


def bench_speed(skip_cnn: bool) -> None:
    import dlib

    from photoorg.engine.faces.detect import DetectorConfig, FaceAnalyzer, _model
    from photoorg.engine.imaging.decode import decode, fit

    paths = sorted(p for p in FACES.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    # Decode + detection per photo, both paths interleaved on the same photos:
    # the stage's (FaceAnalyzer.load: native ~2048 px without upsampling for
    # large photos, fit to 1024 + one pyramid-up step for small ones) and the
    # one before it (decode with the short side >= 1024, fit to 1024, one
    # step up) -- the same for photos under ~1925 px.
    hog = FaceAnalyzer(DetectorConfig())
    old = FaceAnalyzer(DetectorConfig(native=False, gray=False))
    cpu = {"stage": 0.0, "before": 0.0}
    counts = {"stage": 0, "before": 0}
    for p in paths:
        c = time.process_time()
        image = hog.load(str(p))
        counts["stage"] += len(hog.boxes(image))
        cpu["stage"] += time.process_time() - c
        c = time.process_time()
        small = fit(decode(str(p), name=str(p), target=1024), 1024)
        counts["before"] += len(old.detect(np.ascontiguousarray(np.asarray(small))))
        cpu["before"] += time.process_time() - c
    print(f"\nspeed (one process, {os.cpu_count()} cores visible), {len(paths)} photos of {FACES.name}/:")
    for k in cpu:
        print(f"  decode + HOG detection, {k}: {cpu[k] / len(paths) * 1000:.0f} ms/photo CPU, {counts[k]} faces, "
              f"{counts[k] / cpu[k]:.2f} faces/s CPU")
    images = [np.asarray(fit(decode(str(p), name=str(p), target=1024), 1024)) for p in paths]
    t, c = time.perf_counter(), time.process_time()
    found = [old.detect(a) for a in images]
    det_s, det_cpu = time.perf_counter() - t, time.process_time() - c
    n_faces = sum(len(f) for f in found)
    pixels = sum(a.shape[0] * a.shape[1] for a in images) / len(images) / 1e6
    print(f"  HOG detection alone, 1024 px long side ({pixels:.2f} MP), RGB, upsample 1 (before): "
          f"{len(images) / det_s:.2f} photos/s, {n_faces / det_s:.2f} faces/s ({det_s / len(images) * 1000:.0f} ms/photo "
          f"wall, {det_cpu / len(images) * 1000:.0f} ms/photo CPU)")
    predictor, embedder = _model("landmarks5"), _model("embedder")
    t, c = time.perf_counter(), time.process_time()
    for a, dets in zip(images, found):
        shapes = dlib.full_object_detections()
        for rect, _ in dets:
            shapes.append(predictor(a, rect))
        if len(shapes):
            embedder.compute_face_descriptor(dlib.get_face_chips(a, shapes, size=150, padding=0.25))
    emb_s, emb_cpu = time.perf_counter() - t, time.process_time() - c
    print(f"  5-point alignment + 128-D embedding: {n_faces / emb_s:.2f} faces/s ({emb_s / n_faces * 1000:.0f} ms/face "
          f"wall, {emb_cpu / n_faces * 1000:.0f} ms/face CPU)")
    if not skip_cnn:
        cnn = FaceAnalyzer(DetectorConfig(side=512, upsample=1, detector="cnn"))
        small = [np.asarray(fit(decode(str(p), name=str(p), target=512), 512)) for p in paths[:6]]
        hog_small = FaceAnalyzer(DetectorConfig(side=512, upsample=1, gray=False))
        c = time.process_time()
        n_hog = sum(len(hog_small.detect(a)) for a in small)
        hs = time.process_time() - c
        c = time.process_time()
        n_cnn = sum(len(cnn.detect(a)) for a in small)
        cs = time.process_time() - c
        print(f"  at 512 px on {len(small)} photos, CPU time: HOG {hs / len(small) * 1000:.0f} ms/photo ({n_hog} faces), "
              f"CNN/MMOD {cs / len(small) * 1000:.0f} ms/photo ({n_cnn} faces): {cs / hs:.1f}x the CPU")


def synthetic_library(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Zipf-sized people (a few with thousands of faces, most with a handful),
    15% one-off faces; spreads as dlib's: ~0.35 within a person, ~1.0 apart."""
    rng = np.random.default_rng(seed)
    sizes = rng.zipf(1.6, n)
    sizes = sizes[sizes <= 3000]
    cum = np.cumsum(sizes)
    people = int(np.searchsorted(cum, int(n * 0.85))) + 1
    labels = np.repeat(np.arange(people), sizes[:people])[: int(n * 0.85)]
    loners = n - len(labels)
    labels = np.concatenate([labels, np.arange(people, people + loners)])
    centres = rng.normal(0, 0.062, (people + loners, 128)).astype(np.float32)
    x = centres[labels] + rng.normal(0, 0.022, (n, 128)).astype(np.float32)
    return x, labels


def bench_clustering(n: int) -> None:
    from photoorg.engine.faces import metrics
    from photoorg.engine.faces.cluster import ClusterParams, constrained_clusters, dbscan_like

    x, truth = synthetic_library(n)
    quality = np.random.default_rng(1).uniform(0.3, 1.0, n).astype(np.float32)
    # Photos of ~3 faces each, drawn at random: the cannot-link has work to do.
    photos = np.random.default_rng(4).integers(0, max(1, n // 3), n)
    for name, run in (("DBSCAN-like (no cannot-link)", lambda: dbscan_like(x, quality, ClusterParams())),
                      ("constrained linkage (the faces stage)",
                       lambda: constrained_clusters(x, photos, quality, ClusterParams()))):
        t, c = time.perf_counter(), time.process_time()
        labels = run()
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        bp, br, bf = metrics.bcubed(labels, truth)
        print(f"\n{name}: {n} synthetic embeddings ({len(np.unique(truth))} identities): {wall:.1f}s wall, "
              f"{cpu:.1f}s CPU; {labels.max() + 1} people, {int((labels < 0).sum())} faces in none; "
              f"BCubed P {bp:.3f} R {br:.3f} F {bf:.3f}")


def bench_catalog(n: int, workdir: Path) -> None:
    """Re-clustering and incremental assignment through a real catalog."""
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.faces.detect import DetectedFace
    from photoorg.engine.faces.people import assign_new, recluster

    x, _ = synthetic_library(n + 1000, seed=2)
    order = np.random.default_rng(3).permutation(len(x))
    x = x[order]

    def insert(cat, rows):
        with cat.write() as db:
            for k in rows:
                h = f"synthetic{k}"
                db.execute("INSERT INTO photos(path, filename, size, mtime_ns, content_hash, added_at, updated_at) "
                           "VALUES (?, ?, 1, 1, ?, 0, 0)", (f"/lib/{h}.jpg", f"{h}.jpg", h))
                face = DetectedFace((0.4, 0.3, 0.6, 0.6), ((0.5, 0.4),) * 5, 2.0, 200.0, 1.0, 0.0, 300.0, 0.9, x[k])
                cat.save_faces(h, [face], (1000, 800))

    with Catalog(workdir / "scale.sqlite") as cat:
        insert(cat, range(n))
        t = time.perf_counter()
        out = recluster(cat)
        full = time.perf_counter() - t
        insert(cat, range(n, n + 1000))
        t = time.perf_counter()
        inc = assign_new(cat)
        inc_s = time.perf_counter() - t
    print(f"\ncatalog with {n} faces: full re-clustering {full:.1f}s ({out['people']} people); "
          f"1000 new faces placed incrementally in {inc_s:.1f}s ({inc['assigned']} joined people, "
          f"{inc['new_people']} new people)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="synthetic embeddings to cluster")
    ap.add_argument("--skip-cnn", action="store_true", help="do not time the CNN detector")
    ap.add_argument("--catalog-faces", type=int, default=20_000, help="faces in the catalog-level run")
    ap.add_argument("--only", choices=["people", "speed", "clustering", "catalog"], default=None)
    args = ap.parse_args()
    print(f"load before: {os.getloadavg()}")
    if args.only in (None, "people"):
        if not FACES.is_dir():
            print(f"skipping the real-photo part: {FACES} not found")
        else:
            with tempfile.TemporaryDirectory() as tmp:
                os.environ["HOME"] = tmp  # never touch the real per-user folders
                bench_people(Path(tmp))
                rotated_copy(Path(tmp))
    if args.only in (None, "speed") and FACES.is_dir():
        bench_speed(args.skip_cnn)
    if args.only in (None, "clustering"):
        bench_clustering(args.n)
    if args.only in (None, "catalog"):
        with tempfile.TemporaryDirectory() as tmp:
            bench_catalog(args.catalog_faces, Path(tmp))
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()

"""One very long series (a time-lapse, a long burst) through the real series stage.

    nice -n 10 .venv/bin/python tests/bench/bench_series_large.py [--photos 5000] [--real 48]

Builds a catalog of ``--photos`` near-identical photos taken one second apart:
``--real`` jittered copies of a real photo from ../shared/photos (crop shift,
brightness, noise) go through the real backbone and the real PAU encoder,
and every other photo gets the features of one of them plus a little noise
(the features a near-identical shot has). Then, in a fresh process, the real
``series`` stage runs on that catalog (grouping, then ranking with the PAU
comparator on ONNX Runtime) and the script prints its time, the peak memory
(VmHWM) of that process, the series stored and their sizes.

The ranking of a series used n x (n - 1) comparator rows at once: 1,000
photos peaked at 17.2 GB, 20,000 failed asking for 1.37 TiB. Now a series
above ``ranking.FULL_ROUND_MAX`` photos meets a seeded sample of pairs
(``ranking.OPPONENTS`` per photo), sent to the comparator in chunks.
Target: peak under 1 GB with 5,000 photos, and the series stored.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
from fuzz_corpus import peak_mb  # noqa: E402 - VmHWM, not inherited like ru_maxrss
PHOTOS = REPO.parent / "shared" / "photos"
PEAK_LIMIT_MB = 1024


def _jittered(image, rng):
    from PIL import Image, ImageEnhance

    w, h = image.size
    dx, dy = rng.integers(0, max(1, w // 40), 2)
    out = image.crop((dx, dy, w - w // 40 + dx, h - h // 40 + dy)).resize((w, h))
    out = ImageEnhance.Brightness(out).enhance(float(rng.uniform(0.92, 1.08)))
    arr = np.asarray(out, np.float32) + rng.normal(0, 3, (h, w, 3))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def build(catalog_path: Path, n: int, n_real: int, seed: int = 0) -> dict:
    """Fill a catalog with ``n`` photos of one moment and their features."""
    from photoorg.engine.analysis.backbone_runner import MODEL_NAME, BackboneRunner
    from photoorg.engine.analysis.embed_stage import dhash
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.imaging.decode import decode
    from photoorg.engine.series import evidence, local
    from photoorg.engine.series.ranking import FEATURE_MODEL, SeriesRanking
    from photoorg.engine.settings import Settings

    source = sorted((PHOTOS / "immich" / "albums" / "nature").glob("*.jpg"))[0]
    rng = np.random.default_rng(seed)
    base = decode(str(source), name=source.name, target=448)
    images = [_jittered(base, rng) for _ in range(n_real)]
    settings = Settings.for_catalog(catalog_path, workers=2)
    runner = BackboneRunner(settings)
    ranking = SeriesRanking(settings)
    out = runner.embed(images, stages=True)
    vectors = ranking.vectors({k: out[k] for k in ("stage3", "stage4", "stage5")})
    embeddings = out["embedding"]
    hashes = [dhash(im) for im in images]
    # The catalog holds no files to read, so the keypoints that the stage's
    # verification would extract from each photo are stored beforehand.
    keypoints = [local.extract(im) for im in images]
    with Catalog(catalog_path) as cat:
        root = str(catalog_path.parent / "timelapse")
        cat.add_root(root)
        emb, dh, vec, kp = {}, {}, {}, {}
        with cat.write():
            for k in range(n):
                src = k % n_real
                content = f"{k:032x}"
                cat.record_photo(f"{root}/IMG_{k:05d}.jpg", {
                    "size": 2_000_000 + k, "mtime_ns": k, "content_hash": content, "format": "JPEG",
                    "width": 4000, "height": 3000, "capture_ts": 1_700_000_000.0 + k,
                    "capture_time": "2023-11-14T22:13:20", "capture_source": "exif"}, 0)
                noise = 0.0 if k < n_real else 0.01
                emb[content] = embeddings[src] * (1 + rng.normal(0, noise, embeddings[src].shape))
                vec[content] = vectors[src] * (1 + rng.normal(0, noise, vectors[src].shape))
                dh[content] = hashes[src]
                kp[content] = keypoints[src]
        cat.put_features(MODEL_NAME, "embedding", emb, dtype="<f2")
        cat.put_features(MODEL_NAME, "dhash", dh, dtype="|u1")
        cat.put_features(FEATURE_MODEL, ranking.feature_kind, vec, dtype="<f2")
        cat.put_features(evidence.FEATURE_MODEL, local.VERSION, kp, dtype="|u1")
    return {"photos": n, "real_feature_sources": n_real, "vector_dim": int(vectors.shape[1]),
            "source": str(source.relative_to(PHOTOS))}


def stage_only(catalog_path: Path) -> None:
    """Run the series stage alone in this process and print its figures."""
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.progress import CancelToken
    from photoorg.engine.series import stage
    from photoorg.engine.settings import Settings

    settings = Settings.for_catalog(catalog_path, workers=2)
    start_rss = peak_mb()
    with Catalog(catalog_path) as cat:
        started = time.monotonic()
        summary = stage.run(cat, settings, lambda p: None, CancelToken())
        seconds = time.monotonic() - started
        sizes = [r[0] for r in cat.query(
            "SELECT count(*) FROM series_members m JOIN series s ON s.id = m.series_id "
            "WHERE s.kind = 'series' GROUP BY s.id ORDER BY 1 DESC")]
        scored = cat.scalar("SELECT count(*) FROM series_members m JOIN series s ON s.id = m.series_id "
                            "WHERE s.kind = 'series' AND m.score IS NOT NULL")
    peak = peak_mb()
    print(json.dumps({"summary": summary, "seconds": round(seconds, 1), "series_sizes": sizes[:5],
                      "scored_members": scored, "rss_before_stage_mb": round(start_rss),
                      "peak_rss_mb": round(peak)}))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photos", type=int, default=5000)
    ap.add_argument("--real", type=int, default=48, help="photos whose features come from the real models")
    ap.add_argument("--stage-only", metavar="CATALOG", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.stage_only:
        stage_only(Path(args.stage_only))
        return 0
    if not PHOTOS.is_dir():
        print(f"skipped: {PHOTOS} not found (real photos are needed for the features)")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-series-large-") as tmp:
        catalog_path = Path(tmp) / "c.sqlite"
        started = time.monotonic()
        info = build(catalog_path, args.photos, args.real)
        print(f"built {info['photos']} photos of one moment ({info['real_feature_sources']} with features from "
              f"the real models on jittered copies of {info['source']}, vectors of {info['vector_dim']}) "
              f"in {time.monotonic() - started:.1f}s")
        run = subprocess.run([sys.executable, __file__, "--stage-only", str(catalog_path)],
                             capture_output=True, text=True)
        if run.returncode != 0:
            print(run.stderr[-3000:])
            return 1
        figures = json.loads(run.stdout.strip().splitlines()[-1])
        s = figures["summary"]
        n = args.photos
        print(f"series stage: {figures['seconds']} s; {s['series']} series stored, {s['photos_in_series']} photos "
              f"in series (largest {figures['series_sizes'][:3]}), {figures['scored_members']} ranked with a score")
        print(f"peak memory of the stage's process: {figures['peak_rss_mb']} MB "
              f"({figures['rss_before_stage_mb']} MB before the stage; limit {PEAK_LIMIT_MB} MB)")
        full = n * (n - 1) * 2 * info["vector_dim"] * 4 / 1e9
        print(f"(every pair at once would have fed the comparator {n * (n - 1):,} rows, "
              f"{full:.0f} GB of inputs alone)")
        ok = figures["peak_rss_mb"] < PEAK_LIMIT_MB and s["series"] >= 1 and figures["scored_members"] > 0
        print("OK" if ok else "FAILED: above the memory limit or no series stored")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

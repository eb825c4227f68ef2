"""The per-photo stage framework: one decode per photo file per analysis, the
runner's failures and retries, the process pool, discovery of stages."""

from __future__ import annotations

import dataclasses
import shutil

import numpy as np
import pytest

from photoorg.engine.progress import CancelToken

# Several formats and sizes: JPEGs with and without EXIF turns, a PNG, a HEIC, a RAW.
MIXED = [
    "faces/knn_examples/train/obama/obama.jpg",
    "people/human/group-1.jpg",
    "immich/albums/text/handwritten-notes.jpg",
    "immich/albums/nature/silver_fir.jpg",
    "immich/formats/png/density_plot.png",
    "heif/heif/zPug_3.heic",
    "raw/RAW_KODAK_DC50.KDC",
]


def _library(shared_photos, tmp_path, names):
    lib = tmp_path / "lib"
    lib.mkdir()
    for name in names:
        shutil.copy2(shared_photos / name, lib / name.replace("/", "_"))
    return lib


def test_an_analysis_decodes_each_photo_file_once(shared_photos, settings, catalog, tmp_path):
    from photoorg.engine.imaging import decode
    from photoorg.engine.pipeline import PhotoStage, run_stages, stages
    from photoorg.engine.scan.scanner import scan

    lib = _library(shared_photos, tmp_path, MIXED)
    scan(catalog, [str(lib)], settings)
    paths = {p.path for p in catalog.photos()}
    assert len(paths) == len(MIXED)
    decode.DECODES.clear()
    outcomes = run_stages(catalog, settings)  # workers=1: the pass runs in this process, where we count
    assert all(o.status == "done" for o in outcomes), [o.to_json() for o in outcomes]
    per_photo = [s.name for s in stages() if isinstance(s, PhotoStage)]
    assert {"embed", "faces", "privacy", "interest", "series_features"} <= set(per_photo)
    counts = {p: decode.DECODES[p] for p in paths}
    assert counts == {p: 1 for p in paths}, counts  # every stage of every photo from one decode
    assert set(decode.DECODES) <= paths  # and nothing else (no thumbnails, no second size)
    # Each stage really did its work from that decode.
    for name in per_photo:
        assert len(catalog.stage_done(name, dict((s.name, s.version) for s in stages()
                                                  if isinstance(s, PhotoStage))[name],
                                      [p.content_hash for p in catalog.photos()])) == len(MIXED), name
    decode.DECODES.clear()
    run_stages(catalog, settings)  # nothing new: nothing decoded
    assert not decode.DECODES


def test_failures_name_the_file_and_a_new_version_retries(shared_photos, settings, catalog, tmp_path):
    from photoorg.engine.scan.scanner import scan
    from photoorg.engine.series.features_stage import STAGE  # reads the photo itself (embed reads thumbnails)

    lib = _library(shared_photos, tmp_path, MIXED[:2])
    scan(catalog, [str(lib)], settings)
    broken = lib / MIXED[0].replace("/", "_")
    good = broken.read_bytes()
    broken.write_bytes(good[:1500])  # truncated after the scan
    out = STAGE.run(catalog, settings, lambda p: None, CancelToken())
    assert out["photos"] == 2 and out["failed"] == 1
    (failure,) = out["failures"]
    assert failure["path"].endswith(broken.name) and "truncated" in failure["reason"]
    assert STAGE.run(catalog, settings, lambda p: None, CancelToken())["photos"] == 0  # not retried as is
    broken.write_bytes(good)
    upgraded = dataclasses.replace(STAGE, version=STAGE.version + 1)
    again = upgraded.run(catalog, settings, lambda p: None, CancelToken())
    assert again["photos"] == 2 and again["failed"] == 0  # a new version: every photo, the failed one too


def test_the_process_pool_gives_the_results_of_one_process(shared_photos, tmp_path):
    from photoorg.engine.analysis.runner import JOB_PHOTOS
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.pipeline import run_stages
    from photoorg.engine.scan.scanner import scan
    from photoorg.engine.settings import Settings

    names = sorted(str(p.relative_to(shared_photos)) for p in (shared_photos / "bursts").rglob("*.jpg"))
    names = names[:JOB_PHOTOS + 4]  # two jobs: two workers
    assert len(names) > JOB_PHOTOS
    lib = _library(shared_photos, tmp_path, names)
    vectors = {}
    for workers in (1, 2):
        settings = Settings.for_catalog(tmp_path / f"w{workers}.sqlite", workers=workers)
        with Catalog(settings.catalog_path) as cat:
            scan(cat, [str(lib)], settings)
            (out,) = run_stages(cat, settings, only=["embed"])
            assert out.status == "done" and out.summary["embedded"] == len(names)
            assert out.summary["pass"]["workers"] == workers
            hashes = sorted(p.content_hash for p in cat.photos())
            vectors[workers] = cat.feature_matrix("effnet_lite0", "embedding", hashes)[0]
    assert np.allclose(vectors[1], vectors[2], atol=2e-2)


def test_a_stage_module_that_does_not_import_is_an_error(monkeypatch):
    from photoorg.engine import pipeline

    pipeline._all_stages.cache_clear()
    real = pipeline.stage_module_names()
    monkeypatch.setattr(pipeline, "stage_module_names", lambda: [*real, "photoorg.engine.nowhere.stage"])
    try:
        with pytest.raises(ModuleNotFoundError):
            pipeline.stages()
    finally:
        pipeline._all_stages.cache_clear()

"""The interest stage on real photos and awkward files: features once, scores
with a breakdown and heat map, the owner's decisions flowing into scores."""

from __future__ import annotations

import dataclasses
import json
import shutil

import numpy as np
import pytest
from PIL import Image

from photoorg.engine.catalog import Catalog
from photoorg.engine.interest.backbones import FEATURE_DIM, make_backbones, tile_features
from photoorg.engine.interest.features_io import FEATURE_MODEL, load_tile_features
from photoorg.engine.interest.stage import NAME, STAGE
from photoorg.engine.interest.tiles import NUM_TILES, TILE, cut_tiles, shrink_to_working, working_image
from photoorg.engine.progress import CancelToken
from photoorg.engine.scan.scanner import scan
from photoorg.engine.settings import Settings


REAL = ["immich/albums/nature/el_torcal_rocks.jpg", "faces/knn_examples/test/alex_lacamoire1.jpg",
        "exif/jpg/gps/DSCN0010.jpg", "immich/albums/nature/cyclamen_persicum.jpg"]


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("interest-models")


def settings_for(path, cache):
    return dataclasses.replace(Settings.for_catalog(path, workers=2), cache_dir=cache)


def test_tiles_for_thin_huge_and_grayscale_photos(tmp_path, model_cache):
    thin = Image.new("RGB", (1, 300), (200, 30, 30))
    gray = Image.fromarray(np.tile(np.arange(256, dtype=np.uint8), (200, 1)), "L")
    huge_path = tmp_path / "huge.jpg"
    Image.new("RGB", (9000, 6000), (20, 120, 200)).save(huge_path, quality=80)
    huge = working_image(str(huge_path))
    assert min(huge.size) <= 1200  # decoded small (DCT scaling), never at 54 MP
    sets = [cut_tiles(shrink_to_working(im)) for im in (thin, gray, huge)]
    for tiles in sets:
        assert tiles.shape == (NUM_TILES, TILE, TILE, 3) and tiles.dtype == np.uint8
    assert (sets[0][:, :, :, 0] > 150).all()  # the 1-px column fills every sub-image
    assert np.ptp(sets[1][0, 0, :, 0]) > 10 and (sets[1][..., 0] == sets[1][..., 2]).all()  # grey, left-to-right ramp
    feats = tile_features(sets, make_backbones(settings_for(tmp_path / "c.sqlite", model_cache)))
    for name, arr in feats.items():
        assert arr.shape == (3, NUM_TILES, FEATURE_DIM) and np.isfinite(arr).all(), name
        assert arr.std(axis=(1, 2)).min() > 0, name


@pytest.mark.slow
def test_stage_scores_real_photos_and_learns_from_decisions(shared_photos, tmp_path, model_cache):
    lib = tmp_path / "lib"
    lib.mkdir()
    for name in REAL:
        shutil.copy2(shared_photos / name, lib / name.rsplit("/", 1)[-1])
    Image.new("RGB", (1, 400), (90, 160, 60)).save(lib / "thin.png")
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (300, 400), dtype=np.uint8), "L").save(lib / "gray.jpg")
    (lib / "broken.jpg").write_bytes(Image.open(lib / "gray.jpg").tobytes()[:2000])  # scan skips it
    settings = settings_for(tmp_path / "catalog.sqlite", model_cache)
    with Catalog(settings.catalog_path) as cat:
        scan(cat, [str(lib)], settings)
        photos = cat.photos()
        assert len(photos) == 6
        # a file that broke after the scan is recorded as failed, the rest go on
        victim = next(p for p in photos if p.display_path.endswith("gray.jpg"))
        victim_bytes = open(victim.path, "rb").read()
        open(victim.path, "wb").write(victim_bytes[:300])
        summary = STAGE.run(cat, settings, lambda p: None, CancelToken())
        assert summary["featurized"] == 5 and summary["failed"] == 1 and summary["scored"] == 5
        assert cat.stage_failures(NAME)[victim.content_hash]  # with its reason
        stored = cat.get_features(FEATURE_MODEL, "mobilenet_v2")
        assert len(stored) == 5 and next(iter(stored.values())).shape == (16, FEATURE_DIM)
        assert next(iter(stored.values())).dtype == np.float16
        # idempotent: nothing redone
        again = STAGE.run(cat, settings, lambda p: None, CancelToken())
        assert again["photos"] == 0 and again["scored"] == 0
        ids = [p.id for p in photos if p.id != victim.id]
        scores = cat.interest_scores(ids)
        assert set(scores) == set(ids) and all(0 < s < 1 for s in scores.values())
        b = cat.interest_breakdown(ids[0])
        grid = np.array(b["attention"])
        assert grid.shape == (4, 4) and grid.sum() == pytest.approx(1.0, abs=1e-3)
        for dim, weights in b["backbone_attention"].items():
            assert sum(weights.values()) == pytest.approx(1.0, abs=1e-3) and len(weights) == 2, dim
        assert {c["term"] for c in b["contributions"]} <= {"quality", "people", "taste", "own"}
        assert set(b["dimensions"]) == {"quality", "user"}
        # the owner's own rating moves that photo at once (no re-analysis)
        before = cat.interest_scores([ids[1]])[ids[1]]
        cat.set_rating([ids[1]], 5)
        assert cat.interest_scores([ids[1]])[ids[1]] > before + 0.2
        # decisions: the next run retrains the user head and rescores
        cat.record_decision("keep", photo_id=ids[0])
        cat.record_decision("trash", photo_id=ids[2])
        cat.record_decision("keep", photo_id=ids[3])
        third = STAGE.run(cat, settings, lambda p: None, CancelToken())
        assert third["retrained"]["labelled_photos"] == 4 and third["scored"] == 5
        taste = {pid: t["taste"] for pid, t in cat.interest_logits(ids).items()}
        assert len({round(v, 6) for v in taste.values()}) > 1  # the learned correction differs per photo
        assert cat.last_interest_training()["photos"] == 4
        json.dumps(cat.interest_breakdown(ids[0]))  # plain data for the GUI


@pytest.mark.slow
def test_train_interest_command_is_deterministic(shared_photos, tmp_path, model_cache, capsys, monkeypatch):
    from photoorg.engine.cli import main
    from photoorg.engine.interest.model_store import user_weights_path, weights_key

    lib = tmp_path / "lib"
    lib.mkdir()
    for name in REAL:
        shutil.copy2(shared_photos / name, lib / name.rsplit("/", 1)[-1])
    settings = settings_for(tmp_path / "catalog.sqlite", model_cache)
    with Catalog(settings.catalog_path) as cat:
        scan(cat, [str(lib)], settings)
        ids = [p.id for p in cat.photos()]
        STAGE.run(cat, settings, lambda p: None, CancelToken())
    # the command's settings put the cache beside the catalog: share the export
    original = Settings.for_catalog
    monkeypatch.setattr("photoorg.engine.cli.common.Settings.for_catalog", lambda path, **kw: dataclasses.replace(
        original(path, **kw), cache_dir=model_cache))
    assert main(["train-interest", "--catalog", str(settings.catalog_path), "--json"]) == 1
    assert "no decisions" in json.loads(capsys.readouterr().out)["error"]
    with Catalog(settings.catalog_path) as cat:
        cat.record_decision("keep", photo_id=ids[0])
        cat.record_decision("trash", photo_id=ids[1])
        cat.set_flag([ids[2]], "pick")
    keys = []
    for _ in range(2):
        assert main(["train-interest", "--catalog", str(settings.catalog_path), "--json", "--seed", "7"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["labelled_photos"] == 3 and out["seed"] == 7 and out["held_out"] is None
        keys.append(weights_key(user_weights_path(settings)))
    assert keys[0] == keys[1]
    assert main(["train-interest", "--catalog", str(settings.catalog_path), "--json", "--seed", "8", "--rescore"]) == 0
    assert json.loads(capsys.readouterr().out)["rescored"] == 4
    assert weights_key(user_weights_path(settings)) != keys[0]


@pytest.mark.slow
def test_a_catalog_of_the_old_feature_version_is_recomputed(shared_photos, tmp_path, model_cache):
    """Version 1 stored features of 224 px tiles, of the same shape: after the
    bump the stage never reads them, recomputes and overwrites them, ignores
    a base and a user head made for them and retrains the user head from
    the decisions the catalog holds."""
    from photoorg.engine.interest.model_store import (BASE_FILE, base_weights_path, default_weights_path,
                                                      read_meta, save_weights, user_weights_path, weights_key)
    from photoorg.engine.interest.stage import VERSION
    from photoorg.engine.interest.training import new_model

    lib = tmp_path / "lib"
    lib.mkdir()
    for name in REAL[:3]:
        shutil.copy2(shared_photos / name, lib / name.rsplit("/", 1)[-1])
    settings = settings_for(tmp_path / "catalog.sqlite", model_cache)
    old = new_model(("quality", "user"), 0)
    save_weights(old, settings.models_dir / BASE_FILE, {"features": {"version": 1, "tile": 224, "dim": 1280}})
    save_weights(old, user_weights_path(settings), {"base_key": "made-over-version-1"})
    with Catalog(settings.catalog_path) as cat:
        scan(cat, [str(lib)], settings)
        photos = cat.photos()
        hashes = [p.content_hash for p in photos]
        rng = np.random.default_rng(0)
        v1 = {h: rng.normal(size=(16, FEATURE_DIM)).astype(np.float16) for h in hashes}
        for name in ("effnet_lite0", "mobilenet_v2"):
            cat.put_features(FEATURE_MODEL, name, v1, dtype="<f2")
        cat.mark_stage(hashes, NAME, VERSION - 1)
        assert load_tile_features(cat, hashes)[1].sum() == 0  # version 1 rows are never read
        cat.record_decision("keep", photo_id=photos[0].id)
        cat.record_decision("trash", photo_id=photos[1].id)
        assert base_weights_path(settings) == default_weights_path()  # the old own base is ignored
        summary = STAGE.run(cat, settings, lambda p: None, CancelToken())
        assert summary["featurized"] == 3 and summary["scored"] == 3
        assert summary["retrained"]["labelled_photos"] == 2
        for name in ("effnet_lite0", "mobilenet_v2"):
            stored = cat.get_features(FEATURE_MODEL, name)
            assert set(stored) == set(hashes)
            assert all(a.shape == (16, FEATURE_DIM) and not np.array_equal(a, v1[h]) for h, a in stored.items())
        assert load_tile_features(cat, hashes)[1].all()
        assert read_meta(user_weights_path(settings))["base_key"] == weights_key(default_weights_path())
        scores = cat.interest_scores([p.id for p in photos])
        assert len(scores) == 3 and all(0 < s < 1 for s in scores.values())

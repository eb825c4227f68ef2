"""train-interest's base-model paths on real photos: degraded copies for the
quality dimension, and the Visual Interest label layout."""

from __future__ import annotations

import dataclasses
import json
import shutil

import numpy as np
import pytest

from photoorg.engine.cli import main
from photoorg.engine.settings import Settings

PHOTOS = ["immich/albums/nature/el_torcal_rocks.jpg", "immich/albums/nature/cyclamen_persicum.jpg",
          "exif/jpg/gps/DSCN0010.jpg", "exif/jpg/gps/DSCN0012.jpg", "exif/jpg/gps/DSCN0021.jpg",
          "faces/knn_examples/test/alex_lacamoire1.jpg"]


@pytest.fixture
def shared_cache(tmp_path_factory, monkeypatch):
    cache = tmp_path_factory.mktemp("cli-models")
    original = Settings.for_catalog
    monkeypatch.setattr("photoorg.engine.cli.common.Settings.for_catalog", lambda path, **kw: dataclasses.replace(
        original(path, **kw), cache_dir=cache))
    return cache


@pytest.mark.slow
def test_quality_and_visual_interest_training(shared_photos, tmp_path, shared_cache, capsys):
    from photoorg.engine.interest.model_store import load_weights

    lib = tmp_path / "lib"
    lib.mkdir()
    for name in PHOTOS:
        shutil.copy2(shared_photos / name, lib / name.rsplit("/", 1)[-1])
    out = tmp_path / "base.npz"
    args = ["train-interest", "--catalog", str(tmp_path / "c.sqlite"), "--json", "--folds", "2", "--epochs", "3"]
    assert main([*args, "--quality", str(lib), "--out", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["held_out_pairs"] == 6 * 5 and 0.0 <= report["accuracy"] <= 1.0
    model, meta = load_weights(out)
    assert model.dimensions == ("quality", "user") and meta["quality_reference"]["std"] > 0

    # Visual Interest layout: photos + one CSV, one row per annotator
    rng = np.random.default_rng(0)
    rows = ["image,annotator,Quality,Arousal,General Interest"]
    for i, name in enumerate(PHOTOS):
        stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        for a in range(3):
            rows.append(f"{stem},w{a},{rng.integers(1, 8)},{rng.integers(1, 8)},{1 + (i + a) % 7}")
    for i in range(6):  # more photos: the reader wants at least 10
        shutil.copy2(lib / PHOTOS[i].rsplit("/", 1)[-1], lib / f"copy{i}.jpg")
        rows.append(f"copy{i},w0,{1 + i},{7 - i},{4}")
    (lib / "labels.csv").write_text("\n".join(rows) + "\n")
    vi_out = tmp_path / "vi.npz"
    assert main([*args, "--visual-interest", str(lib), "--out", str(vi_out)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["photos"] == 12 and set(report["dimensions"]) == {"quality", "arousal", "general_interest"}
    for m in report["dimensions"].values():
        assert set(m) == {"r2", "pearson", "rmse"} and np.isfinite(list(m.values())).all()
    model, meta = load_weights(vi_out)
    assert model.dimensions == ("quality", "arousal", "general_interest", "user")
    assert main([*args, "--quality", str(lib)]) == 1  # no --out, no --install: a clear error
    assert "--out" in json.loads(capsys.readouterr().out)["error"]

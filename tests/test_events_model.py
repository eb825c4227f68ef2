"""The event transformer: shapes and masks for albums of 1, S_A and 500 photos,
CLS attention that sums to one, padding that changes nothing, ONNX = torch."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from photoorg.engine.models.event_transformer import EventTransformer, export_onnx  # noqa: E402
from photoorg.engine.models.registry import create_model  # noqa: E402


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    m = create_model("event_transformer").eval()
    torch.nn.init.normal_(m.embed.weight, std=0.05)  # zero at init (unseen concepts add nothing): give it values
    return m


def test_paper_configuration(model):
    assert len(model.blocks) == 6 and model.blocks[0].attn.heads == 8
    assert model.num_positions == 32  # S_A
    assert model.event_head.out_features == 23


@pytest.mark.parametrize("n", [1, 32, 500])
def test_shapes_masks_and_attention(model, n):
    g = torch.Generator().manual_seed(n)
    x = torch.rand(2, n, model.in_dim, generator=g)
    mask = torch.ones(2, n, dtype=torch.bool)
    valid = max(1, n // 3)
    mask[1, valid:] = False
    with torch.no_grad():
        events, token_events, importance, attention = model(x, mask)
    assert events.shape == (2, 23)
    assert token_events.shape == (2, n, 23)
    assert importance.shape == (2, n) and attention.shape == (2, n)
    torch.testing.assert_close(attention.sum(-1), torch.ones(2), atol=1e-5, rtol=0)
    assert (attention[1, valid:] == 0).all() and (importance[1, valid:] == 0).all()
    assert ((importance[0] > 0) & (importance[0] < 1)).all()
    # The masked album equals the same photos given alone (padding is inert).
    with torch.no_grad():
        alone = model(x[1:2, :valid], torch.ones(1, valid, dtype=torch.bool))
    torch.testing.assert_close(alone[0][0], events[1], atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(alone[3][0], attention[1, :valid], atol=1e-5, rtol=1e-4)


def test_photo_order_matters_only_through_positions(model):
    # The same album reversed gives a different but valid answer (positions
    # and the capture-order neighbourhood are part of the model).
    x = torch.rand(1, 10, model.in_dim, generator=torch.Generator().manual_seed(3))
    mask = torch.ones(1, 10, dtype=torch.bool)
    with torch.no_grad():
        a = model(x, mask)[0]
        b = model(x.flip(1), mask)[0]
    assert not torch.allclose(a, b)


def test_onnx_export_matches_torch(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    torch.manual_seed(1)
    model = EventTransformer(depth=2).eval()
    torch.nn.init.normal_(model.embed.weight, std=0.05)
    path = tmp_path / "events.onnx"
    export_onnx(model, path)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for n in (1, 32, 77):
        x = torch.rand(3, n, model.in_dim, generator=torch.Generator().manual_seed(n))
        mask = torch.ones(3, n, dtype=torch.bool)
        mask[2, (n + 1) // 2:] = False
        with torch.no_grad():
            expected = model(x, mask)
        got = session.run(None, {"features": x.numpy(), "mask": mask.numpy()})
        for e, g in zip(expected, got):
            np.testing.assert_allclose(g, e.numpy(), atol=2e-5, rtol=1e-4)

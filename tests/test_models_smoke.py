"""Every registered model runs forward on its example inputs (timm's smoke test)."""

from __future__ import annotations

import pytest

from photoorg.engine.models.registry import create_model, list_models


@pytest.mark.parametrize("name", list_models())
def test_registered_model_runs_forward(name):
    torch = pytest.importorskip("torch")
    model = create_model(name).eval()
    with torch.no_grad():
        out = model(*model.example_inputs())
    tensors = out if isinstance(out, (tuple, list)) else list(out.values()) if isinstance(out, dict) else [out]
    for t in tensors:
        if isinstance(t, torch.Tensor):
            assert torch.isfinite(t).all(), name

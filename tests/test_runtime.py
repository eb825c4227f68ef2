"""The model runtime: providers chosen quietly, CUDA absent handled, sessions cached."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from photoorg.engine.runtime import (DeviceUnavailable, OnnxModelSpec, available_devices, batches, get_session,
                                     onnx_path, prefetch_map, providers_for)
from photoorg.engine.runtime import providers as prov
from photoorg.engine.runtime.session import clear_sessions
from photoorg.engine.settings import Preferences


@pytest.fixture
def no_cuda(monkeypatch):
    """A machine whose NVIDIA driver library cannot be loaded."""
    real = prov._load_quietly
    monkeypatch.setattr(prov, "_load_quietly",
                        lambda name: "libcuda.so.1: cannot open shared object file" if "cuda" in name else real(name))
    prov.reset_cache()
    clear_sessions()
    yield
    prov.reset_cache()
    clear_sessions()


def _add_model_spec(version="1", calls=None):
    def build(path):
        if calls is not None:
            calls.append(path)
        from onnx import TensorProto, helper

        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 3])
        graph = helper.make_graph([helper.make_node("Add", ["x", "x"], ["y"])], "double", [x], [y])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        path.write_bytes(model.SerializeToString())
    return OnnxModelSpec("double", version, build=build)


def test_without_cuda_auto_and_cpu_run_on_cpu_and_cuda_is_a_clear_error(no_cuda, settings):
    assert available_devices() == ["cpu"]
    assert providers_for("auto") == ["CPUExecutionProvider"]
    assert providers_for("cpu") == ["CPUExecutionProvider"]
    with pytest.raises(DeviceUnavailable, match="CUDA was requested.*NVIDIA driver"):
        providers_for("cuda")
    spec = _add_model_spec()
    session = get_session(spec, settings)
    assert session.device == "cpu" and session.providers == ["CPUExecutionProvider"]
    out = session.run({"x": np.ones((2, 3), np.float32)})
    assert np.allclose(out["y"], 2.0)
    assert get_session(spec, settings) is session  # one session per model
    with pytest.raises(DeviceUnavailable):
        get_session(spec, settings.with_prefs(Preferences(device="cuda")))


def test_cpu_preference_never_probes_cuda(monkeypatch, settings):
    prov.reset_cache()
    monkeypatch.setattr(prov, "_check_cuda", lambda: pytest.fail("CUDA probed for device=cpu"))
    assert providers_for("cpu") == ["CPUExecutionProvider"]
    prov.reset_cache()


def test_export_is_cached_and_rebuilt_when_the_version_changes(settings):
    calls = []
    first = onnx_path(_add_model_spec("1", calls), settings.models_dir)
    again = onnx_path(_add_model_spec("1", calls), settings.models_dir)
    assert first == again and len(calls) == 1
    newer = onnx_path(_add_model_spec("2", calls), settings.models_dir)
    assert newer != first and len(calls) == 2
    assert newer.exists() and not first.exists()  # the stale export is removed
    assert not list(settings.models_dir.glob(".*"))  # no temporary leftovers


def test_provider_choice_is_quiet_on_this_machine(tmp_path):
    """No ORT error spam on stderr when CUDA is absent (or present)."""
    code = (
        "from photoorg.engine.runtime import available_devices, providers_for\n"
        "print(available_devices(), providers_for('auto'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "cpu" in result.stdout
    assert "[E:" not in result.stderr and "Failed to load" not in result.stderr, result.stderr


def test_batching_helpers_keep_order():
    assert [len(b) for b in batches(range(10), 4)] == [4, 4, 2]
    assert list(prefetch_map(lambda x: x * x, range(50), workers=3, ahead=4)) == [x * x for x in range(50)]
    with pytest.raises(ValueError):
        next(batches([1], 0))

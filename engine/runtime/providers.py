"""Which ONNX Runtime execution providers really work here, decided quietly.

``onnxruntime-gpu`` advertises the CUDA provider even on a machine without an
NVIDIA driver, and creating a CUDA session there logs a loud error before it
falls back to the CPU. So the CUDA provider is only tried when the libraries
it needs can be loaded (checked with ``ctypes``, which fails silently), and
then once with a tiny probe model under a muted logger. The answer is cached
for the process.
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
from dataclasses import dataclass
from typing import Optional

from ..errors import PhotoOrgError

log = logging.getLogger(__name__)

CPU = "CPUExecutionProvider"
CUDA = "CUDAExecutionProvider"
# Preference order; TensorRT is left out on purpose (engine builds take minutes).
PREFERENCE = (CUDA, CPU)

# ORT severities: 0 verbose, 1 info, 2 warning, 3 error, 4 fatal.
QUIET_SEVERITY = 3
MUTED_SEVERITY = 4


class DeviceUnavailable(PhotoOrgError):
    """The user asked for a device (CUDA) that cannot run models here."""


@dataclass(frozen=True)
class CudaStatus:
    usable: bool
    reason: str  # why not, or which device it is


_cuda_lock = threading.Lock()
_cuda_status: Optional[CudaStatus] = None


def _ort():
    import onnxruntime as ort

    ort.set_default_logger_severity(QUIET_SEVERITY)
    return ort


def _load_quietly(name: str) -> Optional[str]:
    """None when the shared library loads, else the loader's message."""
    try:
        ctypes.CDLL(name)
        return None
    except OSError as exc:
        return str(exc)


def _probe_model_bytes() -> bytes:
    """A one-node ONNX model (y = x + x) for checking that a provider runs."""
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])
    graph = helper.make_graph([helper.make_node("Add", ["x", "x"], ["y"])], "probe", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model.SerializeToString()


def _check_cuda() -> CudaStatus:
    if os.environ.get("PHOTOORG_DISABLE_CUDA"):
        return CudaStatus(False, "disabled by PHOTOORG_DISABLE_CUDA")
    ort = _ort()
    if CUDA not in ort.get_available_providers():
        return CudaStatus(False, "this onnxruntime build has no CUDA provider")
    if _load_quietly("libcuda.so.1" if os.name != "nt" else "nvcuda.dll"):
        return CudaStatus(False, "no NVIDIA driver (libcuda) found")
    try:  # CUDA/cuDNN from the nvidia-* wheels, when present (ORT >= 1.21)
        if hasattr(ort, "preload_dlls"):
            ort.preload_dlls(directory="")
    except Exception:  # noqa: BLE001 - optional; the provider check below decides
        pass
    provider_lib = os.path.join(os.path.dirname(ort.__file__), "capi", "libonnxruntime_providers_cuda.so")
    if os.name != "nt" and os.path.exists(provider_lib):
        missing = _load_quietly(provider_lib)
        # Only a library that cannot be found is decisive; other loader
        # complaints (symbols ORT provides itself) are left to the probe.
        if missing and "cannot open shared object" in missing:
            return CudaStatus(False, f"CUDA libraries missing ({missing.split(':')[0].strip()})")
    opts = ort.SessionOptions()
    opts.log_severity_level = MUTED_SEVERITY
    try:
        session = ort.InferenceSession(_probe_model_bytes(), sess_options=opts, providers=[CUDA, CPU])
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable"
        return CudaStatus(False, f"CUDA session failed: {exc}".splitlines()[0])
    if session.get_providers()[0] != CUDA:
        return CudaStatus(False, "the CUDA provider did not load")
    return CudaStatus(True, "CUDA")


def cuda_status() -> CudaStatus:
    """Whether the CUDA provider really runs here (cached; never logs errors)."""
    global _cuda_status
    with _cuda_lock:
        if _cuda_status is None:
            _cuda_status = _check_cuda()
            log.debug("CUDA provider: %s", _cuda_status)
        return _cuda_status


def available_devices() -> list[str]:
    """Devices a user can choose in the settings: always "cpu", "cuda" when it works."""
    return ["cpu", "cuda"] if cuda_status().usable else ["cpu"]


def providers_for(device: str) -> list[str]:
    """The provider list for a device preference (auto | cpu | cuda)."""
    if device == "cpu":
        return [CPU]
    if device not in ("auto", "cuda"):
        raise ValueError(f"device must be auto, cpu or cuda, not {device!r}")
    status = cuda_status()
    if status.usable:
        return [CUDA, CPU]
    if device == "cuda":
        raise DeviceUnavailable(f"CUDA was requested but cannot be used here: {status.reason}; "
                                "use --device auto or cpu")
    return [CPU]


def reset_cache() -> None:
    """Forget the cached CUDA answer (tests)."""
    global _cuda_status
    with _cuda_lock:
        _cuda_status = None

"""ONNX Runtime sessions: provider choice, lazy loading, batching.

Torch is for training and export; inference goes through here:

    spec = OnnxModelSpec("my_model", "1", build=export_fn, sources=lambda: [weights])
    session = get_session(spec, settings)      # exported and cached on first use
    out = session.run({"image": batch})         # dict of output name -> array

``available_devices()`` lists what the settings page can offer.
"""

from .batching import batches, prefetch_map, run_batched
from .providers import DeviceUnavailable, available_devices, cuda_status, providers_for
from .session import ModelSession, OnnxModelSpec, clear_sessions, get_session, onnx_path

__all__ = [
    "DeviceUnavailable", "ModelSession", "OnnxModelSpec", "available_devices", "batches", "clear_sessions",
    "cuda_status", "get_session", "onnx_path", "prefetch_map", "providers_for", "run_batched",
]

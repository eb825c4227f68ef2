"""One ONNX Runtime session per model, loaded lazily under a lock.

A model is described by an ``OnnxModelSpec``: a name, an export-code version,
the weight files it is made from and a ``build`` function that writes the ONNX
file (with torch, which is only imported then). The exported file is cached in
``settings.models_dir`` under a name that carries a fingerprint of the version
and the weights, so a changed weight file or export code makes a new file and
an unchanged one is never exported again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

import numpy as np

from ..settings import Settings
from .providers import CPU, CUDA, QUIET_SEVERITY, DeviceUnavailable, _ort, providers_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OnnxModelSpec:
    name: str
    version: str  # bump when the export code or its outputs change
    build: Callable[[Path], None]  # writes the ONNX file at the given path
    sources: Callable[[], Sequence[Path]] = field(default=lambda: ())  # weight files
    bundled: Optional[Callable[[], Path]] = None  # an ONNX file shipped as is (no export)


_hash_cache: dict[tuple[str, int, int], str] = {}


def _file_digest(path: Path) -> str:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _hash_cache:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        _hash_cache[key] = h.hexdigest()
    return _hash_cache[key]


def fingerprint(spec: OnnxModelSpec) -> str:
    h = hashlib.sha256(f"{spec.name}\0{spec.version}".encode())
    for src in spec.sources():
        h.update(_file_digest(Path(src)).encode())
    return h.hexdigest()[:16]


_export_lock = threading.Lock()


def onnx_path(spec: OnnxModelSpec, models_dir: Path) -> Path:
    """The cached ONNX file for ``spec``, exported now when missing or stale."""
    if spec.bundled is not None:
        return spec.bundled()
    target = Path(models_dir) / f"{spec.name}-{fingerprint(spec)}.onnx"
    if target.exists():
        return target
    with _export_lock:
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        log.info("exporting model %s to %s (once)", spec.name, target)
        # Written to a temporary name and renamed: a reader (another process)
        # never sees half a file, a crash leaves no broken cache entry.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{spec.name}-", suffix=".onnx")
        os.close(fd)
        try:
            spec.build(Path(tmp))
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        for old in target.parent.glob(f"{spec.name}-*.onnx"):  # stale versions
            if old != target:
                try:
                    old.unlink()
                except OSError:
                    pass
    return target


class ModelSession:
    """A loaded ONNX Runtime session and the device it really runs on."""

    def __init__(self, name: str, path: Path, providers: list[str], threads: int) -> None:
        ort = _ort()
        opts = ort.SessionOptions()
        opts.log_severity_level = QUIET_SEVERITY
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.intra_op_num_threads = max(1, threads)
        opts.inter_op_num_threads = 1
        # No busy-waiting between ops: the decode threads feeding the model
        # (and other programs) need those cores; spinning slows both down.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.name = name
        self.path = path
        self._session = ort.InferenceSession(str(path), sess_options=opts, providers=providers)
        self.providers = self._session.get_providers()
        self.device = "cuda" if self.providers[0] == CUDA else "cpu"
        self.input_names = [i.name for i in self._session.get_inputs()]
        self.output_names = [o.name for o in self._session.get_outputs()]
        # ORT serializes run() internally per session for most providers, but
        # an explicit lock keeps the GPU memory use of concurrent callers bounded.
        self._run_lock = threading.Lock()

    def run(self, feeds: Mapping[str, np.ndarray], outputs: Optional[Sequence[str]] = None) -> dict[str, np.ndarray]:
        names = list(outputs) if outputs else self.output_names
        with self._run_lock:
            values = self._session.run(names, dict(feeds))
        return dict(zip(names, values))


_sessions: dict[tuple, ModelSession] = {}
_sessions_lock = threading.Lock()
_model_locks: dict[str, threading.Lock] = {}
_announced: set[tuple[str, str]] = set()


def get_session(spec: OnnxModelSpec, settings: Settings) -> ModelSession:
    """The process-wide session for ``spec`` on the preferred device.

    Raises ``DeviceUnavailable`` when CUDA is requested and cannot run."""
    device = settings.prefs.device
    providers = providers_for(device)
    path = onnx_path(spec, settings.models_dir)
    key = (spec.name, str(path), tuple(providers), settings.workers)
    with _sessions_lock:
        session = _sessions.get(key)
        if session is not None:
            return session
        model_lock = _model_locks.setdefault(spec.name, threading.Lock())
    with model_lock:  # one load per model, other models load in parallel
        with _sessions_lock:
            session = _sessions.get(key)
        if session is None:
            session = ModelSession(spec.name, path, providers, settings.workers)
            if device == "cuda" and session.device != "cuda":
                raise DeviceUnavailable(f"CUDA was requested but model {spec.name} could not use it")
            with _sessions_lock:
                _sessions[key] = session
        announce = (spec.name, session.device)
        if announce not in _announced:
            _announced.add(announce)
            log.info("model %s runs on %s (%s)", spec.name, session.device.upper(), ", ".join(session.providers))
    return session


def clear_sessions() -> None:
    """Drop every loaded session (tests; freeing GPU memory)."""
    with _sessions_lock:
        _sessions.clear()


__all__ = ["CPU", "CUDA", "ModelSession", "OnnxModelSpec", "clear_sessions", "fingerprint", "get_session", "onnx_path"]

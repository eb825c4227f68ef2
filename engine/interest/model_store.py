"""Where interest weights live and how they reach ONNX Runtime.

- The shipped default (``resources/models/interest_default.npz``): primary
  attention and the quality dimension trained here, the "user" dimension
  untrained (its output layer is zero, so scores are the prior alone). Model
  card: ``resources/models/interest_default.md``.
- A base the owner trained (``<cache>/models/interest_base.npz``) replaces
  the shipped default when present and made for today's features (its meta
  ``features`` matches ``features_io.feature_stamp()``; a base trained on an
  older feature version is ignored, with a warning, until retrained).
- The owner's retrained model (``<cache>/models/interest_user.npz``), written
  by ``photoorg train-interest`` or the interest stage when decisions change.
  It can always be rebuilt from the decisions in the catalog, so the cache
  folder is the right place for it.

Weights are stored as an ``.npz`` of float16 arrays plus a JSON ``meta``
string (configuration, training summary); no pickle. Inference exports the
model to ONNX once per weights file (``runtime.onnx_path`` fingerprints it).
"""

from __future__ import annotations

import hashlib
import json
import logging
from importlib import resources
from pathlib import Path
from typing import Any, Optional

import numpy as np

from ..runtime import OnnxModelSpec, get_session
from ..settings import Settings

log = logging.getLogger(__name__)

EXPORT_VERSION = "interest-1"
USER_FILE = "interest_user.npz"
BASE_FILE = "interest_base.npz"
OUTPUTS = ("scores", "primary_attention", "secondary_attention")


def default_weights_path() -> Path:
    return Path(str(resources.files("photoorg.resources") / "models" / "interest_default.npz"))


def base_weights_path(settings: Settings) -> Path:
    """The base the user head is trained over: a base the owner trained
    (``train-interest --quality`` or ``--visual-interest`` with ``--install``)
    or the shipped default."""
    own = settings.models_dir / BASE_FILE
    if own.is_file():
        if fits_features(own):
            return own
        _warn_once(f"the interest base model {own} was trained on an older feature version; "
                   "using the shipped default (train it again: photoorg train-interest --quality ... --install)")
    return default_weights_path()


def fits_features(path: Path) -> bool:
    """Whether weights were trained on the features the stage stores today."""
    from .features_io import feature_stamp

    try:
        return read_meta(path).get("features") == feature_stamp()
    except (OSError, ValueError, KeyError):
        return False


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning(message)


def user_weights_path(settings: Settings) -> Path:
    return settings.models_dir / USER_FILE


def active_weights_path(settings: Settings) -> Path:
    """The owner's retrained model when it was made over the shipped base
    (an update of the base makes it stale: the stage retrains), else the base."""
    user = user_weights_path(settings)
    default = base_weights_path(settings)
    if user.is_file():
        try:
            if read_meta(user).get("base_key") == weights_key(default):
                return user
        except (OSError, ValueError, KeyError):
            pass
    return default


_keys: dict[tuple[str, int, int], str] = {}


def weights_key(path: Path) -> str:
    """A short digest of a weights file: scores made with other weights are stale."""
    st = Path(path).stat()
    cache = (str(path), st.st_size, st.st_mtime_ns)
    if cache not in _keys:
        # Hash the arrays, not the file: the zip container stamps the time.
        h = hashlib.sha256()
        with np.load(path, allow_pickle=False) as z:
            for name in sorted(z.files):
                h.update(name.encode())
                h.update(np.ascontiguousarray(z[name]).tobytes())
        _keys[cache] = h.hexdigest()[:16]
    return _keys[cache]


def read_meta(path: Path) -> dict[str, Any]:
    with np.load(path, allow_pickle=False) as z:
        return json.loads(str(z["meta"]))


def save_weights(model, path: Path, meta: Optional[dict] = None) -> Path:
    """The model's state as float16 arrays (+ config and ``meta``), atomically.
    ``meta["features"]`` says which sub-image features the weights expect:
    today's (``features_io.feature_stamp()``) unless the caller says other."""
    from .features_io import feature_stamp

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {f"w:{k}": v.detach().cpu().numpy().astype(np.float16) for k, v in model.state_dict().items()}
    full_meta = {"config": model.config, "features": feature_stamp(), **(meta or {})}
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(tmp, meta=np.array(json.dumps(full_meta, sort_keys=True)), **arrays)
    tmp.replace(path)
    return path


def load_weights(path: Path):
    """(torch model in eval mode, meta)."""
    import torch

    from ..models.interest import AttentiveMultiTaskInterest

    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        state = {k[2:]: torch.from_numpy(z[k].astype(np.float32)) for k in z.files if k.startswith("w:")}
    model = AttentiveMultiTaskInterest(**meta["config"])
    model.load_state_dict(state, strict=True)
    return model.eval(), meta


def export_onnx(weights: Path, target: Path) -> None:
    import warnings

    import torch

    model, _meta = load_weights(weights)
    feats, mask = model.example_inputs()
    axes = {"feats": {0: "batch"}, "mask": {0: "batch"}, **{n: {0: "batch"} for n in OUTPUTS}}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (feats, mask), str(target), input_names=["feats", "mask"], output_names=list(OUTPUTS),
                          dynamic_axes=axes, opset_version=17, dynamo=False)


def onnx_spec(weights: Path) -> OnnxModelSpec:
    weights = Path(weights)
    return OnnxModelSpec("interest", EXPORT_VERSION, build=lambda target: export_onnx(weights, target),
                         sources=lambda: [weights])


class InterestRunner:
    """The interest model on ONNX Runtime, for one weights file."""

    def __init__(self, settings: Settings, weights: Optional[Path] = None) -> None:
        self.settings = settings
        self.weights = Path(weights) if weights else active_weights_path(settings)
        if not self.weights.is_file():
            raise FileNotFoundError(f"interest weights missing: {self.weights}")
        self.meta = read_meta(self.weights)
        self.dimensions: tuple[str, ...] = tuple(self.meta["config"]["dimensions"])
        self.key = weights_key(self.weights)
        self._session = None

    @property
    def session(self):
        if self._session is None:
            self._session = get_session(onnx_spec(self.weights), self.settings)
        return self._session

    def run(self, feats: np.ndarray, mask: np.ndarray, batch: int = 64) -> dict[str, np.ndarray]:
        """feats (P, M, 16, D), mask (P, M) -> raw scores (P, K), primary
        attention (P, M, 16), secondary attention (P, K, M)."""
        parts: dict[str, list[np.ndarray]] = {n: [] for n in OUTPUTS}
        for i in range(0, len(feats), batch):
            out = self.session.run({"feats": np.ascontiguousarray(feats[i:i + batch], np.float32),
                                    "mask": np.ascontiguousarray(mask[i:i + batch], np.float32)})
            for n in OUTPUTS:
                parts[n].append(out[n])
        if not len(feats):
            k, m = len(self.dimensions), mask.shape[1] if mask.ndim == 2 else 0
            return {"scores": np.zeros((0, k), np.float32), "primary_attention": np.zeros((0, m, 16), np.float32),
                    "secondary_attention": np.zeros((0, k, m), np.float32)}
        return {n: np.concatenate(v) for n, v in parts.items()}

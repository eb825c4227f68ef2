"""Per-photo stage "interest": sub-image features once per content, then scores.

1. Per photo (the pass's one decode, at least 640 px on the short side): cut
   into 4x4 sub-images of 160 px, run both backbones (ONNX Runtime, the
   sub-images of a job's photos in one batch) and store the features, model
   ``interest_tiles``, kind =
   backbone name (``effnet_lite0``, ``mobilenet_v2``), (16, 1280) float16
   each. Done once per feature version (a new version overwrites the old
   rows, and rows of an older version are never read); a photo that cannot
   be decoded is recorded as failed with its reason.
2. When the owner's decisions changed since the user head was trained,
   retrain it (seeded; seconds: only the small head learns).
3. Score every analysed content whose row is missing or was made with other
   weights: the dimensions, the prior's terms, the learned correction and the
   attention (the inspector's heat map).
"""

from __future__ import annotations

import logging
from typing import Optional

import numpy as np

from ..pipeline import Need, PhotoInput, PhotoStage
from ..progress import CancelToken, ProgressCallback, ProgressMeter
from ..settings import Settings
from .backbones import BACKBONES, make_backbones, tile_features
from .features_io import FEATURE_MODEL, FEATURE_VERSION, STAGE_NAME, has_faces, load_tile_features
from .tiles import TILE, WORK_SIDE, cut_tiles, shrink_to_working

log = logging.getLogger(__name__)

NAME = STAGE_NAME
VERSION = FEATURE_VERSION  # of the stored sub-image features (features_io.py)
SCORE_CHUNK = 256


_backbones: dict = {}


def backbones_for(settings: Settings):
    key = (settings.models_dir, settings.prefs.device, settings.workers)
    if key not in _backbones:
        _backbones[key] = make_backbones(settings)
    return _backbones[key]


def featurize(inputs: list[PhotoInput]) -> list[dict]:
    """The 4x4 sub-images of each photo, both backbones run on the sub-images
    of all the job's photos at once."""
    tiles = [cut_tiles(shrink_to_working(inp.image())) for inp in inputs]
    per_backbone = tile_features(tiles, backbones_for(inputs[0].settings))
    return [{name: arr[i] for name, arr in per_backbone.items()} for i in range(len(inputs))]


def write(catalog, done: list) -> dict:
    for name in done[0][1]:
        catalog.put_features(FEATURE_MODEL, name, {p.content_hash: r[name] for p, r in done}, dtype="<f2")
    return {"featurized": len(done)}


def prepare(settings: Settings) -> None:
    from ..runtime.session import onnx_path
    from .backbones import effnet_spec, mobilenet_available, mobilenet_spec

    onnx_path(effnet_spec(TILE), settings.models_dir)
    if mobilenet_available():
        onnx_path(mobilenet_spec(TILE), settings.models_dir)


def maybe_retrain(catalog, settings: Settings) -> Optional[dict]:
    from .preference import NotEnoughDecisions, retrain, user_model_current

    if user_model_current(catalog, settings):
        return None
    try:
        report = retrain(catalog, settings, seed=0)
    except NotEnoughDecisions:
        return None
    return {"labelled_photos": report["labelled_photos"], "held_out": report["held_out"]}


def score(catalog, settings: Settings, progress: ProgressCallback, cancel: CancelToken) -> int:
    from .model_store import InterestRunner
    from .prior import prior_parts, quality_z

    runner = InterestRunner(settings)
    hashes = [r[0] for r in catalog.db.execute(
        "SELECT DISTINCT p.content_hash FROM photos p JOIN stage_state s ON s.content_hash = p.content_hash "
        "AND s.stage = ? AND s.version = ? AND s.status = 'done' WHERE p.status = 'ok' ORDER BY p.content_hash",
        (NAME, VERSION))]
    stale = catalog.interest_stale(runner.key, hashes)
    meter = ProgressMeter(f"{NAME} scores", progress, total=len(stale))
    k_quality = runner.dimensions.index("quality") if "quality" in runner.dimensions else None
    k_user = runner.dimensions.index("user") if "user" in runner.dimensions else None
    for start in range(0, len(stale), SCORE_CHUNK):
        cancel.raise_if_cancelled()
        chunk = stale[start:start + SCORE_CHUNK]
        feats, mask = load_tile_features(catalog, chunk)
        out = runner.run(feats, mask)
        raw = out["scores"]
        quality = raw[:, k_quality] if k_quality is not None else np.zeros(len(chunk), np.float32)
        parts = prior_parts(quality, runner.meta, has_faces(catalog, chunk))
        qz = quality_z(quality, runner.meta)
        # Heat map: the primary attention averaged over the backbones present.
        attention = (out["primary_attention"] * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1), 1)[:, None]
        rows = []
        for i, h in enumerate(chunk):
            if mask[i].sum() == 0:
                continue
            rows.append({
                "content_hash": h, "weights_key": runner.key,
                "quality_raw": float(quality[i]),
                "user_raw": float(raw[i, k_user]) if k_user is not None else 0.0,
                "prior": {name: round(float(v[i]), 4) for name, v in parts.items()},
                "dims": dims_row(raw[i], qz[i], runner.dimensions),
                "attention": attention[i],
                "backbone_attention": {d: {BACKBONES[m]: round(float(out["secondary_attention"][i, k, m]), 4)
                                           for m in range(len(BACKBONES)) if mask[i, m] > 0}
                                       for k, d in enumerate(runner.dimensions)},
            })
        catalog.save_interest(rows)
        meter.advance(len(chunk))
    meter.emit("done")
    return len(stale)


def dims_row(raw: np.ndarray, qz: float, dimensions) -> dict[str, float]:
    """Each dimension on the paper's [-0.5, 0.5] scale: 0.5 tanh(raw). The
    quality head is trained on pairs (only its order means something), so it
    is shown standardised against the real training photos: 0.5 tanh(z / 2),
    0 for a typical photo."""
    out = {}
    for k, d in enumerate(dimensions):
        value = 0.5 * np.tanh(qz / 2.0) if d == "quality" else 0.5 * np.tanh(raw[k])
        out[d] = round(float(value), 4)
    return out


def finish(catalog, settings: Settings, progress: ProgressCallback, cancel: CancelToken) -> dict:
    summary: dict = {}
    retrained = maybe_retrain(catalog, settings)
    if retrained:
        summary["retrained"] = retrained
    summary["scored"] = score(catalog, settings, progress, cancel)
    return summary


STAGE = PhotoStage(NAME, VERSION, write=write, compute_batch=featurize, image=Need("short", WORK_SIDE),
                   prepare=prepare, finish=finish, after=("embed", "faces"),
                   description="interest per photo: 4x4 sub-image features, quality and the owner's taste")

__all__ = ["STAGE"]

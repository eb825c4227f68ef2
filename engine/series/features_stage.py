"""Per-photo stage "series_features": what the series stage needs of each
photo, computed in the analysis's one pass over the photos so that grouping
and ranking never decode a file again.

- keypoints for verification (``local.extract`` on the photo decoded at
  384 px on its short side), features table model ``local``;
- the PAU ranker's stream vector (model ``pau_ranker``, kind of the active
  head), from the backbone's stage maps the embed stage computed for the
  same photo in the same pass (the backbone runs again only for a photo
  embedded in an earlier analysis).

A new ranking head (``train-series``) has other vectors: the series stage
computes those itself for the members of series.
"""

from __future__ import annotations

import logging

import numpy as np

from ..analysis.backbone_runner import STAGE_OUTPUTS, preprocess
from ..pipeline import Need, PhotoInput, PhotoStage
from ..runtime.session import onnx_path
from ..settings import Settings
from . import local
from .evidence import DECODE_SIDE, FEATURE_MODEL as KEYPOINTS_MODEL
from .ranking import FEATURE_MODEL as VECTOR_MODEL, SeriesRanking

log = logging.getLogger(__name__)

NAME = "series_features"
VERSION = 1

_rankings: dict = {}


def ranking_for(settings: Settings) -> SeriesRanking:
    key = (settings.models_dir, settings.prefs.device, settings.workers)
    if key not in _rankings:
        _rankings[key] = SeriesRanking(settings)
    return _rankings[key]


def compute_batch(inputs: list[PhotoInput]) -> list[dict]:
    from ..analysis.embed_stage import runner_for

    settings = inputs[0].settings
    keypoints = [local.extract(inp.image()) for inp in inputs]
    maps = [inp.upstream.get("embed", {}).get("_maps") for inp in inputs]
    missing = [i for i, m in enumerate(maps) if m is None]
    if missing:  # embedded in an earlier analysis: the backbone once more, on this decode
        out = runner_for(settings).run(np.stack([preprocess(inputs[i].image()) for i in missing]), stages=True)
        for k, i in enumerate(missing):
            maps[i] = {s: out[s][k] for s in STAGE_OUTPUTS}
    ranking = ranking_for(settings)
    vectors = ranking.vectors({s: np.stack([m[s] for m in maps]) for s in STAGE_OUTPUTS})
    return [{"keypoints": kp, "vector": v, "kind": ranking.feature_kind} for kp, v in zip(keypoints, vectors)]


def write(catalog, done: list) -> dict:
    catalog.put_features(KEYPOINTS_MODEL, local.VERSION, {p.content_hash: r["keypoints"] for p, r in done},
                         dtype="|u1")
    by_kind: dict[str, dict] = {}
    for p, r in done:
        by_kind.setdefault(r["kind"], {})[p.content_hash] = r["vector"]
    for kind, vectors in by_kind.items():
        catalog.put_features(VECTOR_MODEL, kind, vectors, dtype="<f2")
    return {}


def prepare(settings: Settings) -> None:
    from ..analysis.backbone_runner import BACKBONE_SPEC

    onnx_path(BACKBONE_SPEC, settings.models_dir)
    ranking = ranking_for(settings)
    onnx_path(ranking.encoder_spec, settings.models_dir)


STAGE = PhotoStage(NAME, VERSION, write=write, compute_batch=compute_batch, image=Need("short", DECODE_SIDE),
                   reads=("embed",), prepare=prepare,
                   description="keypoints and ranking vectors for the series")

"""Reading the stored sub-image features back as the model's input, and the
side cues the prior needs (faces)."""

from __future__ import annotations

import sqlite3
from typing import Sequence

import numpy as np

from .backbones import BACKBONES, FEATURE_DIM
from .tiles import NUM_TILES, TILE

FEATURE_MODEL = "interest_tiles"  # features table: model; kind = backbone name
STAGE_NAME = "interest"
# Of the stored sub-image features (tiling, tile size, backbones,
# preprocessing); the interest stage's version. 1: 224 px tiles (the photo
# seen at 896 px); 2: 160 px tiles (seen at 640 px), about half the work.
# Both store (16, 1280) float16 per backbone, so a row's shape does not say
# which version made it: only rows of contents the stage finished at this
# version are read (load_tile_features).
FEATURE_VERSION = 2


def feature_stamp() -> dict:
    """What trained weights record about the features they expect: a base
    trained on other features is not used (model_store.base_weights_path)."""
    return {"version": FEATURE_VERSION, "tile": TILE, "dim": FEATURE_DIM}


def current_contents(catalog, content_hashes: Sequence[str]) -> set[str]:
    """The contents whose stored features are of today's version."""
    return catalog.stage_done(STAGE_NAME, FEATURE_VERSION, content_hashes)


def load_tile_features(catalog, content_hashes: Sequence[str],
                       names: Sequence[str] = BACKBONES) -> tuple[np.ndarray, np.ndarray]:
    """(P, M, 16, 1280) float32 and the (P, M) mask of the backbones stored
    per photo; rows an older feature version left (not yet recomputed, or
    failed since) count as missing."""
    feats = np.zeros((len(content_hashes), len(names), NUM_TILES, FEATURE_DIM), np.float32)
    mask = np.zeros((len(content_hashes), len(names)), np.float32)
    current = current_contents(catalog, content_hashes)
    wanted = [h for h in content_hashes if h in current]
    for m, name in enumerate(names):
        found = catalog.get_features(FEATURE_MODEL, name, wanted) if wanted else {}
        for i, h in enumerate(content_hashes):
            arr = found.get(h)
            if arr is not None and arr.shape == (NUM_TILES, FEATURE_DIM):
                feats[i, m] = arr
                mask[i, m] = 1.0
    return feats, mask


def faces_per_content(catalog) -> dict[str, int] | None:
    """Faces found per content hash, or None while the faces stage has not
    made its table (the prior then leaves the people term out)."""
    try:
        rows = catalog.db.execute("SELECT content_hash, count(*) FROM faces GROUP BY content_hash").fetchall()
    except sqlite3.OperationalError:
        return None
    done = catalog.db.execute("SELECT count(*) FROM stage_state WHERE stage = 'faces' AND status = 'done'").fetchone()[0]
    if not done:
        return None
    return {r[0]: int(r[1]) for r in rows}


def has_faces(catalog, content_hashes: Sequence[str]) -> np.ndarray | None:
    counts = faces_per_content(catalog)
    if counts is None:
        return None
    return np.array([counts.get(h, 0) > 0 for h in content_hashes], np.float32)

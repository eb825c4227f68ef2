"""Reading the stored sub-image features back as the model's input, and the
side cues the prior needs (faces)."""

from __future__ import annotations

import sqlite3
from typing import Sequence

import numpy as np

from .backbones import BACKBONES, FEATURE_DIM
from .tiles import NUM_TILES

FEATURE_MODEL = "interest_tiles"  # features table: model; kind = backbone name


def load_tile_features(catalog, content_hashes: Sequence[str],
                       names: Sequence[str] = BACKBONES) -> tuple[np.ndarray, np.ndarray]:
    """(P, M, 16, D) float32 and the (P, M) mask of the backbones stored per photo."""
    feats = np.zeros((len(content_hashes), len(names), NUM_TILES, FEATURE_DIM), np.float32)
    mask = np.zeros((len(content_hashes), len(names)), np.float32)
    for m, name in enumerate(names):
        found = catalog.get_features(FEATURE_MODEL, name, content_hashes)
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

"""Per-content model outputs: embeddings, concept scores and the like.

Stored once per (content hash, model, kind) as a raw numpy buffer, so a moved
or duplicated photo shares its analysis and a rescan never recomputes it.
"""

from __future__ import annotations

import json
from typing import Iterable, Mapping, Optional

import numpy as np


class FeatureQueries:
    """Mixin for ``Catalog``."""

    def put_features(self, model: str, kind: str, arrays: Mapping[str, np.ndarray],
                     dtype: str = "<f4") -> None:
        rows = []
        for content_hash, array in arrays.items():
            a = np.ascontiguousarray(array, dtype=np.dtype(dtype))
            rows.append((content_hash, model, kind, a.dtype.str, json.dumps(list(a.shape)), a.tobytes()))
        with self.write() as db:
            db.conn.executemany(
                "INSERT INTO features(content_hash, model, kind, dtype, shape, data) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(content_hash, model, kind) DO UPDATE SET dtype = excluded.dtype, "
                "shape = excluded.shape, data = excluded.data",
                rows,
            )

    def get_features(self, model: str, kind: str, content_hashes: Optional[Iterable[str]] = None) -> dict[str, np.ndarray]:
        """Arrays by content hash (all of this model and kind when no hashes given)."""
        out: dict[str, np.ndarray] = {}
        if content_hashes is None:
            cursor = self.db.execute(
                "SELECT content_hash, dtype, shape, data FROM features WHERE model = ? AND kind = ?", (model, kind))
            rows = cursor.fetchall()
        else:
            hashes = list(dict.fromkeys(content_hashes))
            rows = []
            for i in range(0, len(hashes), 900):  # SQLite's parameter limit
                chunk = hashes[i:i + 900]
                rows += self.db.execute(
                    f"SELECT content_hash, dtype, shape, data FROM features WHERE model = ? AND kind = ? "
                    f"AND content_hash IN ({','.join('?' * len(chunk))})", (model, kind, *chunk)).fetchall()
        for h, dtype, shape, data in rows:
            out[h] = np.frombuffer(data, dtype=np.dtype(dtype)).reshape(json.loads(shape))
        return out

    def feature_matrix(self, model: str, kind: str, content_hashes: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """A float32 matrix in the order given, and a mask of rows that exist."""
        found = self.get_features(model, kind, content_hashes)
        if not found:
            return np.zeros((len(content_hashes), 0), np.float32), np.zeros(len(content_hashes), bool)
        dim = next(iter(found.values())).size
        matrix = np.zeros((len(content_hashes), dim), np.float32)
        mask = np.zeros(len(content_hashes), bool)
        for i, h in enumerate(content_hashes):
            if h in found:
                matrix[i] = found[h].reshape(-1)
                mask[i] = True
        return matrix, mask

    def hashes_with_features(self, model: str, kind: str) -> set[str]:
        return {r[0] for r in self.db.execute(
            "SELECT content_hash FROM features WHERE model = ? AND kind = ?", (model, kind))}

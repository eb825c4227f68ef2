"""Keypoints and pair evidence, cached in the catalog.

- Keypoints (``local.extract``) are computed once per content and kept in
  the features table (model ``local``, kind ``local.VERSION``, a few tens of
  kB per photo), only for photos that have a grouping candidate.
- Pair evidence (inliers, overlaps, changed area) is kept in the
  ``series_pairs`` table, so a later run verifies only new pairs, and the
  curation plan can check what a kept shot shows of a trashed one.
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from typing import Iterable, Optional

import numpy as np

from ..errors import DecodeError
from ..imaging.decode import decode
from . import local

log = logging.getLogger(__name__)

FEATURE_MODEL = "local"
DECODE_SIDE = 384  # short side: enough for the 512 px keypoint level


def extract_photo(photo, settings) -> Optional[np.ndarray]:
    """The packed keypoints of one photo, None when it cannot be read."""
    try:
        image = decode(photo.path, name=photo.path, target=DECODE_SIDE,
                       max_megapixels=settings.prefs.max_megapixels)
        return local.extract(image)
    except (DecodeError, OSError, ValueError, MemoryError) as exc:
        if os.path.exists(photo.path):
            log.info("series: no keypoints for %s: %s", photo.path, exc)
        return None


def ensure_keypoints(catalog, settings, photos: Iterable, cancel=None, meter=None) -> int:
    """Compute the keypoints of the photos that lack them; returns how many."""
    from ..runtime import batches, prefetch_map

    wanted = list({p.content_hash: p for p in photos}.values())
    have = _present(catalog, [p.content_hash for p in wanted])
    todo = [p for p in wanted if p.content_hash not in have]
    done = 0
    results = prefetch_map(lambda p: (p.content_hash, extract_photo(p, settings)), todo,
                           workers=max(1, settings.workers), ahead=32)
    for chunk in batches(results, 32):
        if cancel is not None:
            cancel.raise_if_cancelled()
        new = {h: a for h, a in chunk if a is not None}
        if new:
            catalog.put_features(FEATURE_MODEL, local.VERSION, new, dtype="|u1")
        done += len(new)
        if meter is not None:
            meter.advance(len(chunk), "keypoints")
    return done


def _present(catalog, hashes: list[str]) -> set[str]:
    out: set[str] = set()
    for i in range(0, len(hashes), 900):  # SQLite's parameter limit
        chunk = hashes[i:i + 900]
        out.update(r[0] for r in catalog.db.execute(
            f"SELECT content_hash FROM features WHERE model = ? AND kind = ? "
            f"AND content_hash IN ({','.join('?' * len(chunk))})", (FEATURE_MODEL, local.VERSION, *chunk)))
    return out


class FeatureCache:
    """Unpacked keypoints by content hash, loaded on demand, the most recent
    ``size`` kept (grouping visits pairs in time order: a small cache hits)."""

    def __init__(self, catalog, size: int = 512) -> None:
        self.catalog = catalog
        self.size = size
        self.items: OrderedDict[str, Optional[local.LocalFeatures]] = OrderedDict()

    def preload(self, hashes: Iterable[str]) -> None:
        wanted = [h for h in hashes if h not in self.items]
        for h, a in self.catalog.get_features(FEATURE_MODEL, local.VERSION, wanted).items():
            self._put(h, local.unpack(a))

    def _put(self, h: str, f: Optional[local.LocalFeatures]) -> None:
        self.items[h] = f
        self.items.move_to_end(h)
        while len(self.items) > self.size:
            self.items.popitem(last=False)

    def get(self, h: str) -> Optional[local.LocalFeatures]:
        if h in self.items:
            self.items.move_to_end(h)
            return self.items[h]
        found = self.catalog.get_features(FEATURE_MODEL, local.VERSION, [h]).get(h)
        f = local.unpack(found) if found is not None else None
        self._put(h, f)
        return f


def _row_evidence(row) -> local.Evidence:
    return local.Evidence(int(row[0]), "cached", float(row[1]), float(row[2]), float(row[3]))


class PairEvidence:
    """Evidence per content pair: the series_pairs table first, then keypoints."""

    def __init__(self, catalog, cache: Optional[FeatureCache] = None, store: bool = True,
                 autoflush: bool = True) -> None:
        self.catalog = catalog
        self.cache = cache or FeatureCache(catalog)
        self.store = store
        self.autoflush = autoflush  # False: new rows wait in ``new`` (a worker hands them to the writer)
        self.new: list[tuple] = []
        self.computed = 0
        self.cached = 0

    def __call__(self, ha: str, hb: str) -> Optional[local.Evidence]:
        swap = ha > hb
        a, b = (hb, ha) if swap else (ha, hb)
        row = self.catalog.db.execute(
            "SELECT inliers, overlap_a, overlap_b, changed FROM series_pairs WHERE a = ? AND b = ? AND version = ?",
            (a, b, local.VERSION)).fetchone()
        if row is not None:
            self.cached += 1
            e = _row_evidence(row)
        else:
            fa, fb = self.cache.get(a), self.cache.get(b)
            if fa is None or fb is None:
                return None
            e = local.compare(fa, fb)
            self.computed += 1
            if self.store:
                self.new.append((a, b, local.VERSION, e.inliers, e.overlap_a, e.overlap_b, e.changed))
                if self.autoflush and len(self.new) >= 500:
                    self.flush()
        if swap:
            e = local.Evidence(e.inliers, e.level, e.overlap_b, e.overlap_a, e.changed)
        return e

    def absorb(self, rows: list[tuple]) -> None:
        """Rows computed elsewhere (a verification worker), to be stored."""
        self.new.extend(rows)
        if self.store and self.autoflush and len(self.new) >= 500:
            self.flush()

    def flush(self) -> None:
        if not self.new:
            return
        with self.catalog.write() as db:
            db.conn.executemany(
                "INSERT INTO series_pairs(a, b, version, inliers, overlap_a, overlap_b, changed) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(a, b) DO UPDATE SET version = excluded.version, "
                "inliers = excluded.inliers, overlap_a = excluded.overlap_a, overlap_b = excluded.overlap_b, "
                "changed = excluded.changed", self.new)
        self.new = []

"""The interest domain's store (a ``Catalog`` mixin, found by
``catalog.stores``): the interest stage's rows, read back as scores
(``interest.score`` defines how terms make a score; this module only reads
and writes rows).

The interest stage writes one row per content (``save_interest``); everyone
else reads through photo ids:

- ``interest_scores(photo_ids)`` -> {photo id: interest in [0, 1]} (albums
  JSON, importance, story selection, sorting);
- ``interest_breakdown(photo_id)`` -> what drove the score and the 4x4
  attention heat map (the inspector).

A photo's own decisions (a rating, keep/trash, a pick flag) are applied when
reading, so a new rating changes the score at once, without re-analysis.
"""

from __future__ import annotations

import json
import time
from typing import Iterable, Optional

import numpy as np

from .score import contributions, interest, photo_terms
from .signals import per_photo_signals


class InterestQueries:
    """Mixin for ``Catalog``: reaches the database only through
    ``self.db`` (reads) and ``self.write()`` (transactions)."""

    # -- writing (the interest stage) -------------------------------------------
    def save_interest(self, rows: Iterable[dict]) -> None:
        """rows: content_hash, weights_key, quality_raw, user_raw, prior
        (dict), dims (dict), attention (16 floats), backbone_attention (dict)."""
        now = time.time()
        data = [(r["content_hash"], r["weights_key"], r.get("quality_raw"), r.get("user_raw"),
                 json.dumps(r.get("prior", {})), json.dumps(r.get("dims", {})),
                 np.asarray(r["attention"], "<f4").tobytes() if r.get("attention") is not None else None,
                 json.dumps(r.get("backbone_attention", {})), now) for r in rows]
        with self.write() as db:
            db.conn.executemany(
                "INSERT INTO interest(content_hash, weights_key, quality_raw, user_raw, prior, dims, attention, "
                "backbone_attention, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(content_hash) DO UPDATE SET weights_key = excluded.weights_key, "
                "quality_raw = excluded.quality_raw, user_raw = excluded.user_raw, prior = excluded.prior, "
                "dims = excluded.dims, attention = excluded.attention, "
                "backbone_attention = excluded.backbone_attention, updated_at = excluded.updated_at", data)

    def interest_stale(self, weights_key: str, content_hashes: Iterable[str]) -> list[str]:
        """Of ``content_hashes``, those with no row or a row made by other weights."""
        current = {r[0] for r in self.db.execute("SELECT content_hash FROM interest WHERE weights_key = ?",
                                                 (weights_key,))}
        return [h for h in content_hashes if h not in current]

    def record_interest_training(self, seed: int, photos: int, signature: str, weights_key: Optional[str],
                                 report: dict) -> int:
        with self.write() as db:
            return db.execute(
                "INSERT INTO interest_training(created_at, seed, photos, signature, weights_key, report) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (time.time(), seed, photos, signature, weights_key, json.dumps(report))).lastrowid

    def last_interest_training(self) -> Optional[dict]:
        row = self.db.execute("SELECT * FROM interest_training ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        out = dict(row)
        out["report"] = json.loads(out["report"]) if out["report"] else {}
        return out

    # -- reading ----------------------------------------------------------------
    def file_ratings(self) -> dict[int, int]:
        """Star ratings of photos (from XMP/EXIF, or set here), 0/None left out."""
        return {r[0]: r[1] for r in self.db.execute(
            "SELECT id, rating FROM photos WHERE status = 'ok' AND rating IS NOT NULL AND rating != 0")}

    def _photo_hashes(self, photo_ids: list[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for i in range(0, len(photo_ids), 900):
            chunk = photo_ids[i:i + 900]
            out.update({r[0]: r[1] for r in self.db.execute(
                f"SELECT id, content_hash FROM photos WHERE id IN ({','.join('?' * len(chunk))})", chunk)})
        return out

    def _own_signals(self, photo_ids: list[int]) -> dict[int, dict]:
        decisions, ratings = [], {}
        for i in range(0, len(photo_ids), 900):
            chunk = photo_ids[i:i + 900]
            marks = ",".join("?" * len(chunk))
            decisions += [dict(r) for r in self.db.execute(
                f"SELECT id, kind, photo_id, value FROM decisions WHERE photo_id IN ({marks}) ORDER BY id", chunk)]
            ratings.update({r[0]: r[1] for r in self.db.execute(
                f"SELECT id, rating FROM photos WHERE id IN ({marks}) AND rating IS NOT NULL AND rating != 0", chunk)})
        decisions.sort(key=lambda d: d["id"])
        for d in decisions:
            d["value"] = json.loads(d["value"]) if d["value"] is not None else None
        return per_photo_signals(decisions, ratings)

    def _interest_rows(self, hashes: list[str]) -> dict[str, dict]:
        out: dict[str, dict] = {}
        unique = list(dict.fromkeys(hashes))
        for i in range(0, len(unique), 900):
            chunk = unique[i:i + 900]
            for r in self.db.execute(
                    f"SELECT * FROM interest WHERE content_hash IN ({','.join('?' * len(chunk))})", chunk):
                out[r["content_hash"]] = dict(r)
        return out

    def interest_logits(self, photo_ids: Iterable[int]) -> dict[int, dict[str, float]]:
        """photo id -> {term: logit} (quality, people, taste, own); photos not
        analysed yet are left out."""
        ids = list(dict.fromkeys(int(p) for p in photo_ids))
        hashes = self._photo_hashes(ids)
        rows = self._interest_rows(list(hashes.values()))
        own = self._own_signals(ids)
        out: dict[int, dict[str, float]] = {}
        for pid, h in hashes.items():
            row = rows.get(h)
            if row is None:
                continue
            out[pid] = photo_terms(json.loads(row["prior"]), row["user_raw"], own.get(pid))
        return out

    def interest_scores(self, photo_ids: Iterable[int]) -> dict[int, float]:
        """photo id -> interest in [0, 1] (0.5: nothing known either way).
        Photos the interest stage has not scored yet are left out."""
        return {pid: interest(t) for pid, t in self.interest_logits(photo_ids).items()}

    def interest_breakdown(self, photo_id: int) -> Optional[dict]:
        """For the inspector: the score, each term's share, the model's
        dimensions and the primary attention as a 4x4 grid (row-major)."""
        terms = self.interest_logits([photo_id]).get(int(photo_id))
        if terms is None:
            return None
        h = self._photo_hashes([int(photo_id)])[int(photo_id)]
        row = self._interest_rows([h])[h]
        attention = (np.frombuffer(row["attention"], "<f4").astype(np.float64).reshape(4, 4).round(4).tolist()
                     if row["attention"] else None)
        return {
            "photo_id": int(photo_id), "interest": interest(terms), "logit": round(sum(terms.values()), 4),
            "contributions": contributions(terms), "dimensions": json.loads(row["dims"]),
            "attention": attention, "backbone_attention": json.loads(row["backbone_attention"] or "{}"),
            "weights": row["weights_key"],
        }


QUERIES = InterestQueries

"""The user's own edits: ratings, pick/reject flags, and the decision log.

Every edit is also appended to ``decisions``: that log is what the learned
parts (series ranking, interest, events) train on, and it is never rewritten.
"""

from __future__ import annotations

import json
import time
from typing import Any, Iterable, Optional

FLAGS = ("pick", "reject")


class EditQueries:
    """Mixin for ``Catalog``."""

    def record_decision(self, kind: str, *, photo_id: Optional[int] = None,
                        other_photo_id: Optional[int] = None, series_id: Optional[int] = None,
                        album_id: Optional[int] = None, value: Any = None) -> int:
        with self.write() as db:
            return db.execute(
                "INSERT INTO decisions(kind, photo_id, other_photo_id, series_id, album_id, value, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (kind, photo_id, other_photo_id, series_id, album_id,
                 None if value is None else json.dumps(value), time.time()),
            ).lastrowid

    def decisions(self, kind: Optional[str] = None) -> list[dict]:
        sql = "SELECT * FROM decisions" + (" WHERE kind = ?" if kind else "") + " ORDER BY id"
        rows = self.db.execute(sql, (kind,) if kind else ()).fetchall()
        out = []
        for r in rows:
            d = dict(r)
            d["value"] = json.loads(d["value"]) if d["value"] is not None else None
            out.append(d)
        return out

    def set_rating(self, photo_ids: Iterable[int], rating: Optional[int]) -> None:
        """0-5 stars (None or 0 clears); -1 is "rejected" in XMP terms."""
        if rating is not None and not -1 <= rating <= 5:
            raise ValueError(f"rating must be -1..5, not {rating}")
        with self.write() as db:
            for pid in photo_ids:
                db.execute("UPDATE photos SET rating = ? WHERE id = ?", (rating, pid))
                self.record_decision("rating", photo_id=pid, value=rating)

    def set_flag(self, photo_ids: Iterable[int], flag: Optional[str]) -> None:
        """'pick', 'reject' or None (cleared)."""
        if flag is not None and flag not in FLAGS:
            raise ValueError(f"flag must be one of {FLAGS} or None, not {flag!r}")
        with self.write() as db:
            for pid in photo_ids:
                db.execute("UPDATE photos SET flag = ? WHERE id = ?", (flag, pid))
                self.record_decision("flag", photo_id=pid, value=flag)

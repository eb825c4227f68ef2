"""Catalog queries of the series domain (a mixin of ``Catalog``).

Series are written by the series stage (``save_series``) and read by curation,
the window and the CLI. The user's choice of a pick survives regrouping: it is
kept on the series row and logged as a ``series_pick`` decision.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterable, Optional


@dataclass(frozen=True)
class SeriesMember:
    photo_id: int
    rank: Optional[int]
    score: Optional[float]


@dataclass(frozen=True)
class SeriesInfo:
    id: int
    kind: str  # 'series' (redundant shots) | 'similar' (similar moments) | 'duplicates'
    key: str
    pick_photo_id: Optional[int]
    user_pick: bool
    members: tuple[SeriesMember, ...]  # in rank order (unranked last)


class SeriesQueries:
    """Mixin for ``Catalog``."""

    def save_series(self, kind: str, key: str, members: Iterable[tuple[int, Optional[int], Optional[float]]]) -> int:
        """Create or replace the series with this stable ``key``; members are
        (photo_id, rank, score). A pick the user made is kept if that photo is
        still a member; otherwise the pick is the rank-1 member."""
        members = list(members)
        now = time.time()
        with self.write() as db:
            row = db.execute("SELECT id, pick_photo_id, user_pick FROM series WHERE key = ?", (key,)).fetchone()
            ids = {m[0] for m in members}
            best = min(members, key=lambda m: (m[1] is None, m[1] or 0))[0] if members else None
            if row:
                series_id = row["id"]
                keep_user = bool(row["user_pick"]) and row["pick_photo_id"] in ids
                pick = row["pick_photo_id"] if keep_user else best
                db.execute("UPDATE series SET kind = ?, pick_photo_id = ?, user_pick = ?, updated_at = ? WHERE id = ?",
                           (kind, pick, int(keep_user), now, series_id))
                db.execute("DELETE FROM series_members WHERE series_id = ?", (series_id,))
            else:
                series_id = db.execute(
                    "INSERT INTO series(kind, key, pick_photo_id, user_pick, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)",
                    (kind, key, best, now, now)).lastrowid
            db.conn.executemany("INSERT INTO series_members(series_id, photo_id, rank, score) VALUES (?, ?, ?, ?)",
                                [(series_id, pid, rank, score) for pid, rank, score in members])
        return series_id

    def user_picks(self) -> dict[int, str]:
        """Photos the user chose as the pick of a series -> that series' kind."""
        return {r[0]: r[1] for r in self.db.execute(
            "SELECT pick_photo_id, kind FROM series WHERE user_pick = 1 AND pick_photo_id IS NOT NULL")}

    def carry_user_pick(self, series_id: int, kind: str, user_picks: dict[int, str]) -> None:
        """After regrouping, a series without a pick of the user's takes the
        photo the user had picked in an earlier series of the same kind (or
        of the kind it had before an upgrade changed kinds), when that photo
        is a member. Not logged again as a decision."""
        with self.write() as db:
            row = db.execute("SELECT user_pick FROM series WHERE id = ?", (series_id,)).fetchone()
            if row is None or row["user_pick"]:
                return
            members = [r[0] for r in db.execute("SELECT photo_id FROM series_members WHERE series_id = ?",
                                                (series_id,))]
            for pid in members:
                if pid in user_picks and user_picks[pid] != "duplicates":
                    db.execute("UPDATE series SET pick_photo_id = ?, user_pick = 1 WHERE id = ?", (pid, series_id))
                    return

    def delete_series_except(self, kind: str, keep_keys: Iterable[str]) -> int:
        """Drop series of ``kind`` whose key is not in ``keep_keys`` (regrouping)."""
        keep = set(keep_keys)
        with self.write() as db:
            gone = [r[0] for r in db.execute("SELECT id, key FROM series WHERE kind = ?", (kind,)) if r[1] not in keep]
            db.conn.executemany("DELETE FROM series WHERE id = ?", [(i,) for i in gone])
        return len(gone)

    def series_list(self, kind: Optional[str] = None) -> list[SeriesInfo]:
        sql = ("SELECT s.id, s.kind, s.key, s.pick_photo_id, s.user_pick, m.photo_id, m.rank, m.score "
               "FROM series s JOIN series_members m ON m.series_id = s.id "
               "JOIN photos p ON p.id = m.photo_id WHERE p.status = 'ok'")
        params: tuple = ()
        if kind:
            sql += " AND s.kind = ?"
            params = (kind,)
        sql += " ORDER BY s.id, m.rank IS NULL, m.rank, m.photo_id"
        out: list[SeriesInfo] = []
        current: Optional[list] = None
        for r in self.db.execute(sql, params):
            if current is None or current[0] != r["id"]:
                if current is not None:
                    out.append(SeriesInfo(*current[:5], tuple(current[5])))
                current = [r["id"], r["kind"], r["key"], r["pick_photo_id"], bool(r["user_pick"]), []]
            current[5].append(SeriesMember(r["photo_id"], r["rank"], r["score"]))
        if current is not None:
            out.append(SeriesInfo(*current[:5], tuple(current[5])))
        return out

    def series_by_id(self, series_id: int) -> Optional[SeriesInfo]:
        for info in self.series_list():
            if info.id == series_id:
                return info
        return None

    def set_series_pick(self, series_id: int, photo_id: int) -> None:
        """The user keeps ``photo_id`` as the best of the series (logged for learning)."""
        with self.write() as db:
            row = db.execute("SELECT pick_photo_id FROM series WHERE id = ?", (series_id,)).fetchone()
            if row is None:
                raise KeyError(f"no series {series_id}")
            member = db.execute("SELECT 1 FROM series_members WHERE series_id = ? AND photo_id = ?",
                                (series_id, photo_id)).fetchone()
            if member is None:
                raise ValueError(f"photo {photo_id} is not in series {series_id}")
            db.execute("UPDATE series SET pick_photo_id = ?, user_pick = 1, updated_at = ? WHERE id = ?",
                       (photo_id, time.time(), series_id))
            self.record_decision("series_pick", photo_id=photo_id, other_photo_id=row["pick_photo_id"],
                                 series_id=series_id)

    def photo_series(self, photo_id: int) -> Optional[dict]:
        """The series a photo is in, for the inspector: id, its rank and
        score, whether it is the pick (and the user's), kind and size."""
        series = self.db.execute(
            "SELECT m.series_id, m.rank, m.score, s.pick_photo_id, s.user_pick, s.kind, "
            "(SELECT count(*) FROM series_members x WHERE x.series_id = m.series_id) "
            "FROM series_members m JOIN series s ON s.id = m.series_id WHERE m.photo_id = ?",
            (photo_id,),
        ).fetchone()
        if series is None:
            return None
        return {"id": series[0], "rank": series[1], "score": series[2],
                "is_pick": series[3] == photo_id, "user_pick": bool(series[4]),
                "kind": series[5], "size": series[6]}


QUERIES = SeriesQueries

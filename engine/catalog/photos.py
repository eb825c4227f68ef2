"""Catalog queries over photos for every later stage, the CLI and the GUI."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Iterable, Optional

from ..paths import fs_path


@dataclass(frozen=True)
class Photo:
    id: int
    path: str  # the OS path (may hold undecodable bytes as surrogates)
    display_path: str
    folder_id: Optional[int]
    status: str
    size: int
    mtime_ns: int
    content_hash: str
    format: Optional[str]
    width: Optional[int]
    height: Optional[int]
    capture_time: Optional[str]
    capture_ts: Optional[float]
    capture_tz: Optional[str]
    capture_source: Optional[str]
    camera_make: Optional[str]
    camera_model: Optional[str]
    focal_length: Optional[float]
    focal_length_35mm: Optional[float]
    gps_lat: Optional[float]
    gps_lon: Optional[float]
    rating: Optional[int]
    label: Optional[str]
    keywords: tuple[str, ...]

    @classmethod
    def from_row(cls, r) -> "Photo":
        return cls(
            id=r["id"], path=fs_path(r["path"], r["raw_path"]), display_path=r["path"],
            folder_id=r["folder_id"], status=r["status"], size=r["size"], mtime_ns=r["mtime_ns"],
            content_hash=r["content_hash"], format=r["format"], width=r["width"], height=r["height"],
            capture_time=r["capture_time"], capture_ts=r["capture_ts"], capture_tz=r["capture_tz"],
            capture_source=r["capture_source"], camera_make=r["camera_make"],
            camera_model=r["camera_model"], focal_length=r["focal_length"],
            focal_length_35mm=r["focal_length_35mm"], gps_lat=r["gps_lat"], gps_lon=r["gps_lon"],
            rating=r["rating"], label=r["label"],
            keywords=tuple(json.loads(r["keywords"])) if r["keywords"] else (),
        )


_ORDERS = {
    "capture": "capture_ts IS NULL, capture_ts, id",
    "path": "path",
    "id": "id",
}


class PhotoQueries:
    """Mixin for ``Catalog``: reading photos and tracking analysis stages."""

    def photo(self, photo_id: int) -> Optional[Photo]:
        row = self.db.execute("SELECT * FROM photos WHERE id = ?", (photo_id,)).fetchone()
        return Photo.from_row(row) if row else None

    def photos(self, *, status: str = "ok", order: str = "capture",
               ids: Optional[Iterable[int]] = None) -> list[Photo]:
        sql = "SELECT * FROM photos WHERE status = ?"
        params: list = [status]
        if ids is not None:
            id_list = list(ids)
            if not id_list:
                return []
            sql += f" AND id IN ({','.join('?' * len(id_list))})"
            params += id_list
        sql += f" ORDER BY {_ORDERS[order]}"
        return [Photo.from_row(r) for r in self.db.execute(sql, params)]

    def photo_count(self, status: str = "ok") -> int:
        return self.scalar("SELECT count(*) FROM photos WHERE status = ?", (status,))

    def folder_paths(self) -> dict[int, str]:
        return {r["id"]: fs_path(r["path"], r["raw_path"]) for r in self.db.execute("SELECT id, path, raw_path FROM folders")}

    # -- analysis stages -----------------------------------------------------------
    def photos_needing_stage(self, stage: str, version: int) -> list[Photo]:
        """Photos (one per content) whose content has no finished run of
        ``stage`` at ``version``; failed runs are not retried automatically."""
        rows = self.db.execute(
            "SELECT p.* FROM photos p LEFT JOIN stage_state s "
            "ON s.content_hash = p.content_hash AND s.stage = ? AND s.version = ? "
            "WHERE p.status = 'ok' AND s.content_hash IS NULL "
            "GROUP BY p.content_hash ORDER BY p.capture_ts, p.id",
            (stage, version),
        ).fetchall()
        return [Photo.from_row(r) for r in rows]

    def mark_stage(self, content_hashes: Iterable[str], stage: str, version: int,
                   status: str = "done", error: Optional[str] = None) -> None:
        now = time.time()
        with self.write() as db:
            db.conn.executemany(
                "INSERT INTO stage_state(content_hash, stage, version, status, error, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(content_hash, stage) DO UPDATE SET "
                "version = excluded.version, status = excluded.status, error = excluded.error, "
                "updated_at = excluded.updated_at",
                [(h, stage, version, status, error, now) for h in content_hashes],
            )

    def stage_done(self, stage: str, version: int, content_hashes: Iterable[str]) -> set[str]:
        """Which of ``content_hashes`` have a finished run of ``stage`` at ``version``."""
        hashes = list(dict.fromkeys(content_hashes))
        done: set[str] = set()
        for i in range(0, len(hashes), 900):  # SQLite's parameter limit
            chunk = hashes[i:i + 900]
            done.update(r[0] for r in self.db.execute(
                "SELECT content_hash FROM stage_state WHERE stage = ? AND version = ? AND status = 'done' "
                f"AND content_hash IN ({','.join('?' * len(chunk))})", (stage, version, *chunk)))
        return done

    def stage_failures(self, stage: str) -> dict[str, str]:
        return {r[0]: r[1] for r in self.db.execute(
            "SELECT content_hash, error FROM stage_state WHERE stage = ? AND status = 'failed'", (stage,))}

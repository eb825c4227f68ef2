"""Catalog queries of the scan stage: roots, folders, photos, skipped files."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from ..paths import fs_path, to_db

# Columns of ``photos`` that the scanner fills from a file.
SCANNED_COLUMNS = (
    "size", "mtime_ns", "sidecar_mtime_ns", "content_hash", "format", "width", "height",
    "orientation", "frame_count", "capture_time", "capture_ts", "capture_tz", "capture_source",
    "camera_make", "camera_model", "lens", "exposure_time", "f_number", "iso", "focal_length",
    "focal_length_35mm", "gps_lat", "gps_lon", "gps_alt", "rating", "label", "keywords",
)


@dataclass(frozen=True)
class KnownFile:
    id: int
    path: str  # the OS path
    size: int
    mtime_ns: int
    sidecar_mtime_ns: Optional[int]
    content_hash: str
    status: str


def _prefix_range(root: str) -> tuple[str, str]:
    """Text bounds selecting every path under ``root`` with an index range."""
    text = to_db(root.rstrip(os.sep) + os.sep)[0]
    return text, text[:-1] + chr(ord(os.sep) + 1)


class ScanQueries:
    """Mixin for ``Catalog``: everything the scanner reads and writes."""

    # -- reads -----------------------------------------------------------------
    def known_photos_under(self, roots: Iterable[str]) -> dict[str, KnownFile]:
        """Every catalogued photo under the roots by OS path, trashed ones
        too (a file put back from the trash outside the organizer is found
        again, not added twice)."""
        out: dict[str, KnownFile] = {}
        for root in roots:
            lo, hi = _prefix_range(root)
            for r in self.db.execute(
                "SELECT id, path, raw_path, size, mtime_ns, sidecar_mtime_ns, content_hash, status "
                "FROM photos WHERE path >= ? AND path < ?",
                (lo, hi),
            ):
                path = fs_path(r["path"], r["raw_path"])
                out[path] = KnownFile(r["id"], path, r["size"], r["mtime_ns"], r["sidecar_mtime_ns"],
                                      r["content_hash"], r["status"])
        return out

    def known_skipped_under(self, roots: Iterable[str]) -> dict[str, tuple[int, int, str]]:
        out = {}
        for root in roots:
            lo, hi = _prefix_range(root)
            for r in self.db.execute(
                "SELECT path, raw_path, size, mtime_ns, reason FROM skipped_files WHERE path >= ? AND path < ?",
                (lo, hi),
            ):
                out[fs_path(r["path"], r["raw_path"])] = (r["size"], r["mtime_ns"], r["reason"])
        return out

    def known_videos_under(self, roots: Iterable[str]) -> dict[str, tuple[int, int, int]]:
        out = {}
        for root in roots:
            lo, hi = _prefix_range(root)
            for r in self.db.execute(
                "SELECT id, path, raw_path, size, mtime_ns FROM videos WHERE path >= ? AND path < ? AND status = 'ok'",
                (lo, hi),
            ):
                out[fs_path(r["path"], r["raw_path"])] = (r["id"], r["size"], r["mtime_ns"])
        return out

    def photos_with_hash(self, content_hash: str) -> list[KnownFile]:
        rows = self.db.execute(
            "SELECT id, path, raw_path, size, mtime_ns, sidecar_mtime_ns, content_hash, status "
            "FROM photos WHERE content_hash = ? AND status != 'trashed'",
            (content_hash,),
        ).fetchall()
        return [KnownFile(r["id"], fs_path(r["path"], r["raw_path"]), r["size"], r["mtime_ns"],
                          r["sidecar_mtime_ns"], r["content_hash"], r["status"]) for r in rows]

    # -- scan runs ---------------------------------------------------------------
    def start_scan_run(self, roots: list[str]) -> int:
        now = time.time()
        with self.write() as db:
            cur = db.execute(
                "INSERT INTO scan_runs(started_at, roots, status) VALUES (?, ?, 'running')",
                (now, json.dumps([to_db(r)[0] for r in roots])),
            )
            scan_id = cur.lastrowid
            for root in roots:
                text, raw = to_db(root)
                db.execute(
                    "INSERT INTO roots(path, raw_path, added_at, last_scan_id) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(path) DO UPDATE SET last_scan_id = excluded.last_scan_id",
                    (text, raw, now, scan_id),
                )
        return scan_id

    def finish_scan_run(self, scan_id: int, status: str, counts: dict[str, int], error: str = "") -> None:
        with self.write() as db:
            db.execute(
                "UPDATE scan_runs SET finished_at = ?, status = ?, added = ?, updated = ?, unchanged = ?, "
                "moved = ?, missing = ?, skipped = ?, error = ? WHERE id = ?",
                (time.time(), status, counts.get("added", 0), counts.get("updated", 0),
                 counts.get("unchanged", 0), counts.get("moved", 0), counts.get("missing", 0),
                 counts.get("skipped", 0), error or None, scan_id),
            )

    def add_root(self, path: str) -> None:
        """Make ``path`` a library root (its files may be moved and written)
        without scanning it; a scan of it does the same."""
        text, raw = to_db(os.path.abspath(path))
        with self.write() as db:
            db.execute("INSERT INTO roots(path, raw_path, added_at) VALUES (?, ?, ?) ON CONFLICT(path) DO NOTHING",
                       (text, raw, time.time()))

    def roots(self) -> list[str]:
        return [fs_path(r["path"], r["raw_path"]) for r in self.db.execute("SELECT path, raw_path FROM roots ORDER BY path")]

    # -- writes --------------------------------------------------------------------
    def _folder_id(self, db, folder: str, cache: Optional[dict[str, int]] = None) -> int:
        """The id of a folder's row, made when new. ``cache`` (folder -> id)
        saves the lookups; it must not outlive the write transaction."""
        if cache is not None and folder in cache:
            return cache[folder]
        text, raw = to_db(folder)
        row = db.execute("SELECT id, missing FROM folders WHERE path = ?", (text,)).fetchone()
        if row:
            folder_id = row[0]
            if row[1]:
                db.execute("UPDATE folders SET missing = 0 WHERE id = ?", (folder_id,))
        else:
            folder_id = db.execute("INSERT INTO folders(path, raw_path) VALUES (?, ?)", (text, raw)).lastrowid
        if cache is not None:
            cache[folder] = folder_id
        return folder_id

    def record_photo(self, path: str, fields: dict[str, Any], scan_id: int, photo_id: Optional[int] = None,
                     *, folder_ids: Optional[dict[str, int]] = None) -> int:
        """Insert a new photo, or rewrite ``photo_id`` (changed or moved file)."""
        now = time.time()
        text, raw = to_db(path)
        values = {k: fields.get(k) for k in SCANNED_COLUMNS}
        values["frame_count"] = values["frame_count"] or 1
        with self.write() as db:
            folder_id = self._folder_id(db, os.path.dirname(path), folder_ids)
            values.update(path=text, raw_path=raw, folder_id=folder_id, filename=to_db(os.path.basename(path))[0],
                          status="ok", updated_scan_id=scan_id, seen_scan_id=scan_id, updated_at=now)
            if photo_id is None:
                values.update(added_scan_id=scan_id, added_at=now)
                cols = ", ".join(values)
                marks = ", ".join("?" for _ in values)
                photo_id = db.execute(f"INSERT INTO photos({cols}) VALUES ({marks})", tuple(values.values())).lastrowid
            else:
                sets = ", ".join(f"{k} = ?" for k in values)
                db.execute(f"UPDATE photos SET {sets} WHERE id = ?", (*values.values(), photo_id))
            db.execute("DELETE FROM skipped_files WHERE path = ?", (text,))
        return photo_id

    def record_skipped(self, path: str, size: int, mtime_ns: int, reason: str, scan_id: int) -> None:
        text, raw = to_db(path)
        with self.write() as db:
            db.execute(
                "INSERT INTO skipped_files(path, raw_path, size, mtime_ns, reason, scan_id) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
                "reason = excluded.reason, scan_id = excluded.scan_id",
                (text, raw, size, mtime_ns, reason, scan_id),
            )

    def record_video(self, path: str, size: int, mtime_ns: int, scan_id: int, video_id: Optional[int],
                     *, folder_ids: Optional[dict[str, int]] = None) -> None:
        text, raw = to_db(path)
        with self.write() as db:
            if video_id is None:
                folder_id = self._folder_id(db, os.path.dirname(path), folder_ids)
                db.execute(
                    "INSERT INTO videos(path, raw_path, folder_id, size, mtime_ns, seen_scan_id) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
                    "status = 'ok', seen_scan_id = excluded.seen_scan_id",
                    (text, raw, folder_id, size, mtime_ns, scan_id),
                )
            else:
                db.execute("UPDATE videos SET size = ?, mtime_ns = ?, seen_scan_id = ? WHERE id = ?",
                           (size, mtime_ns, scan_id, video_id))

    def mark_found(self, photo_ids: Iterable[int]) -> None:
        """Photos whose unchanged file is back (it was missing, or sent to the
        trash and put back by hand)."""
        ids = list(photo_ids)
        if not ids:
            return
        with self.write() as db:
            db.conn.executemany("UPDATE photos SET status = 'ok' WHERE id = ? AND status IN ('missing', 'trashed')",
                                [(i,) for i in ids])

    def mark_missing(self, photo_ids: Iterable[int], video_ids: Iterable[int] = (),
                     gone_skipped: Iterable[str] = ()) -> None:
        """Files no longer found: photos and videos stay in the catalog (with
        their analysis and the user's decisions), only their status changes."""
        photo_ids, video_ids, gone_skipped = list(photo_ids), list(video_ids), list(gone_skipped)
        if not (photo_ids or video_ids or gone_skipped):
            return
        with self.write() as db:
            db.conn.executemany("UPDATE photos SET status = 'missing' WHERE id = ? AND status = 'ok'",
                                [(i,) for i in photo_ids])
            db.conn.executemany("UPDATE videos SET status = 'missing' WHERE id = ?", [(i,) for i in video_ids])
            db.conn.executemany("DELETE FROM skipped_files WHERE path = ?", [(to_db(p)[0],) for p in gone_skipped])

"""Catalog queries of the curation domain (a mixin of ``Catalog``).

The curation journal (tables in ``engine/curation/schema.py``): a transaction
per applied plan, an item per file. Items are written, with their destination,
in one committed transaction before the first file moves; afterwards only
their state changes. The engine's ``curation`` package holds the logic; this
mixin only reads and writes rows.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

from ..paths import fs_path, to_db

UNFINISHED_STATES = ("applying", "undoing")


@dataclass(frozen=True)
class CurationPhoto:
    """What a plan needs to know about a photo."""

    id: int
    path: str  # OS path
    display_path: str
    size: int
    mtime_ns: int
    content_hash: str
    rating: Optional[int]
    flag: Optional[str]
    status: str


@dataclass(frozen=True)
class JournalItem:
    id: int
    transaction_id: int
    position: int
    photo_id: Optional[int]
    series_id: Optional[int]
    path: str  # OS path
    size: int
    mtime_ns: int
    content_hash: str
    kept_by: tuple[int, ...]
    dest: str  # OS path
    info_path: Optional[str]
    state: str
    reason: Optional[str]
    restored_to: Optional[str]


@dataclass(frozen=True)
class JournalTransaction:
    id: int
    created_at: float
    finished_at: Optional[float]
    state: str
    mode: str
    quarantine_dir: Optional[str]
    keep: Optional[int]
    summary: dict
    pid: Optional[int]
    counts: dict  # item state -> count
    bytes_by_state: dict  # item state -> total size


def _item(r) -> JournalItem:
    return JournalItem(
        id=r["id"], transaction_id=r["transaction_id"], position=r["position"], photo_id=r["photo_id"],
        series_id=r["series_id"], path=fs_path(r["path"], r["raw_path"]), size=r["size"],
        mtime_ns=r["mtime_ns"], content_hash=r["content_hash"],
        kept_by=tuple(json.loads(r["kept_by"] or "[]")), dest=fs_path(r["dest"], r["raw_dest"]),
        info_path=fs_path(r["info_path"], r["raw_info_path"]) if r["info_path"] else None,
        state=r["state"], reason=r["reason"],
        restored_to=fs_path(r["restored_to"], r["raw_restored_to"]) if r["restored_to"] else None,
    )


class CurationQueries:
    """Mixin for ``Catalog``: reaches the database only through
    ``self.db`` (reads) and ``self.write()`` (transactions)."""

    # -- plan inputs ------------------------------------------------------------
    def curation_photos(self, ids: Optional[Iterable[int]] = None) -> dict[int, CurationPhoto]:
        sql = ("SELECT id, path, raw_path, size, mtime_ns, content_hash, rating, flag, status "
               "FROM photos WHERE status = 'ok'")
        params: list = []
        if ids is not None:
            id_list = list(ids)
            if not id_list:
                return {}
            out: dict[int, CurationPhoto] = {}
            for start in range(0, len(id_list), 900):  # SQLite's parameter limit
                chunk = id_list[start:start + 900]
                out.update(self._curation_rows(sql + f" AND id IN ({','.join('?' * len(chunk))})", chunk))
            return out
        return self._curation_rows(sql, params)

    def _curation_rows(self, sql: str, params: list) -> dict[int, CurationPhoto]:
        return {
            r["id"]: CurationPhoto(r["id"], fs_path(r["path"], r["raw_path"]), r["path"], r["size"],
                                   r["mtime_ns"], r["content_hash"], r["rating"], r["flag"], r["status"])
            for r in self.db.execute(sql, params)
        }

    def rejected_photo_ids(self) -> list[int]:
        return [r[0] for r in self.db.execute(
            "SELECT id FROM photos WHERE status = 'ok' AND (flag = 'reject' OR rating = -1) ORDER BY id")]

    # -- the journal ------------------------------------------------------------
    def journal_transaction(self, mode: str, keep: Optional[int],
                            items_for: Callable[[int], list[dict[str, Any]]],
                            quarantine_dir_for: Optional[Callable[[int], str]] = None) -> int:
        """Create a transaction and all its items in one commit. ``items_for``
        gets the new transaction id (destinations may depend on it) and returns
        dicts with photo_id, series_id, path, size, mtime_ns, content_hash,
        kept_by, dest and info_path."""
        now = time.time()
        with self.write() as db:
            txn = db.execute(
                "INSERT INTO curation_transactions(created_at, state, mode, keep, summary, pid) "
                "VALUES (?, 'applying', ?, ?, '{}', ?)", (now, mode, keep, os.getpid())).lastrowid
            if quarantine_dir_for is not None:
                db.execute("UPDATE curation_transactions SET quarantine_dir = ? WHERE id = ?",
                           (to_db(quarantine_dir_for(txn))[0], txn))
            rows = []
            for position, item in enumerate(items_for(txn)):
                path, raw_path = to_db(item["path"])
                dest, raw_dest = to_db(item["dest"])
                info, raw_info = to_db(item["info_path"]) if item.get("info_path") else (None, None)
                rows.append((txn, position, item.get("photo_id"), item.get("series_id"), path, raw_path,
                             item["size"], item["mtime_ns"], item["content_hash"],
                             json.dumps(list(item.get("kept_by") or [])), dest, raw_dest,
                             info, raw_info, now))
            db.conn.executemany(
                "INSERT INTO curation_items(transaction_id, position, photo_id, series_id, path, raw_path, "
                "size, mtime_ns, content_hash, kept_by, dest, raw_dest, info_path, raw_info_path, state, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)", rows)
        return txn

    def set_item_destination(self, item_id: int, dest: str, info_path: Optional[str]) -> None:
        """Change an item's destination (its trash name was taken meanwhile);
        committed before the file moves there."""
        dest_t, dest_raw = to_db(dest)
        info_t, info_raw = to_db(info_path) if info_path else (None, None)
        with self.write() as db:
            db.execute("UPDATE curation_items SET dest = ?, raw_dest = ?, info_path = ?, raw_info_path = ?, "
                       "updated_at = ? WHERE id = ?", (dest_t, dest_raw, info_t, info_raw, time.time(), item_id))

    def set_item_states(self, updates: Iterable[tuple[int, str, Optional[str], Optional[str]]]) -> None:
        """(item_id, state, reason, restored_to) for each item, in one commit."""
        now = time.time()
        rows = []
        for item_id, state, reason, restored_to in updates:
            rt, rt_raw = to_db(restored_to) if restored_to else (None, None)
            rows.append((state, reason, rt, rt_raw, now, item_id))
        with self.write() as db:
            db.conn.executemany("UPDATE curation_items SET state = ?, reason = ?, restored_to = ?, "
                                "raw_restored_to = ?, updated_at = ? WHERE id = ?", rows)

    def set_photo_status(self, photo_ids: Iterable[int], status: str, *, only_from: Optional[str] = None) -> None:
        sql = "UPDATE photos SET status = ?, updated_at = ? WHERE id = ?"
        if only_from:
            sql += " AND status = ?"
        now = time.time()
        with self.write() as db:
            db.conn.executemany(sql, [(status, now, pid, *((only_from,) if only_from else ()))
                                      for pid in photo_ids])

    def set_transaction_state(self, txn: int, state: str, summary: Optional[dict] = None,
                              finished: bool = False) -> None:
        with self.write() as db:
            db.execute("UPDATE curation_transactions SET state = ?, pid = ? WHERE id = ?", (state, os.getpid(), txn))
            if summary is not None:
                db.execute("UPDATE curation_transactions SET summary = ? WHERE id = ?", (json.dumps(summary), txn))
            if finished:
                db.execute("UPDATE curation_transactions SET finished_at = ? WHERE id = ?", (time.time(), txn))

    # -- reading the journal ------------------------------------------------------
    def curation_transactions(self, states: Optional[Iterable[str]] = None,
                              limit: Optional[int] = None, txn: Optional[int] = None) -> list[JournalTransaction]:
        sql = "SELECT * FROM curation_transactions WHERE 1"
        params: list = []
        if states is not None:
            states = list(states)
            sql += f" AND state IN ({','.join('?' * len(states))})"
            params += states
        if txn is not None:
            sql += " AND id = ?"
            params.append(txn)
        sql += " ORDER BY id DESC" + (f" LIMIT {int(limit)}" if limit else "")
        rows = self.db.execute(sql, params).fetchall()
        out = []
        for r in rows:
            counts, sizes = {}, {}
            for state, n, total in self.db.execute(
                    "SELECT state, count(*), sum(size) FROM curation_items WHERE transaction_id = ? "
                    "GROUP BY state", (r["id"],)):
                counts[state], sizes[state] = n, total or 0
            out.append(JournalTransaction(
                r["id"], r["created_at"], r["finished_at"], r["state"], r["mode"], r["quarantine_dir"],
                r["keep"], json.loads(r["summary"] or "{}"), r["pid"], counts, sizes))
        return out

    def curation_transaction(self, txn: int) -> Optional[JournalTransaction]:
        found = self.curation_transactions(txn=txn)
        return found[0] if found else None

    def curation_items(self, txn: int, states: Optional[Iterable[str]] = None) -> list[JournalItem]:
        sql = "SELECT * FROM curation_items WHERE transaction_id = ?"
        params: list = [txn]
        if states is not None:
            states = list(states)
            sql += f" AND state IN ({','.join('?' * len(states))})"
            params += states
        return [_item(r) for r in self.db.execute(sql + " ORDER BY position", params)]

    def curation_dest_names(self, folder: str) -> set[str]:
        """Destinations journaled in ``folder`` by transactions that are not
        undone: names a new transaction must not reuse."""
        prefix = to_db(folder.rstrip(os.sep) + os.sep)[0]
        rows = self.db.execute(
            "SELECT i.dest, i.raw_dest FROM curation_items i JOIN curation_transactions t "
            "ON t.id = i.transaction_id WHERE t.state != 'undone' AND i.dest >= ? AND i.dest < ? "
            "AND i.state IN ('pending', 'moved')",
            (prefix, prefix[:-1] + chr(ord(os.sep) + 1))).fetchall()
        return {os.path.basename(fs_path(r[0], r[1])) for r in rows}

    # -- XMP sidecars -------------------------------------------------------------
    def sidecar_state(self, photo_id: int) -> Optional[dict[str, Any]]:
        """What a photo's sidecar says from the catalog: rating, flag, label,
        keywords, stored size, and whether it is the pick of a series."""
        r = self.db.execute(
            "SELECT path, raw_path, rating, flag, label, keywords, width, height, orientation "
            "FROM photos WHERE id = ?", (photo_id,)).fetchone()
        if r is None:
            return None
        best = self.db.execute(
            "SELECT 1 FROM series s WHERE s.pick_photo_id = ? AND "
            "(SELECT count(*) FROM series_members m WHERE m.series_id = s.id) > 1 LIMIT 1",
            (photo_id,)).fetchone()
        return {"path": fs_path(r["path"], r["raw_path"]), "rating": r["rating"], "flag": r["flag"],
                "label": r["label"], "keywords": json.loads(r["keywords"]) if r["keywords"] else [],
                "width": r["width"], "height": r["height"], "orientation": r["orientation"],
                "best_shot": best is not None}

    def set_sidecar_mtime(self, photo_id: int, mtime_ns: int) -> None:
        with self.write() as db:
            db.execute("UPDATE photos SET sidecar_mtime_ns = ? WHERE id = ?", (mtime_ns, photo_id))


QUERIES = CurationQueries

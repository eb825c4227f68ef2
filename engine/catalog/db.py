"""The catalog's connection management: the only place that opens SQLite.

One writer connection, serialized by a lock and used inside ``write()``
transactions; one read connection per thread, so that the window's thread can
read while a worker thread writes (WAL mode lets readers proceed during a
write). Domain queries live in mixin modules beside this one and reach the
database only through ``self.db`` and ``self.write()``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import sqlite_utils

from ..errors import CatalogMissing, CatalogUnreadable
from . import lock, schema

BUSY_TIMEOUT_MS = 30_000


def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    conn = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if readonly:
        conn.execute("PRAGMA query_only = ON")
    return conn


class CatalogBase:
    """Opens, validates, migrates and closes a catalog file."""

    def __init__(self, path: Path | str, *, readonly: bool = False) -> None:
        # The real path: a catalog opened through a link is the same catalog
        # (one lock, one write-ahead log beside the real file, one cache).
        self.path = Path(path).expanduser().resolve()
        self.readonly = readonly
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_guard = threading.Lock()
        self._closed = False
        if readonly and not self.path.exists():
            raise CatalogMissing(f"no catalog at {self.path}; run 'photoorg scan FOLDER' first")
        if not readonly:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CatalogUnreadable(f"cannot create the folder of the catalog {self.path} "
                                        f"({exc.strerror or exc}); pass --catalog to use another place") from None
            lock.acquire(self.path)
        try:
            try:
                self._writer = _connect(self.path, readonly=readonly)
            except sqlite3.OperationalError as exc:
                raise CatalogUnreadable(f"cannot open the catalog {self.path} ({exc}); "
                                        "check that the file and its folder are readable and writable") from None
            self._check_and_migrate()
            self._writer_db = sqlite_utils.Database(self._writer)
        except BaseException:
            if not readonly:
                lock.release(self.path)
            raise

    # -- opening -----------------------------------------------------------
    def _check_and_migrate(self) -> None:
        conn = self._writer
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise CatalogUnreadable(
                f"{self.path} is not a readable catalog ({exc}); "
                "choose another file with --catalog or move this one aside"
            ) from None
        if tables and app_id != schema.APPLICATION_ID:
            conn.close()
            raise CatalogUnreadable(
                f"{self.path} is an SQLite file of another program, not a photoorg catalog"
            )
        if self.readonly:
            if schema.pending(conn):
                conn.close()
                raise CatalogUnreadable(
                    f"the catalog {self.path} needs an upgrade; open it once for writing "
                    "(for example 'photoorg scan') with no other window on it"
                )
            return
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise CatalogUnreadable(f"cannot use write-ahead logging on {self.path} ({mode})")
        # FULL: a committed transaction survives power loss, which the
        # curation journal relies on; scans commit in batches so it is cheap.
        conn.execute("PRAGMA synchronous = FULL")
        if not tables:
            conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
        schema.apply(conn)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with self._readers_guard:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        with self._write_lock:
            self._writer.close()
        if not self.readonly:
            lock.release(self.path)

    def __enter__(self) -> "CatalogBase":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- access --------------------------------------------------------------
    @property
    def db(self) -> sqlite_utils.Database:
        """The database for reading on this thread (the writer inside write())."""
        if getattr(self._local, "write_depth", 0):
            return self._writer_db
        reader = getattr(self._local, "reader", None)
        if reader is None:
            conn = _connect(self.path, readonly=True)
            with self._readers_guard:
                self._readers.append(conn)
            reader = self._local.reader = sqlite_utils.Database(conn)
        return reader

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """A write transaction (BEGIN IMMEDIATE ... COMMIT); nested calls join it."""
        if self.readonly:
            raise CatalogUnreadable(f"the catalog {self.path} was opened read-only")
        with self._write_lock:
            depth = getattr(self._local, "write_depth", 0)
            db = self._writer_db
            if depth:
                self._local.write_depth = depth + 1
                try:
                    yield db
                finally:
                    self._local.write_depth = depth
                return
            self._writer.execute("BEGIN IMMEDIATE")
            self._local.write_depth = 1
            try:
                yield db
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            else:
                self._writer.execute("COMMIT")
            finally:
                self._local.write_depth = 0

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        return self.db.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # -- preferences ---------------------------------------------------------
    def get_pref(self, key: str, default: Any = None) -> Any:
        value = self.scalar("SELECT value FROM prefs WHERE key = ?", (key,))
        return default if value is None else json.loads(value)

    def set_pref(self, key: str, value: Any) -> None:
        with self.write() as db:
            db.execute(
                "INSERT INTO prefs(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )

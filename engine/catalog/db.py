"""The catalog's connection management: the only place that opens SQLite.

One writer connection, serialized by a lock and used inside ``write()``
transactions; one read connection per thread, so that the window's thread can
read while a worker thread writes (WAL mode lets readers proceed during a
write). Domain queries live in the domains' store modules (``stores.py``
finds them) and reach the database only through ``self.db`` and
``self.write()``.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

import sqlite_utils

from ..errors import CatalogLocked, CatalogMissing, CatalogTooNew, CatalogUnreadable, CatalogWriteError, PhotoOrgError
from . import lock, schema

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000


def catalog_fault(exc: BaseException, path: Path) -> Optional[PhotoOrgError]:
    """An SQLite error that is a fault of the disk or the file (full, read-only,
    I/O, damaged, locked) as a sentence the user can act on; None for the
    others (constraint errors and bugs are the caller's business)."""
    if not isinstance(exc, sqlite3.Error) or isinstance(exc, sqlite3.IntegrityError):
        return None
    text = str(exc).lower()
    kept = "everything saved before is kept"
    if "full" in text:
        return CatalogWriteError(f"the catalog {path} cannot be written: the disk is full; free some space and "
                                 f"run the command again ({kept})")
    if "readonly" in text or "read-only" in text:
        return CatalogWriteError(f"the catalog {path} cannot be written: the file or its folder is read-only; "
                                 "make them writable, or use a command that only reads (series, albums, people, "
                                 "undo --list)")
    if "disk i/o error" in text:
        return CatalogWriteError(f"the catalog {path} cannot be read or written: disk input/output error (a full, "
                                 f"removed or failing disk?); check the disk and run the command again ({kept})")
    if "locked" in text or "busy" in text:
        return CatalogLocked(f"the catalog {path} is busy: another program keeps it locked; close it and try again")
    if "unable to open" in text:
        return CatalogUnreadable(f"cannot open the catalog {path}: check that the file and its folder exist and "
                                 "are readable and writable")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return CatalogUnreadable(f"the catalog {path} is damaged ({exc}); restore a backup, or move it aside and "
                                 "scan again")
    if "no such table" in text or "no such column" in text:
        return CatalogUnreadable(f"the catalog {path} does not have the layout this version of photoorg expects "
                                 f"({exc}); it was changed by another program or another version")
    return None


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
            try:
                self._check_and_migrate()
            except sqlite3.Error as exc:
                self._writer.close()
                fault = catalog_fault(exc, self.path)
                if fault is None:
                    raise
                raise fault from None
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
            fault = catalog_fault(exc, self.path)
            if isinstance(fault, (CatalogWriteError, CatalogLocked)):  # the disk, not the file
                raise fault from None
            raise CatalogUnreadable(
                f"{self.path} is not a readable catalog ({exc}); "
                "choose another file with --catalog or move this one aside"
            ) from None
        if tables and app_id != schema.APPLICATION_ID:
            conn.close()
            raise CatalogUnreadable(
                f"{self.path} is an SQLite file of another program, not a photoorg catalog"
            )
        newer = schema.unknown(conn)
        if newer:
            # Written by a newer photoorg: writing with this one could break
            # what the newer one relies on. Reading is allowed (a newer
            # schema adds tables and columns; what this version reads stays).
            if not self.readonly:
                conn.close()
                raise CatalogTooNew(
                    f"the catalog {self.path} was written by a newer version of photoorg (it has schema steps "
                    f"{schema.describe(newer)} that this version does not know; this version writes up to "
                    f"{schema.needs(conn)}); update photoorg to change it, or use a command that only reads"
                )
            log.warning("catalog %s has newer schema steps (%s); reading only", self.path, schema.describe(newer))
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
            try:
                self._writer.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise catalog_fault(exc, self.path) or exc from None
            self._local.write_depth = 1
            try:
                yield db
            except BaseException as exc:
                self._rollback()
                fault = catalog_fault(exc, self.path)
                if fault is not None:  # a full disk, a read-only file...: a sentence, not a traceback
                    raise fault from None
                raise
            else:
                try:
                    self._writer.execute("COMMIT")
                except sqlite3.Error as exc:
                    self._rollback()
                    raise catalog_fault(exc, self.path) or exc from None
            finally:
                self._local.write_depth = 0

    def _rollback(self) -> None:
        try:
            self._writer.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # SQLite already rolled back (a full disk does), or the connection is gone

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

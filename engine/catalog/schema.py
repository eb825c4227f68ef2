"""Numbered schema migrations, one list per domain.

Domains are applied in the order below; within a domain, migration N runs once,
in its own transaction, and is recorded in ``schema_migrations``.
"""

from __future__ import annotations

import importlib
import sqlite3
import time

# domain -> module holding ``MIGRATIONS: list[str]`` (SQL scripts).
MIGRATION_MODULES: dict[str, str] = {
    "core": "photoorg.engine.catalog.core_schema",
    "series": "photoorg.engine.series.schema",
    "faces": "photoorg.engine.faces.schema",
    "albums": "photoorg.engine.albums.schema",
    "curation": "photoorg.engine.curation.schema",
    "interest": "photoorg.engine.interest.schema",
    "video": "photoorg.engine.video.schema",
}

# PRAGMA application_id marks a file as a photoorg catalog ("PHOR").
APPLICATION_ID = 0x50484F52


def migrations() -> list[tuple[str, int, str]]:
    out = []
    for domain, module_name in MIGRATION_MODULES.items():
        module = importlib.import_module(module_name)
        for number, script in enumerate(module.MIGRATIONS, start=1):
            out.append((domain, number, script))
    return out


def pending(conn: sqlite3.Connection) -> list[tuple[str, int, str]]:
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
    ).fetchone()
    done: set[tuple[str, int]] = set()
    if has_table:
        done = {(d, n) for d, n in conn.execute("SELECT domain, number FROM schema_migrations")}
    return [m for m in migrations() if (m[0], m[1]) not in done]


def unknown(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Schema steps recorded in the catalog that this version does not have:
    a newer photoorg (or another branch of it) wrote this catalog."""
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
    ).fetchone()
    if not has_table:
        return []
    known = {(d, n) for d, n, _ in migrations()}
    return sorted((d, n) for d, n in conn.execute("SELECT domain, number FROM schema_migrations")
                  if (d, n) not in known)


def describe(steps: list[tuple[str, int]]) -> str:
    """'curation 5, faces 4-6' for a list of (domain, number)."""
    by_domain: dict[str, list[int]] = {}
    for d, n in steps:
        by_domain.setdefault(d, []).append(n)
    parts = []
    for d, ns in sorted(by_domain.items()):
        ns.sort()
        parts.append(f"{d} {ns[0]}" if len(ns) == 1 else f"{d} {ns[0]}-{ns[-1]}")
    return ", ".join(parts)


def needs(conn: sqlite3.Connection) -> str:
    """The newest schema step of each domain this version writes, e.g.
    'core 3, series 2, ...' (for messages)."""
    last: dict[str, int] = {}
    for d, n, _ in migrations():
        last[d] = max(last.get(d, 0), n)
    return ", ".join(f"{d} {n}" for d, n in last.items())


def apply(conn: sqlite3.Connection) -> int:
    """Apply every pending migration; returns how many ran."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " domain TEXT NOT NULL, number INTEGER NOT NULL, applied_at REAL NOT NULL,"
        " PRIMARY KEY (domain, number))"
    )
    todo = pending(conn)
    for domain, number, script in todo:
        # executescript commits first, so wrap the script in its own
        # transaction explicitly: a failing migration leaves nothing behind.
        try:
            conn.executescript(
                "BEGIN IMMEDIATE;\n"
                + script
                + f"\nINSERT INTO schema_migrations VALUES ('{domain}', {number}, {time.time()});"
                + "\nCOMMIT;"
            )
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return len(todo)

"""Numbered schema migrations, one list per domain, each in its own package.

A domain's migrations are ``MIGRATIONS: list[str]`` (SQL scripts) in
``engine/<package>/schema.py``, found on disk (nothing lists them); the
domain is named by the module's ``DOMAIN`` (default: the package's name).
The core tables (``catalog/core_schema.py``) come first, then the domains
by name; within a domain, migration N runs once, in its own transaction,
and is recorded in ``schema_migrations``. A schema module that fails to
import is an error.
"""

from __future__ import annotations

import importlib
import pkgutil
import sqlite3
import time
from functools import lru_cache
from pathlib import Path

CORE_MODULE = "photoorg.engine.catalog.core_schema"


@lru_cache(maxsize=1)
def migration_modules() -> dict[str, str]:
    """domain -> module holding its ``MIGRATIONS``, core first."""
    engine_dir = Path(__file__).resolve().parent.parent
    engine_pkg = __package__.rsplit(".", 1)[0]
    found: dict[str, str] = {"core": CORE_MODULE}
    for pkg in sorted(m.name for m in pkgutil.iter_modules([str(engine_dir)]) if m.ispkg):
        if pkg == "catalog" or not (engine_dir / pkg / "schema.py").exists():
            continue
        name = f"{engine_pkg}.{pkg}.schema"
        module = importlib.import_module(name)
        if not isinstance(getattr(module, "MIGRATIONS", None), list):
            raise TypeError(f"{name} defines no MIGRATIONS list")
        domain = getattr(module, "DOMAIN", pkg)
        if domain in found:
            raise ValueError(f"schema domain {domain!r} defined twice ({found[domain]}, {name})")
        found[domain] = name
    return found

# PRAGMA application_id marks a file as a photoorg catalog ("PHOR").
APPLICATION_ID = 0x50484F52


def migrations() -> list[tuple[str, int, str]]:
    out = []
    for domain, module_name in migration_modules().items():
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

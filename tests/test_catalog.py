"""The catalog file: WAL, migrations, one writer, clear errors."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest

from photoorg.engine.catalog import Catalog
from photoorg.engine.catalog import schema
from photoorg.engine.errors import CatalogLocked, CatalogMissing, CatalogUnreadable


def test_new_catalog_is_wal_with_all_migrations(tmp_path):
    path = tmp_path / "c.sqlite"
    with Catalog(path) as cat:
        assert cat.scalar("PRAGMA journal_mode") == "wal"
        applied = {(r[0], r[1]) for r in cat.query("SELECT domain, number FROM schema_migrations")}
        assert applied == {(d, n) for d, n, _ in schema.migrations()}
        assert cat.scalar("PRAGMA application_id") == schema.APPLICATION_ID
    # Reopening applies nothing twice.
    with Catalog(path) as cat:
        assert cat.scalar("SELECT count(*) FROM schema_migrations") == len(schema.migrations())


def test_failed_write_rolls_back(catalog):
    with pytest.raises(RuntimeError):
        with catalog.write() as db:
            db.execute("INSERT INTO prefs(key, value) VALUES ('a', '1')")
            raise RuntimeError("boom")
    assert catalog.get_pref("a") is None
    catalog.set_pref("a", {"x": 1})
    assert catalog.get_pref("a") == {"x": 1}


def test_garbage_file_is_reported_not_overwritten(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"these are my notes, not a database" * 40)
    before = path.read_bytes()
    with pytest.raises(CatalogUnreadable, match="not a readable catalog"):
        Catalog(path)
    assert path.read_bytes() == before


def test_other_programs_database_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE stuff(x)")
    conn.commit()
    conn.close()
    with pytest.raises(CatalogUnreadable, match="another program"):
        Catalog(path)


def test_readonly_open_of_missing_catalog_says_what_to_do(tmp_path):
    with pytest.raises(CatalogMissing, match="photoorg scan"):
        Catalog(tmp_path / "none.sqlite", readonly=True)


def test_second_process_gets_a_clear_lock_error_and_readers_still_work(tmp_path):
    path = tmp_path / "shared.sqlite"
    with Catalog(path) as cat:
        cat.set_pref("owner", "first")
        script = textwrap.dedent(f"""
            import sys
            from photoorg.engine.catalog import Catalog
            from photoorg.engine.errors import CatalogLocked
            try:
                Catalog({str(path)!r})
            except CatalogLocked as exc:
                print("LOCKED", exc)
            with Catalog({str(path)!r}, readonly=True) as ro:
                print("READ", ro.get_pref("owner"))
        """)
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
        assert "LOCKED" in out.stdout, out.stderr
        assert "in use by another photoorg" in out.stdout
        assert f"pid " in out.stdout
        assert "READ first" in out.stdout
    # Released on close: the other process can now take it.
    out = subprocess.run(
        [sys.executable, "-c", f"from photoorg.engine.catalog import Catalog; Catalog({str(path)!r}).close(); print('OK')"],
        capture_output=True, text=True, timeout=60,
    )
    assert out.stdout.strip() == "OK", out.stderr


def test_same_process_may_open_twice(tmp_path):
    path = tmp_path / "twice.sqlite"
    with Catalog(path) as a, Catalog(path) as b:
        a.set_pref("k", 1)
        assert b.get_pref("k") == 1


def test_reader_thread_sees_committed_rows_while_writer_holds_transaction(tmp_path):
    import threading

    path = tmp_path / "threads.sqlite"
    with Catalog(path) as cat:
        cat.set_pref("k", "before")
        entered, release = threading.Event(), threading.Event()

        def writer():
            with cat.write() as db:
                db.execute("UPDATE prefs SET value = '\"during\"' WHERE key = 'k'")
                entered.set()
                release.wait(10)

        t = threading.Thread(target=writer)
        t.start()
        entered.wait(10)
        assert cat.get_pref("k") == "before"  # not blocked, sees the last commit
        release.set()
        t.join()
        assert cat.get_pref("k") == "during"


def test_readonly_catalog_refuses_writes(tmp_path):
    path = tmp_path / "ro.sqlite"
    Catalog(path).close()
    with Catalog(path, readonly=True) as ro:
        with pytest.raises(CatalogUnreadable, match="read-only"):
            ro.set_pref("x", 1)


def test_lock_error_type(tmp_path):
    assert issubclass(CatalogLocked, Exception)


def test_catalog_in_a_place_that_cannot_be_written_gives_a_clear_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the catalog's folder should be")
    with pytest.raises(CatalogUnreadable, match="cannot create the folder"):
        Catalog(blocker / "catalog.sqlite")
    folder = tmp_path / "cat"
    folder.mkdir()
    (folder / "c.sqlite.lock").mkdir()  # the lock file's name is taken by a folder
    with pytest.raises(CatalogUnreadable, match="cannot open the lock file"):
        Catalog(folder / "c.sqlite")
    (folder / "d.sqlite").mkdir()  # a folder where the catalog file should be
    with pytest.raises(CatalogUnreadable, match="cannot open the catalog"):
        Catalog(folder / "d.sqlite")
    assert not (folder / "d.sqlite.lock").read_bytes()  # the lock was let go

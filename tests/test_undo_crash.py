"""SIGKILL at the worst moments of a 300-file curation, then undo: nothing
lost, nothing duplicated, every file back at its path with its bytes.

The child process kills itself (PHOTOORG_TEST_CRASH=POINT:N) right after the
journal commit, between a .trashinfo reservation and its move, between a move
and its commit, and half-way through an undo.
"""

from __future__ import annotations

import json
import signal
from collections import Counter

import pytest

from photoorg.engine.catalog import Catalog
from photoorg.engine.curation import apply_plan, make_plan, undo, unfinished_transactions
from photoorg.engine.curation.errors import UnfinishedTransaction
from photoorg.engine.settings import Settings

from test_curation_support import build_series_library, photoorg, snapshot, trash_files, trash_root

N_SERIES = 100  # 300 photos, 200 of them proposed


@pytest.fixture
def big_library(shared_photos, tmp_path):
    settings = Settings.for_catalog(tmp_path / "catalog.sqlite")
    root = tmp_path / "Pictures"
    with Catalog(settings.catalog_path) as catalog:
        build_series_library(catalog, shared_photos, root, N_SERIES)
    return settings, root, snapshot(root)


def _nothing_lost_nothing_duplicated(root, before):
    now, trashed = snapshot(root), trash_files()
    assert Counter(list(now.values()) + list(trashed.values())) == Counter(before.values())
    assert all(before[p] == h for p, h in now.items())  # what is in the library is where it was
    leftovers = [p for p in list(now) + list(trashed) if p.endswith(".photoorg-part")]
    assert leftovers == []
    return now, trashed


def _all_back(settings, root, before):
    assert snapshot(root) == before
    assert trash_files() == {} and list((trash_root() / "info").iterdir()) == []
    with Catalog(settings.catalog_path, readonly=True) as catalog:
        assert catalog.photos(status="trashed") == [] and catalog.photo_count() == len(before)
        assert unfinished_transactions(catalog) == []


@pytest.mark.parametrize("crash", ["journaled:1", "reserved:57", "moved:1", "moved:133"])
def test_sigkill_during_clean_series_then_undo(big_library, crash):
    settings, root, before = big_library
    cat = ["--catalog", str(settings.catalog_path), "--json"]
    run = photoorg("clean-series", *cat, env={"PHOTOORG_TEST_CRASH": crash})
    assert run.returncode == -signal.SIGKILL, run.stderr
    point, n = crash.split(":")
    now, trashed = _nothing_lost_nothing_duplicated(root, before)
    moved = {"journaled": 0, "reserved": int(n) - 1, "moved": int(n)}[point]
    assert len(trashed) == moved and len(now) == len(before) - moved

    # A restart shows the unfinished transaction and refuses to start another.
    with Catalog(settings.catalog_path) as catalog:
        assert [t.state for t in unfinished_transactions(catalog)] == ["applying"]
        with pytest.raises(UnfinishedTransaction, match="interrupted"):
            apply_plan(catalog, settings, make_plan(catalog, settings))
        result = undo(catalog, settings)
    assert result.complete and len(result.restored) == moved
    _all_back(settings, root, before)


def test_sigkill_during_undo_then_undo_again(big_library):
    settings, root, before = big_library
    cat = ["--catalog", str(settings.catalog_path), "--json"]
    done = photoorg("clean-series", *cat)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["moved"]) == 2 * N_SERIES

    run = photoorg("undo", *cat, env={"PHOTOORG_TEST_CRASH": "restored:77"})
    assert run.returncode == -signal.SIGKILL
    now, trashed = _nothing_lost_nothing_duplicated(root, before)
    assert len(trashed) == 2 * N_SERIES - 77
    assert [t["state"] for t in json.loads(photoorg("undo", "--list", *cat).stdout)["unfinished"]] == ["undoing"]

    run = photoorg("undo", *cat)
    assert run.returncode == 0, run.stderr
    # The second undo moves back the 123 still in the trash; those the first
    # one moved without committing their state it finds already back.
    restored = json.loads(run.stdout)["restored"]
    already = [r for r in restored if r.get("reason") == "already back at its path"]
    assert len(restored) - len(already) == 2 * N_SERIES - 77
    _all_back(settings, root, before)


def test_sigkill_then_resume_finishes_the_plan(big_library):
    settings, root, before = big_library
    cat = ["--catalog", str(settings.catalog_path), "--json"]
    assert photoorg("clean-series", *cat, env={"PHOTOORG_TEST_CRASH": "moved:90"}).returncode == -signal.SIGKILL
    run = photoorg("clean-series", "--resume", *cat)
    assert run.returncode == 0, run.stderr
    # It moves the 110 left, and records the moves the killed run made but
    # had not committed yet (found in the trash, not moved twice).
    assert 110 <= len(json.loads(run.stdout)["moved"]) <= 2 * N_SERIES
    now, trashed = _nothing_lost_nothing_duplicated(root, before)
    assert len(trashed) == 2 * N_SERIES
    with Catalog(settings.catalog_path, readonly=True) as catalog:
        assert len(catalog.photos(status="trashed")) == 2 * N_SERIES
        assert unfinished_transactions(catalog) == []
    assert photoorg("undo", *cat).returncode == 0
    _all_back(settings, root, before)

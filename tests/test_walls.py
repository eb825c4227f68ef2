"""The library has walls: links to a system folder (a temporary "system" folder
and the real /usr/share/pixmaps) and to a sibling folder are not followed,
and nothing outside the roots is catalogued, planned, moved or written,
also when the catalog itself says otherwise (tampered paths and journals)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from photoorg.engine.catalog import Catalog
from photoorg.engine.curation import apply_plan, make_plan, undo
from photoorg.engine.scan.scanner import scan
from photoorg.engine.settings import Preferences
from photoorg.engine.xmp.write import XmpWriteError, write_photo_sidecar

from test_curation_support import build_series_library, copy_unique, register, snapshot, source_photos

SYSTEM_IMAGES = Path("/usr/share/pixmaps")


def _inside(path: str, root: Path) -> bool:
    real = os.path.realpath(path)
    return real == str(root) or real.startswith(str(root) + os.sep)


@pytest.fixture
def walled(tmp_path, shared_photos):
    """lib/ with its own photos and links out: to a "system" folder, to the
    real /usr/share/pixmaps, to a sibling folder and to one file in it; and a
    link to a folder inside lib/ (followed once)."""
    sources = source_photos(shared_photos)
    lib, system, sibling = (tmp_path / n for n in ("lib", "system", "sibling"))
    own = [copy_unique(sources[i], lib / "Trip" / f"IMG_{i}.jpg", f"own{i}") for i in range(3)]
    for i in range(2):
        copy_unique(sources[i + 3], system / "share" / f"sys_{i}.jpg", f"sys{i}")
        copy_unique(sources[i + 5], sibling / f"other_{i}.jpg", f"sib{i}")
    (lib / "system").symlink_to(system)
    (lib / "sibling").symlink_to(sibling)
    (lib / "one_photo.jpg").symlink_to(sibling / "other_0.jpg")
    (lib / "Trip again").symlink_to(lib / "Trip")  # inside: followed, listed once
    if SYSTEM_IMAGES.is_dir():
        (lib / "pixmaps").symlink_to(SYSTEM_IMAGES)
    return lib.resolve(), own, system, sibling


def test_links_out_of_the_library_are_reported_not_followed(catalog, settings, walled):
    lib, own, system, sibling = walled
    summary = scan(catalog, [str(lib)], settings)
    paths = [p.path for p in catalog.photos()]
    assert sorted(os.path.realpath(p) for p in paths) == sorted(str(p) for p in own)
    assert all(_inside(p, lib) for p in paths)
    reasons = {Path(s["path"]).name: s["reason"] for s in summary.skipped}
    for name in ["system", "sibling", "one_photo.jpg"] + (["pixmaps"] if SYSTEM_IMAGES.is_dir() else []):
        assert "outside the library" in reasons[name] and "not followed" in reasons[name], reasons
    assert "Trip again" not in reasons  # a link inside the library is no problem
    # A link whose target is added as a root of its own is followed.
    summary = scan(catalog, [str(lib), str(sibling)], settings)
    assert len(catalog.photos()) == 5


def test_photos_catalogued_through_a_link_earlier_are_dropped_and_never_planned(catalog, settings, walled):
    lib, own, system, sibling = walled
    # An older version followed the link: the system photos are in the catalog.
    old = [lib / "system" / "share" / f"sys_{i}.jpg" for i in range(2)]
    ids = register(catalog, own + old)
    catalog.save_series("series", "s", [(pid, rank, 1.0 / rank) for rank, pid in enumerate(ids, 1)])
    scan(catalog, [str(lib)], settings)
    assert {p.path for p in catalog.photos()} == {str(p) for p in own}
    plan = make_plan(catalog, settings)
    assert plan.items and all(_inside(i.path, lib) for i in plan.items)
    assert not {i.path for i in plan.items} & {str(p) for p in old}


def test_a_tampered_catalog_cannot_move_files_outside_the_roots(catalog, settings, shared_photos, tmp_path):
    root = tmp_path / "Pictures"
    series = build_series_library(catalog, shared_photos, root, n_series=2)
    outside = tmp_path / "outside"
    outside.mkdir()
    link = root / "Trip 00" / "elsewhere"
    link.symlink_to(outside)
    tampered = []
    for k, pid in enumerate([series[0][1], series[1][1]]):
        photo = catalog.photos(ids=[pid])[0]
        # The same bytes and time outside the library; the catalog is pointed there
        # directly, and through a link inside the library.
        target = outside / f"victim_{k}.jpg"
        shutil.copy2(photo.path, target)
        new_path = str(target) if k == 0 else str(link / target.name)
        with catalog.write() as db:
            db.execute("UPDATE photos SET path = ? WHERE id = ?", (new_path, pid))
        tampered.append((pid, target))
    before = snapshot(outside)
    plan = make_plan(catalog, settings)
    result = apply_plan(catalog, settings, plan)
    assert snapshot(outside) == before  # nothing moved out of there
    refused = {o.photo_id: o.reason for o in result.skipped}
    for pid, _ in tampered:
        assert "outside the library" in refused[pid]
    assert len(result.moved) == len(plan.items) - 2  # the others were cleaned as usual


def test_a_tampered_journal_cannot_restore_or_take_files_outside(catalog, settings, shared_photos, tmp_path):
    root = tmp_path / "Pictures"
    build_series_library(catalog, shared_photos, root, n_series=2)
    result = apply_plan(catalog, settings, make_plan(catalog, settings))
    assert len(result.moved) == 4
    outside = tmp_path / "outside"
    outside.mkdir()
    items = catalog.curation_items(result.transaction_id)
    with catalog.write() as db:  # restore one to a system folder, take another from a library file
        db.execute("UPDATE curation_items SET path = ? WHERE id = ?", (str(outside / "planted.jpg"), items[0].id))
        db.execute("UPDATE curation_items SET dest = ? WHERE id = ?", (str(root / "Trip 00" / "IMG_0000_0.jpg"),
                                                                       items[1].id))
    done = undo(catalog, settings, result.transaction_id)
    assert not (outside / "planted.jpg").exists() and not list(outside.iterdir())
    assert (root / "Trip 00" / "IMG_0000_0.jpg").exists()  # the kept photo was not taken as a source
    failed = {o.path: o.reason for o in done.failed}
    assert len(failed) == 2 and all("refused" in r for r in failed.values()), failed
    assert len(done.restored) == 2


def test_sidecars_are_never_written_outside_the_library(catalog, settings, walled, tmp_path):
    lib, own, system, sibling = walled
    on = settings.with_prefs(Preferences(xmp_write=True))
    register(catalog, own)
    (pid,) = register(catalog, [sibling / "other_1.jpg"])  # a catalog entry outside the roots
    catalog.add_root(str(lib))
    with catalog.write() as db:
        db.execute("UPDATE photos SET rating = 4, path = ? WHERE id = ?", (str(lib / "sibling" / "other_1.jpg"), pid))
        db.execute("DELETE FROM roots WHERE path = ?", (str(sibling),))
    before = snapshot(sibling)
    with pytest.raises(XmpWriteError, match="outside the library"):
        write_photo_sidecar(catalog, on, pid)
    from photoorg.engine.xmp import stage
    summary = stage.run(catalog, on, lambda p: None, _Never())
    assert summary["failed"] == 1 and snapshot(sibling) == before
    own_id = catalog.photos()[0].id
    with catalog.write() as db:
        db.execute("UPDATE photos SET rating = 3 WHERE id = ?", (own_id,))
    assert write_photo_sidecar(catalog, on, own_id)  # inside: written


class _Never:
    cancelled = False

    def raise_if_cancelled(self) -> None:
        pass


def test_the_lock_is_taken_on_the_real_catalog_file(tmp_path):
    real = tmp_path / "real" / "catalog.sqlite"
    link = tmp_path / "link.sqlite"
    with Catalog(real):
        pass
    link.symlink_to(real)
    code = ("import sys; from photoorg.engine.catalog import Catalog\n"
            "from photoorg.engine.errors import CatalogLocked\n"
            "try:\n    Catalog(sys.argv[1])\nexcept CatalogLocked as e:\n    print('locked')\n")
    with Catalog(real) as cat:
        assert cat.path == real.resolve()
        out = subprocess.run([sys.executable, "-c", code, str(link)], capture_output=True, text=True, timeout=60)
        assert out.stdout.strip() == "locked", out.stderr
    from photoorg.engine.settings import Settings
    assert Settings.for_catalog(link).cache_dir == Settings.for_catalog(real).cache_dir

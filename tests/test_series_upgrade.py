"""Upgrading a catalog grouped before local verification: the next run of
the series stage regroups it once; the user's picks, stars and the undo
journal of an earlier clean-up survive."""

from __future__ import annotations

import os
import shutil
import sqlite3

from photoorg.engine.catalog import Catalog
from photoorg.engine.curation import apply_plan, make_plan, undo
from photoorg.engine.pipeline import run_stages
from photoorg.engine.progress import CancelToken
from photoorg.engine.scan.scanner import scan
from photoorg.engine.series import stage as series_stage
from photoorg.engine.settings import Preferences, Settings


def _as_old_catalog(path) -> None:
    """What a catalog of the previous version holds: series migration 1 only."""
    db = sqlite3.connect(path)
    db.executescript("DROP TABLE series_pairs; DROP TABLE series_state; "
                     "DELETE FROM schema_migrations WHERE domain = 'series' AND number = 2;")
    db.commit()
    db.close()


def test_old_catalog_is_regrouped_once_and_keeps_picks_stars_and_journal(shared_photos, tmp_path):
    photos = tmp_path / "photos"
    shutil.copytree(shared_photos / "exif/jpg/hdr", photos / "hdr", ignore=shutil.ignore_patterns("*.txt"))
    for name in ("el_torcal_rocks.jpg", "silver_fir.jpg"):
        shutil.copy2(shared_photos / "immich/albums/nature" / name, photos / name)
    shutil.copy2(shared_photos / "immich/albums/nature/el_torcal_rocks.jpg", photos / "el_torcal_copy.jpg")
    settings = Settings.for_catalog(tmp_path / "catalog.sqlite", workers=1).with_prefs(
        Preferences(trash_mode="quarantine", quarantine_dir=str(tmp_path / "quarantine")))
    with Catalog(settings.catalog_path) as cat:
        scan(cat, [str(photos)], settings)
        assert [o.status for o in run_stages(cat, settings, only=["embed"])] == ["done"]
        ids = {os.path.basename(p.path): p for p in cat.photos()}
        # The old grouping: one loose series (an HDR pair plus an unrelated shot), the user's pick in it.
        loose = [ids["canon_hdr_NO.jpg"], ids["canon_hdr_YES.jpg"], ids["silver_fir.jpg"]]
        sid = cat.save_series("series", f"series:{loose[0].content_hash}",
                              [(p.id, rank, 0.5) for rank, p in enumerate(loose, 1)])
        cat.set_series_pick(sid, ids["canon_hdr_YES.jpg"].id)
        cat.set_rating([ids["silver_fir.jpg"].id], 3)
        dup = cat.save_series("duplicates", f"duplicates:{ids['el_torcal_rocks.jpg'].content_hash}",
                              [(ids["el_torcal_rocks.jpg"].id, 1, None), (ids["el_torcal_copy.jpg"].id, 2, None)])
        result = apply_plan(cat, settings, make_plan(cat, settings, series_ids=[dup]), lambda *_: None, CancelToken())
        assert result.transaction_id is not None and len(result.moved) == 1
        moved = result.moved[0].path
        assert not os.path.exists(moved)
    _as_old_catalog(settings.catalog_path)

    with Catalog(settings.catalog_path) as cat:  # the upgrade: migration 2 runs on open
        first = series_stage.run(cat, settings, lambda *_: None, CancelToken())
        second = series_stage.run(cat, settings, lambda *_: None, CancelToken())
        assert first["regrouped_after_upgrade"] and not second["regrouped_after_upgrade"]
        assert second["pairs_verified"] == 0  # the pair evidence is cached: nothing verified twice
        names = {p.id: os.path.basename(p.path) for p in cat.photos()}
        redundant = [sorted(names[m.photo_id] for m in s.members) for s in cat.series_list("series")]
        assert ["canon_hdr_NO.jpg", "canon_hdr_YES.jpg"] in redundant
        assert not any("silver_fir.jpg" in g for g in redundant)  # the loose old series is gone
        hdr = next(s for s in cat.series_list("series") if len(s.members) == 2
                   and {names[m.photo_id] for m in s.members} == {"canon_hdr_NO.jpg", "canon_hdr_YES.jpg"})
        assert hdr.user_pick and names[hdr.pick_photo_id] == "canon_hdr_YES.jpg"
        assert cat.photo(ids["silver_fir.jpg"].id).rating == 3
        undone = undo(cat, settings)
        assert os.path.exists(moved) and undone.transaction_id == result.transaction_id

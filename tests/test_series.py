"""Series grouping and ranking: real photos through scan -> embed -> series,
the CLI contract, robustness to broken files, the synthetic library, learning
from the user's picks and the Phototriage label format."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from photoorg.engine.catalog import Catalog
from photoorg.engine.pipeline import run_stages
from photoorg.engine.scan.scanner import scan
from photoorg.engine.series.grouping import GroupingParams, PhotoItem, group_photos
from photoorg.engine.series.synthetic import pair_precision_recall, synthetic_library
from photoorg.engine.settings import Settings

PARTS = ["exif/jpg/hdr", "exif/jpg/gps"]
LANDSCAPES = [f"exif/jpg/orientation/landscape_{i}.jpg" for i in (1, 3, 6)]


@pytest.fixture(scope="module")
def library(shared_photos, tmp_path_factory):
    """A small real library (copies): two HDR on/off pairs, a nine-photo walk
    of different street views, three orientation copies of one landscape, and
    the same landscape copied byte for byte into a second folder."""
    root = tmp_path_factory.mktemp("series-lib")
    photos = root / "photos"
    for part in PARTS:
        shutil.copytree(shared_photos / part, photos / part.replace("/", "_"),
                        ignore=shutil.ignore_patterns("*.txt"))
    (photos / "waterfall").mkdir()
    for rel in LANDSCAPES:
        shutil.copy2(shared_photos / rel, photos / "waterfall" / Path(rel).name)
    (photos / "backup").mkdir()
    shutil.copy2(shared_photos / LANDSCAPES[0], photos / "backup" / "copy.jpg")
    settings = Settings.for_catalog(root / "catalog.sqlite", workers=2)
    with Catalog(settings.catalog_path) as cat:
        scan(cat, [str(photos)], settings)
        outcomes = run_stages(cat, settings, only=["embed", "series"])
    assert [o.status for o in outcomes] == ["done", "done"], [o.to_json() for o in outcomes]
    return settings, photos


def _series_names(settings, kind="series"):
    with Catalog(settings.catalog_path, readonly=True) as cat:
        out = []
        for info in cat.series_list(kind):
            paths = {p.id: p.path for p in cat.photos(ids=[m.photo_id for m in info.members])}
            out.append(sorted(os.path.basename(paths[m.photo_id]) for m in info.members))
        return out


def test_real_near_duplicates_are_grouped_and_unrelated_photos_are_not(library):
    settings, _ = library
    series = _series_names(settings)
    assert ["canon_hdr_NO.jpg", "canon_hdr_YES.jpg"] in series
    assert ["iphone_hdr_NO.jpg", "iphone_hdr_YES.jpg"] in series
    assert ["landscape_1.jpg", "landscape_3.jpg", "landscape_6.jpg"] in series \
        or ["copy.jpg", "landscape_3.jpg", "landscape_6.jpg"] in series
    grouped = {name for group in series for name in group}
    assert not any(name.startswith("DSCN") for name in grouped)  # the walk: different views, no series
    assert len(series) == 3
    duplicates = _series_names(settings, "duplicates")
    assert duplicates == [["copy.jpg", "landscape_1.jpg"]]


def test_series_stage_in_a_worker_pool_stores_the_same_groups(library, tmp_path, monkeypatch):
    """The stage's verification in worker processes (forced here: the pool
    normally starts for 3,000+ pairs) gives the single process's groups,
    reading keypoints from the catalog and storing the evidence they found."""
    from photoorg.engine.series import verify_pool

    settings, _ = library
    found = {}
    runs = []
    pool_run = verify_pool.Parallel.run
    monkeypatch.setattr(verify_pool.Parallel, "run", lambda self, *a, **k: runs.append(1) or pool_run(self, *a, **k))
    for name, min_pairs in (("plain", 10 ** 9), ("pool", 0)):
        path = tmp_path / name / "catalog.sqlite"
        path.parent.mkdir()
        source, target = sqlite3.connect(settings.catalog_path), sqlite3.connect(path)
        source.backup(target)  # a consistent copy, the write-ahead log included
        source.close()
        target.close()
        copy = dataclasses.replace(settings, catalog_path=path)
        monkeypatch.setattr(verify_pool, "MIN_PAIRS", min_pairs)
        with Catalog(path) as cat:
            with cat.write() as db:
                db.execute("DELETE FROM series_pairs")  # verify every pair again
            outcome = run_stages(cat, copy, only=["series"])[0]
            assert outcome.status == "done", outcome.to_json()
            assert outcome.summary["pairs_verified"] > 0
            stored = cat.db.execute("SELECT count(*) FROM series_pairs").fetchone()[0]
            assert stored == outcome.summary["pairs_verified"]
        found[name] = (_series_names(copy), _series_names(copy, "similar"), outcome.summary["series"])
    assert runs == [1], "the pool ran once, for the second copy"
    assert found["pool"] == found["plain"]
    assert found["plain"][2] >= 3


def test_series_json_contract_and_pick(library):
    settings, _ = library
    cmd = [sys.executable, "-m", "photoorg.engine.cli", "series", "--catalog", str(settings.catalog_path), "--json"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    kinds = {s["kind"] for s in data["series"]}
    assert {"redundant", "duplicates"} <= kinds <= {"redundant", "similar", "duplicates"}
    for s in data["series"]:
        assert isinstance(s["id"], int)
        ranks = [p["rank"] for p in s["photos"]]
        assert ranks == list(range(1, len(ranks) + 1))
        assert all(os.path.isabs(p["path"]) for p in s["photos"])
        if s["kind"] == "redundant":
            scores = [p["score"] for p in s["photos"]]
            assert all(0 < x < 1 for x in scores) and scores == sorted(scores, reverse=True)
            assert s["pick"] == s["photos"][0]["path"]
    target = next(s for s in data["series"] if s["kind"] == "redundant")
    last = target["photos"][-1]["path"]
    out = subprocess.run(cmd + ["--pick", str(target["id"]), last], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    again = next(s for s in json.loads(out.stdout)["series"] if s["id"] == target["id"])
    assert again["pick"] == last and again["user_pick"]
    bad = subprocess.run(cmd + ["--pick", "99999", last], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "no series 99999" in bad.stderr


def test_missing_or_broken_member_does_not_stop_the_series_stage(library, tmp_path):
    from photoorg.engine.series.ranking import USER_HEAD, load_head, packaged_head, save_head

    settings, photos = library
    # A fresh cache (no thumbnails) and another head (its vectors are not
    # cached yet), so every member is decoded again from its file.
    fresh = dataclasses.replace(settings, cache_dir=tmp_path / "cache")
    model, _ = load_head(packaged_head())
    save_head(model, fresh.models_dir / USER_HEAD, {"note": "test copy"})
    victim = photos / "exif_jpg_hdr" / "canon_hdr_NO.jpg"
    saved = victim.read_bytes()
    victim.write_bytes(b"\xff\xd8 broken now")
    try:
        with Catalog(settings.catalog_path) as cat:
            outcome = run_stages(cat, fresh, only=["series"])[0]
            assert outcome.status == "done", outcome.to_json()
            assert outcome.summary["unranked"] == 1
            info = next(i for i in cat.series_list("series") if len(i.members) == 2
                        and any(cat.photo(m.photo_id).path == str(victim) for m in i.members))
            last = info.members[-1]
            assert cat.photo(last.photo_id).path == str(victim) and last.score is None
    finally:
        victim.write_bytes(saved)


def test_finetune_on_user_picks_reports_held_out_gain(library):
    from photoorg.engine.series.train_jobs import decision_pairs, finetune_on_decisions

    settings, _ = library
    with Catalog(settings.catalog_path) as cat:
        for info in cat.series_list("series"):
            cat.set_series_pick(info.id, info.members[-1].photo_id)  # the user disagrees every time
        pairs = decision_pairs(cat)
        assert len(pairs) >= 4 and all(a != b for a, b, _ in pairs)
        report = finetune_on_decisions(cat, settings, epochs=2, min_pairs=4)
    assert report["held_out_pairs"] >= 1 and report["train_pairs"] >= 1
    for key in ("held_out_accuracy_before", "held_out_accuracy_after"):
        assert 0.0 <= report[key] <= 1.0
    assert report["gain"] == pytest.approx(report["held_out_accuracy_after"] - report["held_out_accuracy_before"],
                                           abs=1e-3)
    assert (report["saved"] is not None) == (report["gain"] >= 0)


def test_synthetic_library_grouping_is_accurate_and_blocks_by_time():
    lib = synthetic_library(3000, seed=1)
    groups = group_photos(lib.items)
    predicted = np.full(len(lib.items), -1)
    for gi, g in enumerate(groups):
        predicted[g.members] = gi
    precision, recall = pair_precision_recall(lib.scene_of, predicted)
    assert precision > 0.95 and recall > 0.9
    # The same scene a day later is another moment: no link across the time window.
    a = lib.items[0]
    later = dataclasses.replace(a, photo_id=10**6, content_hash="later", capture_ts=a.capture_ts + 86400)
    far = group_photos([a, later])
    assert far == []
    near = group_photos([a, dataclasses.replace(later, capture_ts=a.capture_ts + 30)])
    assert len(near) == 1 and near[0].kind == "series"


def test_a_slow_pan_does_not_chain_into_unrelated_shots():
    """Each frame resembles the next (a panorama sweep), the ends do not: the
    group check keeps the far end and an unrelated shot out."""
    rng = np.random.default_rng(0)
    dim = 64
    basis = np.linalg.qr(rng.standard_normal((dim, dim)))[0]
    items = []
    for k in range(12):  # rotate from basis[0] towards basis[1] in small steps
        angle = k * 0.12
        v = np.cos(angle) * basis[0] + np.sin(angle) * basis[1]
        items.append(PhotoItem(k, f"pan{k}", 100.0 + k, v))
    items.append(PhotoItem(99, "other", 105.5, basis[2]))
    groups = group_photos(items, GroupingParams(min_similarity=0.9, min_group_similarity=0.9))
    assert all(99 not in g.members for g in groups)
    assert all(len(g.members) < 12 for g in groups)  # not one chain from end to end
    assert any(len(g.members) >= 3 for g in groups)


def test_phototriage_pair_lines():
    from photoorg.engine.series.phototriage import parse_line

    assert parse_line("12 1 3 0.8 1 2") == (12, 1, 3, 0.8)
    assert parse_line("7 2 1 3 1") == (7, 2, 1, 0.75)  # vote counts
    assert parse_line("  ") is None
    with pytest.raises(ValueError):
        parse_line("1 2 3 1.7")


def test_phototriage_layout_is_read_with_the_preferred_photo_first(tmp_path):
    from PIL import Image

    from photoorg.engine.series.phototriage import load_pairs

    imgs = tmp_path / "train_val" / "train_val_imgs"
    imgs.mkdir(parents=True)
    for name in ("000001-01.JPG", "000001-02.JPG", "000002-01.JPG", "000002-02.JPG"):
        Image.new("RGB", (8, 8)).save(imgs / name)
    (tmp_path / "train_val" / "train_pairlist.txt").write_text(
        "1 1 2 0.8 1 2\n2 1 2 0.25 2 1\n2 2 1 0.5 1 1\n3 1 2 0.9 1 2\n")
    pairs = load_pairs(tmp_path, "train")
    assert [(p.preferred.name, p.other.name, p.confidence) for p in pairs] == [
        ("000001-01.JPG", "000001-02.JPG", 0.8), ("000002-02.JPG", "000002-01.JPG", 0.75)]


def test_a_downscaled_copy_never_outranks_the_full_size_shot():
    from photoorg.engine.series.stage import full_size_first

    # PAU prefers photo 2 (a 29x100 copy), then 0 (128x128), then 1 (128x128).
    assert full_size_first([2, 0, 1], [128 * 128, 128 * 128, 29 * 100]) == [0, 1, 2]
    # Equal-size shots keep the model's order.
    assert full_size_first([1, 0], [4000 * 3000, 4000 * 3000]) == [1, 0]

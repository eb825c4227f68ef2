"""Decisions as labels, the owner's own decisions in the score, and the
Visual Interest label format with the paper's metrics."""

from __future__ import annotations

import numpy as np
import pytest

from photoorg.engine.interest.signals import collect_labels, combine, own_logit, per_photo_signals, signature
from photoorg.engine.interest.visual_interest import LabelFormatError, read_labels, regression_metrics


def test_latest_decision_of_a_kind_wins_and_file_ratings_fill_in():
    decisions = [
        {"kind": "rating", "photo_id": 1, "value": 2},
        {"kind": "rating", "photo_id": 1, "value": 5},
        {"kind": "keep", "photo_id": 2, "value": None},
        {"kind": "trash", "photo_id": 3, "value": None},
        {"kind": "flag", "photo_id": 4, "value": "pick"},
        {"kind": "flag", "photo_id": 4, "value": None},  # cleared
        {"kind": "open", "photo_id": 5, "value": None},
        {"kind": "event", "album_id": 1, "value": "Wedding"},  # not about one photo
    ]
    out = per_photo_signals(decisions, ratings={1: 1, 6: 4, 7: -1})
    assert out[1] == {"rating": (1.0, 1.0)}  # the decision beats the file's old rating
    assert out[2] == {"keep": (1.0, 1.0)} and out[3] == {"trash": (0.0, 1.0)}
    assert 4 not in out or not out[4]
    assert out[6]["rating"] == (0.75, 1.0) and out[7]["rating"] == (0.0, 1.0)  # XMP stars and XMP reject
    assert combine({"keep": (1.0, 1.0), "open": (1.0, 0.3)}) == (1.0, 1.3)
    assert own_logit(out[2]) > 2 and own_logit(out[3]) < -2 and own_logit(None) == 0.0
    assert abs(own_logit(out[5])) < own_logit(out[2])  # an open is a weak signal


def test_collect_labels_from_a_catalog(catalog):
    scan = catalog.start_scan_run(["/lib"])
    ids = [catalog.record_photo(f"/lib/{i}.jpg", dict(filename=f"{i}.jpg", size=1, mtime_ns=1, content_hash=f"h{i}"),
                                scan_id=scan) for i in range(4)]
    empty = collect_labels(catalog)
    assert len(empty) == 0
    catalog.record_decision("keep", photo_id=ids[0])
    catalog.record_decision("trash", photo_id=ids[1])
    catalog.record_decision("series_pick", photo_id=ids[2], other_photo_id=ids[3], series_id=1)
    labels = collect_labels(catalog)
    assert labels.photo_ids == ids[:2] and labels.labels == [1.0, 0.0] and labels.pairs == [(ids[2], ids[3])]
    assert signature(labels) != signature(empty)
    catalog.set_rating([ids[3]], 4)
    assert signature(collect_labels(catalog)) != signature(labels)


def _write_vi(folder, rows, header="image,annotator,Quality,General Interest,complexity"):
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    for name in {r.split(",")[0] for r in rows}:
        Image.new("RGB", (8, 8)).save(folder / f"{name}.jpg")
    (folder / "labels.csv").write_text("\n".join([header, *rows]) + "\n")


def test_visual_interest_label_format(tmp_path):
    rows = [f"img{i},a{j},{1 + (i + j) % 7},{7 - i % 7},4" for i in range(12) for j in range(3)]
    rows.append("img0,a9,,3,3")  # a missing rating: row left out
    _write_vi(tmp_path / "vi", rows)
    paths, dims, labels = read_labels(tmp_path / "vi")
    assert dims == ["complexity", "quality", "general_interest"]  # the paper's order, whatever the CSV's
    assert len(paths) == 12 and labels.shape == (12, 3)
    i0 = [p.stem for p in paths].index("img0")
    assert labels[i0, 1] == pytest.approx(((1 + 2 + 3) / 3 - 4) / 6)  # mean of annotators, scaled
    assert labels[i0, 0] == 0.0 and labels.min() >= -0.5 and labels.max() <= 0.5
    med = read_labels(tmp_path / "vi", aggregate="median")[2]
    assert med[i0, 1] == pytest.approx((2 - 4) / 6)
    _write_vi(tmp_path / "bad", rows[:12], header="file,annotator,beauty,x,y")
    with pytest.raises(LabelFormatError):
        read_labels(tmp_path / "bad")


def test_regression_metrics_are_the_papers():
    true = np.array([[0.1, -0.2], [0.3, 0.0], [-0.4, 0.2], [0.0, 0.1]], np.float32)
    m = regression_metrics(true.copy(), true, ["quality", "appeal"])
    assert m["quality"] == {"r2": 1.0, "pearson": 1.0, "rmse": 0.0}
    pred = true * 0.5
    m = regression_metrics(pred, true, ["quality", "appeal"])
    assert m["quality"]["pearson"] == pytest.approx(1.0) and 0 < m["quality"]["r2"] < 1
    assert m["appeal"]["rmse"] == pytest.approx(float(np.sqrt(((true[:, 1] * 0.5) ** 2).mean())), abs=1e-4)

from __future__ import annotations

import pytest


def _photo(catalog, tmp_path, name="a.jpg"):
    return catalog.record_photo(str(tmp_path / name), {"size": 1, "mtime_ns": 1, "content_hash": name}, scan_id=0)


def test_rating_and_flag_are_saved_and_logged(catalog, tmp_path):
    pid = _photo(catalog, tmp_path)
    catalog.set_rating([pid], 4)
    catalog.set_flag([pid], "pick")
    photo = catalog.photo(pid)
    assert photo.rating == 4
    assert catalog.scalar("SELECT flag FROM photos WHERE id = ?", (pid,)) == "pick"
    kinds = [(d["kind"], d["value"]) for d in catalog.decisions()]
    assert kinds == [("rating", 4), ("flag", "pick")]
    with pytest.raises(ValueError):
        catalog.set_rating([pid], 9)
    with pytest.raises(ValueError):
        catalog.set_flag([pid], "maybe")

from __future__ import annotations


def _photos(catalog, tmp_path, n):
    return [catalog.record_photo(str(tmp_path / f"p{i}.jpg"), {"size": 1, "mtime_ns": 1, "content_hash": f"h{i}"}, 0)
            for i in range(n)]


def test_user_pick_survives_regrouping_and_is_logged(catalog, tmp_path):
    a, b, c = _photos(catalog, tmp_path, 3)
    sid = catalog.save_series("series", "k1", [(a, 1, 0.9), (b, 2, 0.5), (c, 3, 0.1)])
    assert catalog.series_by_id(sid).pick_photo_id == a
    catalog.set_series_pick(sid, c)
    # The stage regroups and reranks: the user's pick stays.
    assert catalog.save_series("series", "k1", [(b, 1, 0.8), (c, 2, 0.4), (a, 3, 0.2)]) == sid
    info = catalog.series_by_id(sid)
    assert info.pick_photo_id == c and info.user_pick
    assert [m.photo_id for m in info.members] == [b, c, a]
    assert catalog.decisions("series_pick")[0]["other_photo_id"] == a
    # If the user's pick leaves the series, the model's best is the pick again.
    catalog.save_series("series", "k1", [(a, 2, 0.2), (b, 1, 0.8)])
    assert catalog.series_by_id(sid).pick_photo_id == b
    assert catalog.delete_series_except("series", []) == 1
    assert catalog.series_list() == []

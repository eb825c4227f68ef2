"""The curation plan: what it keeps, what it proposes, and why."""

from __future__ import annotations

import pytest

from photoorg.engine.curation import make_plan
from photoorg.engine.curation.places import best_copy, place_score


def _photo(catalog, path, size=1000, content=None):
    return catalog.record_photo(str(path), {"size": size, "mtime_ns": 1, "content_hash": content or str(path)}, 0)


def _proposed(plan):
    return {i.photo_id for i in plan.items}


def test_keeps_the_best_n_of_each_series_and_frees_their_bytes(catalog, tmp_path):
    a = [_photo(catalog, tmp_path / f"a{i}.jpg", size=100 * (i + 1)) for i in range(4)]
    b = [_photo(catalog, tmp_path / f"b{i}.jpg", size=10) for i in range(2)]
    sa = catalog.save_series("series", "a", [(a[0], 3, 0.1), (a[1], 1, 0.9), (a[2], 2, 0.5), (a[3], 4, 0.0)])
    catalog.save_series("series", "b", [(b[0], 1, 0.9), (b[1], 2, 0.2)])
    loner = _photo(catalog, tmp_path / "alone.jpg")

    plan = make_plan(catalog, keep=1)
    assert _proposed(plan) == {a[0], a[2], a[3], b[1]}
    assert plan.bytes_freed == 100 + 300 + 400 + 10
    assert loner not in _proposed(plan) and {k.photo_id for k in plan.kept} == {a[1], b[0]}
    assert all(i.kept_by for i in plan.items)

    plan2 = make_plan(catalog, keep=2)
    assert _proposed(plan2) == {a[0], a[3]}
    assert _proposed(make_plan(catalog, series_ids=[sa])) == {a[0], a[2], a[3]}
    with pytest.raises(ValueError):
        make_plan(catalog, keep=0)

    # The user's pick of the series wins over the model's rank.
    catalog.set_series_pick(sa, a[3])
    plan3 = make_plan(catalog, keep=1)
    assert a[3] not in _proposed(plan3) and a[1] in _proposed(plan3)


def test_starred_picked_and_rejected_photos(catalog, tmp_path):
    s = [_photo(catalog, tmp_path / f"s{i}.jpg") for i in range(5)]
    catalog.save_series("series", "s", [(pid, rank, None) for rank, pid in enumerate(s, 1)])
    catalog.set_rating([s[3]], 2)  # starred: kept although ranked 4th
    catalog.set_flag([s[4]], "pick")
    catalog.set_flag([s[0]], "reject")  # the model's best, rejected by the user
    outside = _photo(catalog, tmp_path / "rejected-alone.jpg")
    catalog.set_flag([outside], "reject")

    plan = make_plan(catalog)
    assert _proposed(plan) == {s[0], s[2]}  # s[1] is the best not rejected
    assert outside not in _proposed(plan)  # never the only copy of a photo in no series

    with_rejects = make_plan(catalog, include_rejected=True)
    assert _proposed(with_rejects) == {s[0], s[2], outside}
    reasons = {i.photo_id: i.reason for i in with_rejects.items}
    assert "rejected" in reasons[outside] and "rejected" in reasons[s[0]]


def test_duplicates_keep_the_copy_in_the_most_meaningful_place(catalog, tmp_path):
    lib = tmp_path / "Pictures"
    paths = {
        "album": lib / "2019 Paris with Anna" / "IMG_1234.jpg",
        "downloads": lib / "Downloads" / "IMG_1234.jpg",
        "whatsapp": lib / "WhatsApp Images" / "IMG-20190503-WA0001.jpg",
        "export": lib / "2019 Paris with Anna" / "export" / "IMG_1234.jpg",
        "copy": lib / "2019 Paris with Anna" / "IMG_1234 (1).jpg",
    }
    ids = {k: _photo(catalog, p, content="same") for k, p in paths.items()}
    catalog.save_series("duplicates", "dup", [(pid, None, None) for pid in ids.values()])
    plan = make_plan(catalog)
    assert {k.photo_id for k in plan.kept} == {ids["album"]}
    assert _proposed(plan) == set(ids.values()) - {ids["album"]}
    assert all(i.kept_by == (ids["album"],) for i in plan.items)

    # A starred copy is kept wherever it is, and then it is the one kept.
    catalog.set_rating([ids["downloads"]], 3)
    plan = make_plan(catalog)
    assert {k.photo_id for k in plan.kept} == {ids["downloads"]}


def test_place_ranking_and_ties():
    assert place_score("/x/Downloads/a.jpg") > place_score("/x/Holidays 2019/a.jpg")
    assert place_score("/x/Holidays/a-edited.jpg") > place_score("/x/Holidays/a.jpg")
    # A library under /tmp is not "temporary" relative to its own copies.
    assert best_copy([(1, "/tmp/lib/Downloads/a.jpg", 1), (2, "/tmp/lib/Birthday Anna/a.jpg", 2)]) == 2
    # Equal places: the shorter path, then the older file.
    assert best_copy([(1, "/p/Trips/Paris/Day one/a.jpg", 1), (2, "/p/Trips/Rome/a.jpg", 2)]) == 2
    assert best_copy([(1, "/p/Trip/b.jpg", 5), (2, "/p/Trip/a.jpg", 9)]) == 1


def test_a_series_keeper_with_a_better_placed_copy_is_replaced_by_it(catalog, tmp_path):
    lib = tmp_path / "lib"
    best_dl = _photo(catalog, lib / "Downloads" / "best.jpg", content="best")
    best_album = _photo(catalog, lib / "Wedding Tom" / "best.jpg", content="best")
    worse = _photo(catalog, lib / "Downloads" / "worse.jpg", content="worse")
    catalog.save_series("series", "burst", [(best_dl, 1, 0.9), (worse, 2, 0.1)])
    catalog.save_series("duplicates", "dup", [(best_dl, None, None), (best_album, None, None)])
    plan = make_plan(catalog)
    assert _proposed(plan) == {best_dl, worse}
    assert {k.photo_id for k in plan.kept} == {best_album}
    assert next(i for i in plan.items if i.photo_id == worse).kept_by == (best_album,)


def test_overlapping_series_never_lose_a_content(catalog, tmp_path):
    # Two series disagree about one photo: keep wins, every content survives.
    x = [_photo(catalog, tmp_path / f"x{i}.jpg", content=f"c{i}") for i in range(4)]
    catalog.save_series("series", "one", [(x[0], 1, None), (x[1], 2, None), (x[2], 3, None)])
    catalog.save_series("series", "two", [(x[1], 1, None), (x[0], 2, None), (x[3], 3, None)])
    plan = make_plan(catalog)
    assert _proposed(plan) == {x[2], x[3]}
    kept_contents = {catalog.photo(k.photo_id).content_hash for k in plan.kept}
    assert kept_contents == {"c0", "c1"}

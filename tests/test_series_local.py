"""Local-feature verification on real photos, the candidate bound, and the
plan's content safety (a shot showing a person the keeper lacks stays)."""

from __future__ import annotations

import numpy as np
import pytest

from photoorg.engine.series import devset, local


@pytest.fixture(scope="module")
def scene(shared_photos):
    image = devset._load(shared_photos, "immich/albums/nature/el_torcal_rocks.jpg")
    person = devset._person(shared_photos, devset.PEOPLE[0], int(image.size[1] * 0.55))
    other = devset._load(shared_photos, "immich/albums/nature/tanners_ridge.jpg")
    return image, person, other


def _verdict(a, b) -> str:
    return local.verdict(local.compare(local.unpack(local.extract(a)), local.unpack(local.extract(b))))


def test_edited_and_damaged_copies_are_redundant(scene):
    image, _, _ = scene
    for cls, copy in devset.copies(image, seed=0).items():
        assert _verdict(image, copy) == "redundant", cls


def test_a_person_stepping_in_another_view_and_another_photo_are_not(scene):
    image, person, other = scene
    assert _verdict(image, devset._paste(image, person, (0.3, 0.02))) == "similar"
    w, h = image.size
    assert _verdict(image.crop((0, 0, int(w * 0.6), h)), image.crop((int(w * 0.4), 0, w, h))) == "similar"
    assert _verdict(image, other) == "different"


def test_candidates_are_bounded_per_photo():
    from photoorg.engine.series.synthetic import synthetic_library
    from photoorg.engine.series.verified import CandidateParams, candidate_pairs, usable_items

    params = CandidateParams()
    lib = synthetic_library(3000, seed=2)
    usable = usable_items(lib.items)
    pairs = candidate_pairs(usable, params)
    per_photo = np.bincount(pairs[:, :2].ravel(), minlength=len(usable))
    # Each photo proposes at most k + k_hash + 1 pairs; it can be proposed by others too.
    assert len(pairs) <= len(usable) * (params.k + params.k_hash + 1)
    assert len(pairs) < 4 * len(usable)  # realistic: a few per photo, not all pairs
    assert per_photo.max() < 60


def test_plan_keeps_a_shot_with_a_person_the_keeper_lacks(catalog, tmp_path):
    from photoorg.engine.curation import make_plan
    from photoorg.engine.series.safety import PERSON_REASON

    ids = [catalog.record_photo(str(tmp_path / f"s{i}.jpg"), {"size": 10, "mtime_ns": 1, "content_hash": f"h{i}"}, 0)
           for i in range(3)]
    sid = catalog.save_series("series", "k", [(pid, rank, None) for rank, pid in enumerate(ids, 1)])
    with catalog.write() as db:  # the best shot: a woman alone; the third: a man beside her
        for h, idx in (("h0", 0), ("h2", 0), ("h2", 1)):
            db.execute("INSERT INTO faces(content_hash, idx, x0, y0, x1, y1, landmarks, quality, created_at) "
                       "VALUES (?, ?, 0, 0, 1, 1, '[]', 0.9, 0)", (h, idx))
    plan = make_plan(catalog)
    assert {i.photo_id for i in plan.items} == {ids[1]}
    kept = {k.photo_id: k.reason for k in plan.kept}
    assert kept[ids[2]] == PERSON_REASON and ids[0] in kept
    assert sid in plan.series_ids

"""Verification in a pool of worker processes (engine/series/verify_pool.py)
gives exactly the groups of the single-process loop, on real photos: the
development set's originals, their damaged and edited copies, and the
negatives (a person stepping in, another person at the same spot, another
position), every pair a candidate so that batches cut components apart."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from photoorg.engine.series import devset, local
from photoorg.engine.series.grouping import PhotoItem
from photoorg.engine.series.verified import build_groups, verify_ordered, verify_pairs
from photoorg.engine.series.verify_pool import CatalogKeypoints, PackedKeypoints, Parallel, plan_batches


@pytest.fixture(scope="module")
def real(shared_photos):
    items = [it for it in devset.build(shared_photos, small=True) if it.cls != "exact"]
    # Every third photo keeps the test short and still holds every class.
    items = items[::3]
    packed = [local.extract(it.image) for it in items]
    hashes = [hashlib.sha256(it.name.encode()).hexdigest() for it in items]
    usable = [PhotoItem(k, h, 1.6e9) for k, h in enumerate(hashes)]
    n = len(usable)
    i, j = np.triu_indices(n, 1)
    # A seeded order stands in for the cosine: verification order must not matter.
    score = np.random.default_rng(0).permutation(len(i))
    pairs = np.stack([i, j, score], axis=1).astype(np.int64)
    return items, packed, usable, pairs


def _groups(usable, verdicts):
    return [(g.kind, g.members) for g in build_groups(usable, verdicts)]


def test_pool_gives_the_groups_of_one_process(real):
    _, packed, usable, pairs = real
    source = PackedKeypoints(tuple(packed), {u.content_hash: k for k, u in enumerate(usable)})
    features = [local.unpack(p) for p in packed]
    calls = []

    def verifier(ha, hb):
        calls.append((ha, hb))
        return local.compare(features[source.index_of[ha]], features[source.index_of[hb]])

    plain = verify_pairs(usable, pairs, verifier)
    single_calls = len(calls)
    # Small batches: the one all-pairs component is cut into many pieces, each skipping on its own.
    parallel = Parallel(source, workers=2, min_pairs=0, batch=64)
    pooled = verify_pairs(usable, pairs, verifier, parallel)
    assert len(calls) == single_calls, "the pool verified in the workers, not here"
    assert parallel.computed >= single_calls  # pieces cannot skip across each other
    assert set(pooled) == set(plain)
    # Verdicts differ only where a pair was skipped (called redundant, its photos already linked).
    groups = _groups(usable, plain)
    assert _groups(usable, pooled) == groups
    assert any(kind == "series" for kind, _ in groups) and any(kind == "similar" for kind, _ in groups)


def test_batches_cover_every_pair_once_in_order(real):
    _, _, usable, pairs = real
    ordered = pairs[np.argsort(-pairs[:, 2], kind="stable")][:, :2]
    batches = plan_batches(len(usable), ordered, batch=64, max_piece=64)
    positions = np.concatenate([p for p, _, _ in batches])
    assert sorted(positions.tolist()) == list(range(len(ordered)))
    for p, photos, local_pairs in batches:
        assert (np.diff(p) > 0).all()  # the given order inside a batch
        assert (photos[local_pairs] == ordered[p]).all()
    # Separate components are never cut: two disjoint cliques give verdicts identical to one process.
    two = np.array([[0, 1], [1, 2], [0, 2], [3, 4]])
    assert [sorted(p.tolist()) for p, _, _ in plan_batches(5, two, batch=1, max_piece=100)] == [[0, 1, 2], [3]]


def test_catalog_workers_read_keypoints_and_hand_back_new_evidence(real, tmp_path):
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.series.evidence import FEATURE_MODEL, PairEvidence

    _, packed, usable, pairs = real
    take = pairs[:300]
    with Catalog(tmp_path / "catalog.sqlite") as cat:
        cat.put_features(FEATURE_MODEL, local.VERSION, {u.content_hash: p for u, p in zip(usable, packed)},
                         dtype="|u1")
        ordered = take[:, :2]
        hashes = [u.content_hash for u in usable]
        plain = verify_ordered(hashes, ordered, PairEvidence(cat, store=False))
        evidence = PairEvidence(cat)
        parallel = Parallel(CatalogKeypoints(str(cat.path)), workers=2, min_pairs=0, batch=64)
        pooled = parallel.run(hashes, ordered, absorb=evidence.absorb)
        evidence.flush()
        assert parallel.computed > 0
        stored = cat.db.execute("SELECT count(*) FROM series_pairs").fetchone()[0]
        assert stored == parallel.computed
        # Where both verified a pair, the verdicts agree; the groups agree.
        assert _groups(usable, dict(zip(map(tuple, ordered.tolist()), pooled))) == \
            _groups(usable, dict(zip(map(tuple, ordered.tolist()), plain)))
        # A second run reads the stored evidence: nothing computed again.
        again = Parallel(CatalogKeypoints(str(cat.path)), workers=2, min_pairs=0, batch=64)
        assert again.run(hashes, ordered) == pooled
        assert again.computed == 0


def test_a_pool_that_cannot_start_falls_back_to_this_process(real, tmp_path):
    _, packed, usable, pairs = real
    take = pairs[:200]
    features = {u.content_hash: local.unpack(p) for u, p in zip(usable, packed)}

    def verifier(ha, hb):
        return local.compare(features[ha], features[hb])

    # The workers cannot open the catalog: the pool breaks, this process verifies.
    broken = Parallel(CatalogKeypoints(str(tmp_path / "missing.sqlite")), workers=2, min_pairs=0)
    assert verify_pairs(usable, take, verifier, broken) == verify_pairs(usable, take, verifier)
    assert broken.computed == 0

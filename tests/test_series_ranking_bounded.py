"""Ranking a series costs memory linear in its size: every pair up to
``FULL_ROUND_MAX`` photos (the same ranking as ever), a seeded sample of
``OPPONENTS`` games per photo above, fed to the comparator in chunks. The
comparator here is a stand-in with a known order (photo quality = one
coordinate), so what is checked is the sampling and the bookkeeping; the real
PAU head runs in tests/bench/bench_series_large.py (5,000 photos, < 1 GB)."""

from __future__ import annotations

import numpy as np
import pytest

from photoorg.engine.series import ranking
from photoorg.engine.series.ranking import (FULL_ROUND_MAX, OPPONENTS, PAIR_CHUNK, SeriesRanking, sample_pairs,
                                            scores_from_preferences)


class _Comparator:
    """P(a beats b) = sigmoid(4 * (quality a - quality b)); records batch sizes."""

    def __init__(self) -> None:
        self.rows: list[int] = []

    def run(self, feeds):
        a, b = feeds["a"], feeds["b"]
        self.rows.append(len(a))
        return {"p": 1 / (1 + np.exp(-4 * (a[:, 0] - b[:, 0])))}


@pytest.fixture
def ranker(settings, monkeypatch):
    comparator = _Comparator()
    monkeypatch.setattr(ranking, "get_session", lambda spec, s: comparator)
    r = SeriesRanking.__new__(SeriesRanking)
    r.settings, r.comparator_spec = settings, None
    return r, comparator


def _vectors(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.normal(0, 1, (n, 8)).astype(np.float32)
    return v


def test_small_series_are_ranked_on_every_pair_as_before(ranker):
    r, comparator = ranker
    v = _vectors(FULL_ROUND_MAX)
    order, scores = r.rank(v)
    n = len(v)
    full = 1 / (1 + np.exp(-4 * (v[:, 0][:, None] - v[:, 0][None, :])))
    np.fill_diagonal(full, 0.5)
    np.testing.assert_allclose(scores, scores_from_preferences(full), rtol=1e-5)
    assert order == sorted(range(n), key=lambda i: -v[i, 0])
    assert sum(comparator.rows) == n * n


def test_long_series_use_a_linear_sample_of_pairs_in_chunks(ranker):
    r, comparator = ranker
    n = 3000
    v = _vectors(n, 1)
    order, scores = r.rank(v)
    assert sum(comparator.rows) == 2 * n * OPPONENTS // 2  # both orders of n * OPPONENTS / 2 pairs
    assert max(comparator.rows) <= PAIR_CHUNK
    true = np.argsort(-v[:, 0])
    rank_of = np.empty(n, int)
    rank_of[np.array(order)] = np.arange(n)
    assert np.corrcoef(rank_of[true], np.arange(n))[0, 1] > 0.9  # the order follows the quality
    assert set(order[:10]) & set(true[:30].tolist())  # the best shots are found near the top
    again_order, _ = r.rank(v)
    assert again_order == order  # seeded: the same ranking on every run


@pytest.mark.parametrize("n", [2, 3, 4, 65, 101, 5000])
def test_every_photo_plays_the_same_number_of_distinct_games(n):
    a, b = sample_pairs(n)
    assert (a != b).all()
    pairs = set(zip(np.minimum(a, b).tolist(), np.maximum(a, b).tolist()))
    assert len(pairs) == len(a)  # no pair twice
    games = np.bincount(np.concatenate([a, b]), minlength=n)
    assert games.min() >= min(n - 1, OPPONENTS - 1) and games.max() <= max(n - 1, OPPONENTS)
    assert len(a) <= n * OPPONENTS // 2

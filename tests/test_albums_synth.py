"""Negative synthetic albums (no event) and the calibration measure that says
how far an album title's event can be trusted."""

from __future__ import annotations

import numpy as np
import pytest

from photoorg.engine.albums.metrics import calibration, event_map


def test_calibration_counts_titles_of_negative_and_event_albums():
    probs = np.array([[0.9, 0.1],   # event album, titled right
                      [0.6, 0.2],   # event album (truth: event 1), titled wrong
                      [0.3, 0.2],   # event album, not titled
                      [0.7, 0.1],   # no event, titled: the failure the negatives are for
                      [0.2, 0.1]])  # no event, not titled
    labels = np.array([[1, 0], [0, 1], [1, 0], [0, 0], [0, 0]])
    c = calibration(probs, labels)
    assert (c["positives"], c["negatives"]) == (3, 2)
    assert c["negatives_titled"] == pytest.approx(0.5)
    assert c["positives_titled_right"] == pytest.approx(1 / 3)
    assert c["positives_titled_wrong"] == pytest.approx(1 / 3)
    assert c["title_precision"] == pytest.approx(1 / 3)  # of 3 titled albums, 1 names a true event
    assert c["reliability"]["0.5-0.7"] == {"albums": 1, "mean_p": pytest.approx(0.6), "right": 0.0}
    assert c["reliability"]["0.7-0.9"] == {"albums": 1, "mean_p": pytest.approx(0.7), "right": 0.0}
    assert c["reliability"]["0.9-1.0"]["right"] == 1.0
    assert 0 < c["ece"] < 1
    # Perfectly sure and right everywhere: no calibration error, nothing titled wrongly.
    sure = calibration(np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[1, 0], [0, 0]]))
    assert sure["ece"] == pytest.approx(0.0) and sure["negatives_titled"] == 0.0
    # Top-1 is measured on the albums that have an event only.
    assert event_map(probs, labels)["top1"] == pytest.approx(2 / 3)  # the untitled 0.3 is still the right top


@pytest.fixture(scope="module")
def synth():
    pytest.importorskip("torch")
    from photoorg.engine.albums.synth import SynthConfig, SyntheticAlbums

    pool = np.random.default_rng(0).dirichlet(np.full(1000, 0.02), size=60).astype(np.float32)
    return SyntheticAlbums(pool, seed=4, cfg=SynthConfig(variants=2, generic_photos=100))


def test_mixed_albums_never_make_one_event_coherent(synth, monkeypatch):
    # Unrelated real photos can carry their own teacher event; here none does,
    # so every photo event counted is one the mix drew on purpose.
    monkeypatch.setattr(synth, "real_event_of", np.full(len(synth.real), -1))
    cap = synth.cfg.mixed_event_cap
    for n in (4, 9, 20, 60, 120):
        rows, photo_events = synth._mixed_album(n)
        assert len(rows) == len(photo_events) == n
        per_event = np.stack(photo_events).sum(0)
        assert 1 <= per_event.max() <= max(1, int(cap * n)), (n, per_event)  # one photo in a small album
        assert (per_event > 0).sum() >= 2 or n < 8  # several events, none coherent


def test_event_albums_show_their_event_in_a_coherent_share(synth):
    cfg = synth.cfg
    for n in (4, 10, 50):
        for events in ([3], [5, 11]):
            rows, photo_events, importance = synth._event_album(n, events, cfg.relevant_min, 1.0)
            assert len(rows) == n and len(importance) == n
            relevant = np.asarray(importance) == 1
            assert relevant.sum() >= max(2 * len(events), round(n * cfg.relevant_min) - 1)
            pe = np.stack(photo_events)[relevant]
            for e in events:  # at least two photos of every event of the album
                assert pe[:, e].sum() >= 2


def test_album_mix_has_the_configured_share_of_negative_albums(synth):
    cfg = synth.cfg
    labels = np.stack([synth.album(tokens=8)[1] for _ in range(400)])
    negative = (labels.sum(1) == 0).mean()
    expected = cfg.no_event + cfg.random_real + cfg.mixed
    assert abs(negative - expected) < 0.07, (negative, expected)
    positive = labels[labels.sum(1) > 0]
    assert set(np.unique(positive)) <= {0.0, 1.0} and (positive.sum(1) <= 2).all()

"""The evidence beside the event model: words read in photos matched to
events through the teacher's descriptions and the context knowledge, the
calendar, faces, time of day and place kind, their combination with the
model, the evidence in words, and a small seeded fit that learns to use a
source that carries signal (and not one that carries none)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from photoorg.engine.albums import evidence, evidence_fit, teacher
from photoorg.engine.albums.evidence import AlbumContext, Combiner, describe, evidence_text, features

LABELS = teacher.event_labels()


def _i(label: str) -> int:
    return LABELS.index(label)


def test_words_in_photos_point_at_events():
    def best(lines):
        m = evidence.photo_text_matches(lines)
        scores = [sum(x.values()) for x in m]
        return LABELS[int(np.argmax(scores))] if max(scores) > 0 else None

    assert best(["HAPPY BIRTHDAY", "ANNA"]) == "Birthday"
    assert best(["Congratulations Graduates", "Class of 2019"]) == "Graduation"
    assert best(["Merry Christmas!"]) == "Christmas"
    assert best(["Just Married"]) == "Wedding"
    assert best(["MAGIC KINGDOM", "Fastpass"]) == "ThemePark"
    assert best(["Musée d'Orsay"]) == "Museum"
    assert best(["Menu", "Espresso 2.50", "Croissant"]) is None  # a café's board says no event


def test_features_of_each_source():
    halloween_night = [datetime(2019, 10, 31, 20, m) for m in range(0, 50, 10)]
    ctx = AlbumContext(texts=[["Happy Halloween"]], times=halloween_night, faces=[3, 2, 4, 0, 5],
                       kinds=["city"] * 5, photos=5)
    f = features(ctx)
    assert set(f) == set(evidence.SOURCES) and all(v.shape == (len(LABELS),) for v in f.values())
    assert f["text"][_i("Halloween")] > 0.5 and f["text"][_i("Zoo")] == 0
    assert f["calendar"][_i("Halloween")] == 1.0 and f["calendar"][_i("Christmas")] == 0
    assert f["time"][_i("Halloween")] == 0.5 and f["time"][_i("Zoo")] == -0.5  # evening, not zoo hours
    assert f["people"][_i("Wedding")] > 0 > f["people"][_i("NatureTrip")]
    assert f["place"][_i("UrbanTrip")] == 0.5 and f["place"][_i("NatureTrip")] == -0.5
    # Nothing known: every source says nothing.
    empty = features(AlbumContext(photos=4))
    assert all(not v.any() for v in empty.values())


def test_combiner_and_evidence_in_words():
    probs = np.full(len(LABELS), 0.05, np.float32)
    probs[_i("CasualFamilyGather")] = 0.45
    probs[_i("Birthday")] = 0.35
    ctx = AlbumContext(texts=[["HAPPY BIRTHDAY"], ["Happy Birthday Tom"], ["happy birthday!"]],
                       times=[datetime(2019, 3, 3, 19, 30)] * 6, faces=[3, 2, 4, 1, 2, 2], photos=6)
    f = features(ctx)
    assert np.allclose(Combiner().combine(probs, f), probs, atol=1e-3)  # the identity is the model itself
    c = Combiner(1.0, 0.0, (("text", 3.0), ("people", 1.0), ("time", 1.0)), "test")
    out = c.combine(probs, f)
    assert LABELS[int(out.argmax())] == "Birthday" and out[_i("Birthday")] > 0.5
    items = describe(ctx, "Birthday", f, c)
    text = evidence_text(items)
    assert text.startswith("text: 'HAPPY BIRTHDAY' in 3 photos"), text
    assert "14 faces in 6 of 6 photos" in text and "evening" in text
    assert next(i for i in items if i["source"] == "text")["shift"] > 0


def test_shipped_combiner_loads_and_is_sane():
    c = evidence.load_combiner()
    assert c.version != "identity"  # resources/models/event_evidence.json is shipped
    assert 0.3 < c.a < 3 and c.weight("text") > 0 and c.weight("calendar") > 0


def test_small_seeded_fit_learns_informative_sources():
    rng = np.random.default_rng(3)
    n = 300
    labels = np.zeros((n, len(LABELS)), np.float32)
    events = rng.integers(0, len(LABELS), n)
    has = rng.random(n) < 0.7
    labels[np.flatnonzero(has), events[has]] = 1.0
    # A weak model: the right event a little above the rest, noisily.
    probs = np.clip(0.15 + 0.25 * labels + rng.normal(0, 0.12, labels.shape), 0.01, 0.99).astype(np.float32)
    feats = evidence_fit.contexts_for(labels, [8] * n, seed=5)
    half = n // 2
    train = (probs[:half], feats[:half], labels[:half])
    test = (probs[half:], feats[half:], labels[half:])
    rows = {name: (comb, m) for name, comb, m in evidence_fit.ablation(train, test)}
    alone, full = rows["model alone"][1], rows["all sources"][1]
    assert full["mAP"] > alone["mAP"] + 0.02 and full["top1"] >= alone["top1"]
    assert rows["+ text"][0].weight("text") > 0.5 and rows["+ calendar"][0].weight("calendar") > 0
    # Fitted weights are deterministic for a seed.
    again = evidence_fit.fit_combiner(*train)
    assert again == evidence_fit.fit_combiner(*train)

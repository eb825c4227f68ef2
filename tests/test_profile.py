"""The owner's profile: the paper's attention aggregation and the chart
series built from a catalog (features and scores written directly)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from photoorg.engine.interest.profile import (
    aggregate, attention_weights, build_profile, concept_groups, places, squeeze_groups,
)


def _add_photos(catalog, n, gps=None):
    ids = []
    for i in range(n):
        fields = dict(filename=f"p{i}.jpg", size=1, mtime_ns=1, content_hash=f"h{i}", width=10, height=10,
                      capture_ts=1_500_000_000 + i * 86400 * 40, capture_time=None)
        if gps:
            fields.update(gps_lat=gps[i][0], gps_lon=gps[i][1])
        ids.append(catalog.record_photo(f"/lib/p{i}.jpg", fields, scan_id=catalog.start_scan_run(["/lib"])))
    return ids


def test_groups_cover_the_1000_concepts():
    groups = concept_groups()
    assert len(groups) == 1000
    assert groups[207] == "dogs" and groups[285] == "cats" and groups[978] == "landscapes"  # golden retriever, Egyptian cat, seashore
    assert groups[967] == "drinks" and groups[963] == "food"  # espresso, pizza
    names, grouped = squeeze_groups(np.eye(1000, dtype=np.float32)[[207, 208]])
    assert grouped.sum(1).tolist() == [1.0, 1.0] and grouped[:, names.index("dogs")].tolist() == [1.0, 1.0]


def test_attention_aggregation_is_a_weighted_mean():
    feats = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]], np.float32)
    np.testing.assert_allclose(aggregate(feats), [1 / 3, 2 / 3])  # no scores: the paper's plain average
    w = attention_weights(np.array([2.0, 0.0, 0.0]))
    assert w.sum() == pytest.approx(1.0) and w[0] > w[1] == w[2]
    np.testing.assert_allclose(aggregate(feats, w), [w[0], w[1] + w[2]])


def test_places_cluster_gps_positions():
    class P:
        def __init__(self, i, lat, lon):
            self.id, self.gps_lat, self.gps_lon, self.capture_ts = i, lat, lon, 1e9 + i

    photos = [P(0, 48.85, 2.35), P(1, 48.86, 2.34), P(2, 40.71, -74.0), P(3, None, None), P(4, 48.80, 2.30)]
    out = places(photos)
    assert [c["photos"] for c in out] == [3, 1]
    assert out[0]["lat"] == pytest.approx(48.837, abs=0.01)
    assert [c["name"] for c in out] == ["Paris", "New York City"]  # named offline, not coordinates
    assert places([P(0, None, None)]) is None


def test_build_profile_series(catalog):
    ids = _add_photos(catalog, 6, gps=[(46.2, 6.1)] * 3 + [(None, None)] * 3)
    dog, beach = np.zeros(1000, np.float32), np.zeros(1000, np.float32)
    dog[207], beach[978] = 0.9, 0.9
    catalog.put_features("effnet_lite0", "concepts", {f"h{i}": dog if i < 3 else beach for i in range(6)}, dtype="<f2")
    before = build_profile(catalog)
    assert before["weighting"].startswith("equal") and before["photos"] == 6
    lib = {g["group"]: g for g in before["groups"]}
    assert lib["dogs"]["library"] == pytest.approx(lib["landscapes"]["library"], abs=1e-3)
    assert before["events"] is None and before["places"][0]["photos"] == 3
    # The owner keeps the beach photos and trashes a dog photo; the model's
    # taste term favours beaches: the weighted profile leans to landscapes.
    catalog.save_interest([{"content_hash": f"h{i}", "weights_key": "k", "quality_raw": 0.0,
                            "user_raw": 2.0 if i >= 3 else -2.0, "prior": {"quality": 0.0}, "dims": {},
                            "attention": np.full(16, 1 / 16)} for i in range(6)])
    for pid in ids[3:]:
        catalog.record_decision("keep", photo_id=pid)
    catalog.record_decision("trash", photo_id=ids[0])
    catalog.set_rating([ids[1]], 5)
    after = build_profile(catalog)
    assert after["weighting"] == "interest attention"
    groups = {g["group"]: g for g in after["groups"]}
    assert groups["landscapes"]["interest"] > 0.8 > groups["dogs"]["interest"]
    assert groups["landscapes"]["kept"] > groups["dogs"]["kept"] and groups["dogs"]["trashed"] > 0
    assert after["concepts"][0]["concept"] == "seashore" and after["concepts"][0]["group"] == "landscapes"
    cur = after["curation"]
    assert (cur["kept"], cur["trashed"]) == (4, 1)  # 3 kept + the 5-star rating
    assert {r["stars"]: r["photos"] for r in cur["ratings"]}[5] == 1
    assert sum(b["photos"] for b in after["interest"]["histogram"]) == 6


def test_events_and_people_series_once_albums_and_faces_exist(catalog):
    ids = _add_photos(catalog, 12)
    assert build_profile(catalog)["people"] is None
    with catalog.write() as db:
        # (model event, its probability, the user's label): a sure one, a
        # guess (no event: the titles do not name it), a corrected one.
        for i, (event, p, user) in enumerate([("Wedding", 0.8, None), ("BeachTrip", 0.3, None),
                                              ("Wedding", 0.9, "Birthday")]):
            members = ids[4 * i:4 * i + 4]
            album = db.execute(
                "INSERT INTO albums(mode, key, source, title, start_ts, photo_count, event, user_event, event_scores, "
                "created_at, updated_at) VALUES ('auto', ?, 'time', '', ?, 4, ?, ?, ?, 0, 0)",
                (f"k{i}", 1.5e9 + i * 1e8, event, user, json.dumps({event: p}))).lastrowid
            for pos, pid in enumerate(members):
                db.execute("INSERT INTO album_photos(album_id, photo_id, position) VALUES (?, ?, ?)", (album, pid, pos))
        db.execute("INSERT INTO people(id, name, owner, created_at, updated_at) VALUES (1, 'Ann', 2, 0, 0)")
        db.execute("INSERT INTO people(id, name, owner, created_at, updated_at) VALUES (2, NULL, 0, 0, 0)")
        for n, (h, person) in enumerate([("h0", 1), ("h1", 1), ("h1", 2), ("h2", 1)]):
            db.execute("INSERT INTO faces(content_hash, idx, x0, y0, x1, y1, landmarks, quality, person_id, created_at) "
                       "VALUES (?, ?, 0, 0, 1, 1, '[]', 1, ?, 0)", (h, n, person))
    catalog.set_pref("albums_from", "auto")
    profile = build_profile(catalog)
    events = {e["event"]: e for e in profile["events"]["counts"]}
    # The user's correction wins; the model's 30 % guess is no event; photos counted once each.
    assert set(events) == {"Wedding", "Birthday"}
    assert events["Wedding"]["photos"] == 4 and events["Birthday"]["albums"] == 1
    assert events["Birthday"]["name"] == "Birthday" and events["Wedding"]["name"] == "Wedding"
    assert [t["period"] for t in profile["events"]["timeline"]] == sorted(t["period"] for t in profile["events"]["timeline"])
    assert sum(t["photos"] for t in profile["events"]["timeline"]) == 8
    people = profile["people"]
    # Named and counted as the People view names and counts them.
    assert [(p["name"], p["photos"], p["owner"]) for p in people] == [("Ann", 3, True), ("Person 2", 1, False)]
    listed = {p.id: (p.display_name, p.photo_count) for p in catalog.people_list()}
    assert {p["person_id"]: (p["name"], p["photos"]) for p in people} == listed
    assert len(ids) == 12

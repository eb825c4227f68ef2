"""Clustering of face embeddings (no models needed): DBSCAN-like people,
quality gates, the inverted-file index against the exact pass, and measures."""

from __future__ import annotations

import numpy as np

from photoorg.engine.faces import metrics
from photoorg.engine.faces.cluster import ClusterParams, dbscan_like, neighbour_graph


def identities(rng, counts, spread=0.022, centre_sd=0.062, dim=128):
    centres = rng.normal(0, centre_sd, (len(counts), dim)).astype(np.float32)
    labels = np.repeat(np.arange(len(counts)), counts)
    return centres[labels] + rng.normal(0, spread, (len(labels), dim)).astype(np.float32), labels


def test_people_found_and_singletons_left_out():
    rng = np.random.default_rng(3)
    x, truth = identities(rng, [30, 12, 5, 2, 1, 1, 1])
    labels = dbscan_like(x, None, ClusterParams())
    # The four people seen at least twice are found; one-off faces stay out.
    assert labels.max() + 1 == 4
    assert (labels[truth >= 4] == -1).all()
    p, r, f = metrics.bcubed(labels, truth)
    assert p == 1.0 and f > 0.99


def test_low_quality_faces_do_not_chain_two_people():
    rng = np.random.default_rng(5)
    a = rng.normal(0, 0.062, 128).astype(np.float32)
    b = a + 0.9 * rng.normal(0, 1, 128).astype(np.float32) / np.sqrt(128)  # 0.9 apart
    steps = np.linspace(0, 1, 9)[1:-1]
    bridge = np.stack([a + t * (b - a) for t in steps])  # faces 0.11 apart along the way
    x = np.concatenate([np.stack([a] * 5) + rng.normal(0, 0.01, (5, 128)),
                        np.stack([b] * 5) + rng.normal(0, 0.01, (5, 128)), bridge]).astype(np.float32)
    good = np.r_[np.ones(10), np.full(len(bridge), 0.2)].astype(np.float32)
    chained = dbscan_like(x, None, ClusterParams(eps=0.3))
    assert len(set(chained[:10])) == 1  # without quality, the bridge merges them
    labels = dbscan_like(x, good, ClusterParams(eps=0.3))
    assert len(set(labels[:5])) == 1 and len(set(labels[5:10])) == 1
    assert labels[0] != labels[5] and labels[0] >= 0 and labels[5] >= 0


def test_indexed_pass_matches_exact_pass():
    rng = np.random.default_rng(7)
    counts = rng.integers(1, 40, 150)
    x, truth = identities(rng, counts)
    exact = dbscan_like(x, None, ClusterParams())
    indexed = dbscan_like(x, None, ClusterParams(), exact_limit=0, cell_size=40)
    _, _, f_same = metrics.bcubed(indexed, exact)
    assert f_same > 0.99
    _, _, f_truth = metrics.bcubed(indexed, truth)
    assert f_truth > 0.97


def test_neighbour_counts_are_exact_below_the_limit():
    rng = np.random.default_rng(11)
    x = rng.normal(0, 0.05, (300, 16)).astype(np.float32)
    degree, i, j, d = neighbour_graph(x, 0.2, k=300)
    full = np.linalg.norm(x[:, None] - x[None], axis=2)
    np.fill_diagonal(full, np.inf)
    assert (degree == (full <= 0.2).sum(1)).all()
    assert np.allclose(d, full[i, j], atol=1e-4) and (i < j).all()


def test_measures():
    truth = np.array([0, 0, 0, 1, 1, 2])
    assert metrics.bcubed(truth, truth) == (1.0, 1.0, 1.0)
    assert metrics.pairwise_prf(truth, truth) == (1.0, 1.0, 1.0)
    merged = np.zeros(6, int)
    p, r, _ = metrics.pairwise_prf(merged, truth)
    assert r == 1.0 and abs(p - 4 / 15) < 1e-9
    p, r, _ = metrics.bcubed(np.full(6, -1), truth)  # nobody clustered: all singletons
    assert p == 1.0 and r < 0.6
    x = np.array([[0, 0], [0.1, 0], [5, 5], [5.1, 5]], np.float32)
    v = metrics.verification_accuracy(x, [0, 0, 1, 1], threshold=0.5)
    assert v["accuracy"] == 1.0 and v["pairs"] == 6 and v["same_pairs"] == 2


def test_constrained_linkage_never_joins_two_faces_of_one_photo():
    from photoorg.engine.faces.cluster import ClusterParams, constrained_clusters

    rng = np.random.default_rng(3)
    twin = rng.normal(0, 0.062, 128).astype(np.float32)
    # Twins: four faces each, all within eps of each other; photos 0-3 hold
    # one twin each, photos 4-7 both twins side by side.
    x = np.stack([twin + rng.normal(0, 0.01, 128) for _ in range(12)]).astype(np.float32)
    photos = np.array([0, 1, 2, 3, 4, 4, 5, 5, 6, 6, 7, 7])
    labels = constrained_clusters(x, photos, np.ones(12), ClusterParams())
    assert (labels >= 0).sum() >= 8
    for ph in range(4, 8):
        a, b = labels[photos == ph]
        assert a != b or a < 0
    # A person seen twice is a person (min cluster size 2); alone, not.
    other = rng.normal(0, 0.062, 128).astype(np.float32)
    pair = np.stack([other + rng.normal(0, 0.01, 128) for _ in range(2)] + [rng.normal(0, 0.062, 128)]).astype(np.float32)
    got = constrained_clusters(pair, np.array([0, 1, 2]), np.ones(3), ClusterParams())
    assert got[0] == got[1] >= 0 and got[2] == -1


def test_incremental_placement_respects_the_photo(catalog):
    from photoorg.engine.faces.detect import DetectedFace
    from photoorg.engine.faces.people import assign_new, recluster
    from test_people_constraints import add_photos, centre

    ann = centre()
    known = add_photos(catalog, [ann] * 4)
    recluster(catalog)
    person = catalog.face(known[0]).person_id
    # A new photo with two faces that both look like Ann: only one joins her.
    faces = [DetectedFace(box=(x, 0.3, x + 0.2, 0.6), landmarks=((x + 0.05, 0.4),) * 5, det_score=2.0, size_px=200,
                          inside=1.0, yaw=0.0, sharpness=300, quality=0.9,
                          embedding=(ann + np.random.default_rng(i).normal(0, 0.02, 128)).astype(np.float32))
             for i, x in enumerate((0.1, 0.6))]
    with catalog.write() as db:
        db.execute("INSERT INTO photos(path, filename, size, mtime_ns, content_hash, added_at, updated_at) "
                   "VALUES ('/lib/two.jpg', 'two.jpg', 1, 1, 'two', 0, 0)")
    ids = catalog.save_faces("two", faces, (1000, 800))
    assign_new(catalog)
    assert sorted(catalog.face(f).person_id == person for f in ids) == [False, True]
    assert catalog.face_invariant_violations() == []


def test_a_good_face_and_a_close_fair_face_are_a_person():
    """person_B of the labelled set: one sharp photo, one small one, 0.33
    apart. A pair needs one good face and the fair one within pair_eps, of
    two photos; two fair faces, or a wider gap, stay out."""
    from photoorg.engine.faces.cluster import constrained_clusters

    rng = np.random.default_rng(3)
    base = rng.normal(size=(4, 128)).astype(np.float32)
    base *= 3.0 / np.linalg.norm(base, axis=1, keepdims=True)  # people far apart
    x = np.stack([base[0], base[0] + 0.33 / np.sqrt(128),  # good + fair, 0.33 apart
                  base[1], base[1] + 0.33 / np.sqrt(128),  # fair + fair
                  base[2], base[2] + 0.5 / np.sqrt(128),  # good + fair, 0.5 apart
                  base[3], base[3] + 0.3 / np.sqrt(128)])  # good + fair, one photo
    quality = np.array([0.9, 0.5, 0.5, 0.5, 0.9, 0.5, 0.9, 0.5])
    photos = np.array([0, 1, 2, 3, 4, 5, 6, 6])
    labels = constrained_clusters(x, photos, quality, ClusterParams())
    assert labels[0] >= 0 and labels[0] == labels[1]
    assert (labels[2:] < 0).all()

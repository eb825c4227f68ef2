"""Event knowledge and training: the teacher's prior, synthetic albums, a small
seeded training run, the paper's measures, importance recalibration, and
retraining on the user's corrections."""

from __future__ import annotations

import numpy as np
import pytest

from photoorg.engine.albums import teacher
from photoorg.engine.albums.importance import album_importance, event_confidence, series_penalty
from photoorg.engine.albums.metrics import ap_at_t, average_precision, event_map, importance_table, p_at_t

DESIGN_LABELS = ("Architecture BeachTrip Birthday BusinessActivity CasualFamilyGather Christmas Cruise Graduation "
                 "GroupActivity Halloween Museum NatureTrip PersonalArtActivity PersonalMusicActivity PersonalSports "
                 "Protest ReligiousActivity Show Sports ThemePark UrbanTrip Wedding Zoo").split()


def test_labels_and_prior():
    assert list(teacher.event_labels()) == DESIGN_LABELS
    prior = teacher.load_prior()
    assert prior.shape == (1000, 23)
    aff = teacher.affinity()
    assert (aff >= 0).all() and (aff.sum(1) <= 1 + 1e-5).all()
    from photoorg.engine.analysis.imagenet import imagenet_labels

    names = imagenet_labels()
    for concept, event in [("seashore", "BeachTrip"), ("mortarboard", "Graduation"), ("jack-o'-lantern", "Halloween"),
                           ("altar", "ReligiousActivity"), ("carousel", "ThemePark"), ("valley", "NatureTrip"),
                           ("groom", "Wedding"), ("stage", "Show")]:
        assert DESIGN_LABELS[int(aff[names.index(concept)].argmax())] == event, concept
    # Generic concepts point at no event.
    assert aff[names.index("envelope")].sum() < 0.2


def test_metrics():
    assert average_precision(np.array([0.9, 0.8, 0.1]), np.array([1, 0, 1])) == pytest.approx((1 + 2 / 3) / 2)
    probs = np.array([[0.9, 0.1], [0.2, 0.7], [0.6, 0.5]])
    labels = np.array([[1, 0], [0, 1], [1, 0]])
    assert event_map(probs, labels)["mAP"] == pytest.approx(1.0)
    assert event_map(probs, labels)["top1"] == pytest.approx(1.0)
    truth = np.arange(20, dtype=float)
    assert ap_at_t(truth, truth, 0.1) == 1.0 and p_at_t(truth, truth, 0.3) == 1.0
    assert p_at_t(-truth, truth, 0.1) == 0.0
    table = importance_table([(truth, truth), (-truth, truth)])
    assert table["MAP"]["10%"] == pytest.approx(0.5 * (1 + ap_at_t(-truth, truth, 0.1)))


def test_importance_recalibration_and_duplicates():
    ids = [1, 2, 3, 4]
    head = np.array([0.9, 0.9, 0.9, 0.2])
    attention = np.array([0.3, 0.3, 0.3, 0.1])
    album = np.zeros(23)
    album[11] = 0.9  # NatureTrip
    photo = np.zeros((4, 23))
    photo[:, 11] = [0.9, 0.9, 0.2, 0.9]
    conf = event_confidence(album, photo)
    assert conf[0] == pytest.approx(0.9) and conf[2] == pytest.approx(0.2)
    scores = {s.photo_id: s.importance for s in album_importance(ids, head, attention, album, photo)}
    assert scores[1] == pytest.approx(1.0) and scores[3] < scores[1]  # a photo unsure of the event drops
    # 1 and 2 are a series: the second shot is halved, so 3 or 4 may come before it.
    ranked = {s.photo_id: s.importance for s in album_importance(ids, head, attention, album, photo,
                                                                 series_rank={1: (7, 1), 2: (7, 2)})}
    assert ranked[2] == pytest.approx(scores[2] * 0.5)
    assert list(series_penalty([5, 6, 7, 8], {5: (1, 2), 6: (1, 1), 7: (1, 3), 8: (1, 4)}, np.ones(4))) == \
        [0.5, 1.0, 0.25, 0.125]
    # The interest hook blends where a score exists.
    blended = {s.photo_id: s.importance for s in album_importance(ids, head, attention, album, photo,
                                                                  interest={4: 1.0})}
    assert blended[4] > scores[4] and blended[1] == scores[1]


@pytest.fixture(scope="module")
def fake_real_pool():
    rng = np.random.default_rng(0)
    return rng.dirichlet(np.full(1000, 0.02), size=60).astype(np.float32)


def test_synthetic_albums(fake_real_pool):
    pytest.importorskip("torch")
    from photoorg.engine.albums.synth import SynthConfig, SyntheticAlbums, concept_features

    synth = SyntheticAlbums(fake_real_pool, seed=1, cfg=SynthConfig(variants=2, generic_photos=100))
    assert np.allclose(synth.bank.sum(1), 1, atol=1e-3)
    for _ in range(20):
        concepts, labels, photo_events, importance, n = synth.album(tokens=32)
        assert concepts.shape == (32, 1000) and photo_events.shape == (32, 23)
        assert labels.sum() in (0, 1, 2) and set(np.unique(importance)) <= {0.0, 1.0}
        if labels.sum():  # every relevant photo shows one of the album's events
            assert (photo_events[importance == 1] @ labels >= 1).all()
        else:
            assert importance.sum() == 0
    f = concept_features(concepts)
    assert f.shape == (32, 25)
    np.testing.assert_allclose(f[:, :23], 2 * concepts @ teacher.affinity(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(f[:, 23], concepts.max(1), rtol=1e-5)
    assert ((f[:, 24] > 0) & (f[:, 24] < 1)).all()


def test_small_training_run_learns_events(fake_real_pool):
    pytest.importorskip("torch")
    from photoorg.engine.albums import events as ev
    from photoorg.engine.albums.synth import SynthConfig, SyntheticAlbums
    from photoorg.engine.albums.train import TrainConfig, evaluate, synthetic_eval_set, train

    cfg = SynthConfig(variants=3, generic_photos=200)
    synth = SyntheticAlbums(fake_real_pool, seed=2, cfg=cfg)
    heldout = synthetic_eval_set(SyntheticAlbums(fake_real_pool, seed=3, cfg=cfg), 60)
    model = train(TrainConfig(steps=200, batch=16, model=dict(depth=2, dim=32, heads=4), warmup=10, lr=3e-3), synth)
    result = evaluate(ev.EventModel(None, run=ev.torch_runner(model)).predict, heldout)
    chance = np.mean([a.labels.sum() for a in heldout]) / 23
    assert result["mAP"] > 3 * chance, result


def test_retraining_on_corrections_reports_heldout_effect(tmp_path, skimage_photos, capsys):
    """Corrections recorded in the catalog -> `photoorg train-events` fine-tunes
    the shipped model, reports before/after on held-out corrected albums and
    the albums stage then uses the user's weights."""
    pytest.importorskip("torch")
    import json
    import shutil

    from photoorg.engine.albums import events as ev
    from photoorg.engine.albums.build import build_albums, correct_event
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.cli import main
    from photoorg.engine.scan.scanner import scan
    from photoorg.engine.settings import Settings

    assert ev.default_weights_path().exists()  # shipped in resources/models
    lib = tmp_path / "lib"
    for i in range(4):  # four small folder albums of real (scikit-image) photos
        shutil.copytree(skimage_photos, lib / f"album{i}")
    settings = Settings.for_catalog(tmp_path / "catalog.sqlite", workers=1)
    rng = np.random.default_rng(0)
    with Catalog(settings.catalog_path) as catalog:
        scan(catalog, [str(lib)], settings)
        # Concept vectors stand in for the embed stage here (this test is about the loop).
        catalog.put_features("effnet_lite0", "concepts", {
            p.content_hash: rng.dirichlet(np.full(1000, 0.02)) for p in catalog.photos()}, dtype="<f2")
        build_albums(catalog, settings, "folders")
        albums = catalog.albums("folders")
        assert len(albums) == 4
        for a in albums:
            correct_event(catalog, a.id, "Birthday")
        before_version = ev.model_version(settings)
    code = main(["train-events", "--steps", "4", "--json", "--catalog", str(settings.catalog_path)])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["real_albums"] == 3 and report["heldout_albums"] == 1
    assert report["before"]["heldout"]["albums"] == 1 and "mAP" in report["after"]["heldout"]
    assert ev.user_weights_path(settings).exists()
    assert ev.model_version(settings) != before_version
    with Catalog(settings.catalog_path) as catalog:
        summary = build_albums(catalog, settings, "folders")
        assert summary["labelled"] == 4 and summary["model"] == ev.model_version(settings)


def test_benchmark_layout_eval_and_training(tmp_path, shared_photos, capsys):
    """An ML-CUFED-layout folder (albums, event_type.json, image_importance.json)
    is read, embedded, evaluated (mAP, MAP@t%, P@t%) and trained on."""
    pytest.importorskip("torch")
    import json
    import shutil

    from photoorg.engine.albums import events as ev
    from photoorg.engine.albums.cufed import read_layout
    from photoorg.engine.cli import main

    assert ev.default_weights_path().exists()  # shipped in resources/models
    root = tmp_path / "ML_CUFED"
    shutil.copytree(shared_photos / "immich/albums/nature", root / "images/hike_1")
    shutil.copytree(shared_photos / "exif/jpg/gps", root / "images/town_2", ignore=shutil.ignore_patterns("*.txt"))
    (root / "event_type.json").write_text(json.dumps({"hike_1": ["NatureTrip"], "town_2": ["UrbanTrip", "Architecture"]}))
    importance = {a: [[f"{a}/{p.stem}", float(i)] for i, p in enumerate(sorted((root / "images" / a).glob("*.jpg")))]
                  for a in ("hike_1", "town_2")}
    (root / "image_importance.json").write_text(json.dumps(importance))
    layout = read_layout(root)
    assert [(a[0], len(a[1]), a[2]) for a in layout] == [("hike_1", 9, ["NatureTrip"]),
                                                          ("town_2", 9, ["UrbanTrip", "Architecture"])]
    assert layout[0][3]["wood_anemones"] == 8.0
    catalog = str(tmp_path / "catalog.sqlite")
    assert main(["train-events", "--benchmark", str(root), "--eval-only", "--json", "--catalog", catalog]) == 0
    report = json.loads(capsys.readouterr().out)["evaluation"]
    assert report["albums"] == 2 and 0 <= report["mAP"] <= 1
    assert set(report["importance"]["MAP"]) == {"5%", "10%", "15%", "20%", "25%", "30%"}

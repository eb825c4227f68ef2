"""People on real multi-face party photos (../shared/photos/people/human:
the same man in his own photos and in three group photos, a woman seen at
two parties), labelled in tests/data/people_labels.json: no person ever
holds two faces of one photo, the man is one person, merges that would
break the rule are refused with the reason (engine and command line), and
the review of unknown faces ("is this X?") keeps the user's answers through a
re-clustering."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from photoorg.engine.cli import main

LABELS = Path(__file__).parent / "data" / "people_labels.json"
PHOTOS = ["human/person-vlado.jpg", "human/person-vlado1.jpg", "human/group-2.jpg", "human/group-4.jpg",
          "human/group-5.jpg"]


def _iou(a, b) -> float:
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


@pytest.fixture(scope="module")
def analysed(shared_photos, tmp_path_factory):
    """One catalog of the party photos with the faces stage run (module-wide:
    detection is the slow part); each test works on a copy."""
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.pipeline import run_stages
    from photoorg.engine.scan.scanner import scan
    from photoorg.engine.settings import Settings

    root = tmp_path_factory.mktemp("party")
    library = root / "people" / "human"
    library.mkdir(parents=True)
    for name in PHOTOS:
        shutil.copy2(shared_photos / "people" / name, library / Path(name).name)
    settings = Settings.for_catalog(root / "catalog.sqlite", workers=1)
    with Catalog(settings.catalog_path) as cat:
        scan(cat, [str(root / "people")], settings)
        run_stages(cat, settings, only=["faces"])
    return settings.catalog_path


@pytest.fixture
def party(analysed, tmp_path):
    from photoorg.engine.catalog import Catalog

    path = tmp_path / "catalog.sqlite"
    shutil.copy(analysed, path)
    with Catalog(path) as cat:
        yield cat, path


def _truth(cat) -> dict[int, str]:
    labels = json.loads(LABELS.read_text())["photos"]
    out = {}
    for fid in cat.face_table()["id"]:
        f = cat.face(int(fid))
        rel = "people/human/" + Path(f.path).name
        box = (f.box[0], f.box[1], f.box[0] + f.box[2], f.box[1] + f.box[3])
        best = max(labels[rel], key=lambda e: _iou(e["box"], box))
        out[f.id] = best["who"] if _iou(best["box"], box) >= 0.5 else f"unlabelled:{f.id}"
    return out


def test_the_man_is_one_person_and_no_person_holds_two_faces_of_a_photo(party):
    from photoorg.engine.faces import metrics

    cat, _ = party
    truth = _truth(cat)
    assert len(truth) >= 15 and list(truth.values()).count("vlado") == 5
    assert cat.face_invariant_violations() == []
    ids = list(truth)
    pred = np.array([cat.face(i).person_id or -1 for i in ids])
    precision, recall, _ = metrics.pairwise_prf(pred, [truth[i] for i in ids])
    assert precision >= 0.95 and recall > 0.5
    vlado = {cat.face(i).person_id for i in ids if truth[i] == "vlado"}
    assert len(vlado) == 1 and None not in vlado


def test_a_merge_of_two_people_of_one_photo_is_refused_with_the_reason(party, capsys):
    from photoorg.engine.catalog import Catalog

    cat, path = party
    people = {}
    for fid, who in _truth(cat).items():
        p = cat.face(fid).person_id
        if p is not None:
            people.setdefault(who, p)
    vlado, woman = people["vlado"], people["party_woman_1"]  # both in group-2 and group-4
    with pytest.raises(ValueError, match="two faces of one photo are never one person"):
        cat.merge_people(vlado, [woman])
    assert cat.face_invariant_violations() == []
    cat.close()
    assert main(["--catalog", str(path), "people", "merge", str(vlado), str(woman)]) != 0
    err = capsys.readouterr().err
    assert "never one person" in err and "Traceback" not in err
    with Catalog(path) as again:
        assert again.person(woman) is not None  # nothing merged


def test_suggestions_accepted_and_rejected_survive_reclustering(party):
    from photoorg.engine.faces.people import recluster
    from photoorg.engine.faces.suggest import face_suggestions, review_groups

    cat, _ = party
    truth = _truth(cat)
    vlado = next(cat.face(f).person_id for f, w in truth.items() if w == "vlado")
    # The man's face in group-5 taken out by the user, then offered back.
    face = next(f for f, w in truth.items() if w == "vlado" and "group-5" in cat.face(f).path)
    cat.remove_face(face, vlado)
    cat.unreject_suggestion(face, vlado)  # forget the "not him": the face is just unknown now
    sugg = face_suggestions(cat)
    assert sugg[face] and sugg[face][0].person_id == vlado and 0.5 < sugg[face][0].similarity <= 1
    groups = review_groups(cat)
    assert any(g.person_id == vlado and face in g.face_ids for g in groups)
    # Accept: pinned there through a full re-clustering.
    cat.accept_suggestions([face], vlado)
    recluster(cat)
    assert cat.face(face).person_id == vlado and cat.face(face).assigned_by == "user"
    # Reject another face for him: never offered or placed there again.
    other = next(f for f, w in truth.items() if w != "vlado" and cat.face(f).person_id is None
                 and vlado in [s.person_id for s in face_suggestions(cat).get(f, [])] + [vlado])
    cat.reject_suggestion(other, vlado)
    recluster(cat)
    assert cat.face(other).person_id != vlado
    assert vlado not in [s.person_id for s in face_suggestions(cat).get(other, [])]
    # A move that would put two faces of one photo in a person is refused
    # when the other face was placed by the user.
    same_photo = next(f for f in truth if f != face and cat.face(f).content_hash == cat.face(face).content_hash)
    with pytest.raises(ValueError, match="never one person"):
        cat.move_face(same_photo, vlado)
    assert cat.face_invariant_violations() == []
    assert cat.decisions("face_suggestion_accept")[-1]["value"] == {"face": face, "person": vlado}
    assert cat.decisions("face_suggestion_reject")[-1]["value"] == {"face": other, "person": vlado}


def test_unassigned_review_on_the_command_line(party, capsys):
    cat, path = party
    truth = _truth(cat)
    vlado = next(cat.face(f).person_id for f, w in truth.items() if w == "vlado")
    face = next(f for f, w in truth.items() if w == "vlado" and "group-5" in cat.face(f).path)
    cat.remove_face(face, vlado)
    cat.unreject_suggestion(face, vlado)
    cat.close()
    assert main(["--catalog", str(path), "people", "--unassigned", "--json"]) == 0
    groups = json.loads(capsys.readouterr().out)["groups"]
    mine = next(g for g in groups if any(f["id"] == face for f in g["faces"]))
    assert mine["kind"] == "is_this" and mine["person"] == vlado
    assert mine["faces"][0]["suggestions"][0]["person"] == vlado
    assert main(["--catalog", str(path), "people", "suggest"]) == 0
    assert f"face {face:>6}" in capsys.readouterr().out
    assert main(["--catalog", str(path), "people", "suggest", "accept", str(face)]) == 0
    capsys.readouterr()
    from photoorg.engine.catalog import Catalog

    with Catalog(path) as again:
        assert again.face(face).person_id == vlado and again.face(face).assigned_by == "user"


def test_every_fair_face_is_in_a_person_or_an_explicit_review_state(party):
    """A face of reasonable quality never vanishes: it is in a person, in an
    "is this X?" / "a new person?" group, or unsure with its nearest people
    (the strangers of the party photos, seen once: 'a new person' first)."""
    from photoorg.engine.faces.quality import REVIEW_QUALITY
    from photoorg.engine.faces.suggest import UNSURE_EPS, review_groups

    cat, _ = party
    truth = _truth(cat)
    groups = review_groups(cat)
    state = {f: g.kind for g in groups for f in g.face_ids}
    fair = [f for f in truth if cat.face(f).quality >= REVIEW_QUALITY]
    for f in fair:
        assert cat.face(f).person_id is not None or f in state, f"face {f} ({truth[f]}) in no state"
    unsure = next(g for g in groups if g.kind == "unsure")
    assert len(unsure.face_ids) >= 3 and unsure.offer(unsure.face_ids[0]) is None  # "a new person"
    # Each unsure face is someone seen once here, and carries its nearest
    # people (ranked, none it shares a photo with) when any is within reach.
    seen = {w: list(truth.values()).count(w) for w in truth.values()}
    assert all(seen[truth[f]] == 1 for f in unsure.face_ids)
    with_cands = [f for f in unsure.face_ids if unsure.suggestions[f]]
    assert with_cands
    for f in with_cands:
        ds = [s.distance for s in unsure.suggestions[f]]
        assert ds == sorted(ds) and ds[-1] <= UNSURE_EPS
        in_photo = {cat.face(o).person_id for o in truth if cat.face(o).content_hash == cat.face(f).content_hash}
        assert not in_photo & {s.person_id for s in unsure.suggestions[f]}


def test_unsure_faces_on_the_command_line_and_through_reclustering(party, capsys):
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.faces.people import recluster

    cat, path = party
    cat.close()
    assert main(["--catalog", str(path), "people", "--unassigned", "--json"]) == 0
    groups = json.loads(capsys.readouterr().out)["groups"]
    unsure = next(g for g in groups if g["kind"] == "unsure")
    assert all(f["offer"] == {"person": None, "new_person": True} for f in unsure["faces"])
    face = next(f for f in unsure["faces"] if f["suggestions"])
    nearest = face["suggestions"][0]
    assert 0 <= nearest["similarity"] < 0.5 + 1e-9  # beyond dlib's 0.6: not "is this X?"
    assert main(["--catalog", str(path), "people", "suggest"]) == 0
    text = capsys.readouterr().out
    assert "unsure" in text and f"face {face['id']:>6}  a new person? or " in text
    # The whole unsure group is not one person: refused in one line.
    assert main(["--catalog", str(path), "people", "suggest", "accept-group", str(unsure["group"])]) != 0
    err = capsys.readouterr().err
    assert "one by one" in err and "Traceback" not in err
    # N: "not the nearest" is kept; Y: the face becomes a new person.
    assert main(["--catalog", str(path), "people", "suggest", "reject", str(face["id"]),
                 str(nearest["person"])]) == 0
    capsys.readouterr()
    other = next(f["id"] for f in unsure["faces"] if f["id"] != face["id"])
    assert main(["--catalog", str(path), "people", "suggest", "accept", str(other), "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["new_person"] is True and made["action"]
    # Both answers are journalled as the window's Y and N are: 'undo --action'
    # takes them back, the last first, and they can be given again.
    with Catalog(path) as again:
        assert again.face(other).person_id == made["person"]
        assert nearest["person"] in again.face_rejections()[face["id"]]
    assert main(["--catalog", str(path), "undo", "--action"]) == 0
    assert main(["--catalog", str(path), "undo", "--action"]) == 0
    capsys.readouterr()
    with Catalog(path) as again:
        assert again.face(other).person_id is None and again.person(made["person"]) is None
        assert nearest["person"] not in again.face_rejections().get(face["id"], set())
    assert main(["--catalog", str(path), "people", "suggest", "reject", str(face["id"]),
                 str(nearest["person"])]) == 0
    capsys.readouterr()
    assert main(["--catalog", str(path), "people", "suggest", "accept", str(other), "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    with Catalog(path) as again:
        recluster(again)
        assert again.face(other).person_id == made["person"] and again.face(other).assigned_by == "user"
        assert nearest["person"] not in [p for p in [again.face(face["id"]).person_id] if p is not None]
        assert again.face_invariant_violations() == []
    # A person the user made of one face is listed (unnamed singletons are not).
    assert main(["--catalog", str(path), "people", "--json"]) == 0
    assert made["person"] in [p["id"] for p in json.loads(capsys.readouterr().out)["people"]]
    assert main(["--catalog", str(path), "people", "--unassigned", "--json"]) == 0
    groups = json.loads(capsys.readouterr().out)["groups"]
    after = {f["id"]: f for g in groups for f in g["faces"]}
    assert other not in after
    assert nearest["person"] not in [s["person"] for s in after[face["id"]]["suggestions"]]

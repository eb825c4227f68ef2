"""photoorg people: the JSON listing of the contract and the correction actions."""

from __future__ import annotations

import json

import pytest

from photoorg.engine.catalog import Catalog
from photoorg.engine.cli import main
from photoorg.engine.faces.people import recluster
from test_people_constraints import add_photos, centre


@pytest.fixture
def library(tmp_path):
    path = tmp_path / "cat.sqlite"
    with Catalog(path) as cat:
        ann, bob = centre(), centre()
        faces = {"ann": add_photos(cat, [ann] * 4, selfie=True), "bob": add_photos(cat, [bob] * 3),
                 "once": add_photos(cat, [centre()])}
        recluster(cat)
        people = {k: cat.face(v[0]).person_id for k, v in faces.items()}
    return path, faces, people


def people_json(path, capsys, *extra) -> dict:
    assert main(["--catalog", str(path), "people", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_listing_follows_the_contract(library, capsys):
    path, faces, people = library
    data = people_json(path, capsys)
    assert [p["id"] for p in data["people"]] == [people["ann"], people["bob"]]
    ann = data["people"][0]
    assert ann["owner"] == "suggested" and ann["face_count"] == 4 and ann["name"] is None
    for face in ann["faces"]:
        assert face["path"].startswith("/lib/") and len(face["box"]) == 4
        assert all(0 <= v <= 1 for v in face["box"]) and face["box_px"] == [400, 240, 200, 240]
    assert data["unassigned_faces"] == 1
    assert len(people_json(path, capsys, "--all")["people"]) == 2  # the one-off face has no person


def test_corrections_from_the_command_line(library, capsys):
    path, faces, people = library
    ann, bob = people["ann"], people["bob"]
    assert main(["--catalog", str(path), "people", "name", str(ann), "Ann"]) == 0
    capsys.readouterr()
    assert main(["--catalog", str(path), "people", "confirm-owner", str(ann), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"owner": ann}
    assert main(["--catalog", str(path), "people", "split", str(bob), str(faces["bob"][0]), "--name", "Bo"]) == 0
    assert main(["--catalog", str(path), "people", "remove-face", str(faces["bob"][1])]) == 0
    assert main(["--catalog", str(path), "people", "recluster"]) == 0
    capsys.readouterr()
    listed = {p["id"]: p for p in people_json(path, capsys)["people"]}
    assert listed[ann]["name"] == "Ann" and listed[ann]["owner"] == "confirmed"
    bo = [p for p in listed.values() if p["name"] == "Bo"]
    assert len(bo) == 1 and faces["bob"][0] in [f["id"] for f in bo[0]["faces"]]
    # The removed face went back to nobody, or to the split-off person, never to bob again.
    assert faces["bob"][1] not in [f["id"] for f in listed.get(bob, {"faces": []})["faces"]]
    assert main(["--catalog", str(path), "people", "merge", str(ann), str(bo[0]["id"])]) == 0
    capsys.readouterr()
    listed = {p["id"]: p for p in people_json(path, capsys)["people"]}
    assert bo[0]["id"] not in listed and listed[ann]["face_count"] == 4 + bo[0]["face_count"]


def test_bad_ids_give_a_one_line_reason(library, capsys):
    path, _, _ = library
    assert main(["--catalog", str(path), "people", "name", "999", "X"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("photoorg:") and "999" in err and len(err.splitlines()) == 1
    assert main(["--catalog", str(path), "people", "remove-face", "12345", "--json"]) == 1
    assert "error" in json.loads(capsys.readouterr().out)


def test_private_listing_and_override(library, capsys):
    path, faces, people = library
    with Catalog(path) as cat:
        photo = cat.scalar("SELECT id FROM photos ORDER BY id LIMIT 1")
    assert people_json(path, capsys, "private")["private"] == []
    data = people_json(path, capsys, "private", "--set", str(photo))
    assert [(p["photo_id"], p["reasons"]) for p in data["private"]] == [(photo, ["user"])]
    assert people_json(path, capsys, "private", "--auto", str(photo))["private"] == []

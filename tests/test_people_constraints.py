"""People on a real catalog with synthetic face embeddings: incremental
assignment, and names / merges / splits / "not this person" / owner surviving
re-clustering."""

from __future__ import annotations

import time

import numpy as np
import pytest

from photoorg.engine.faces.detect import DetectedFace
from photoorg.engine.faces.people import assign_new, recluster, update_people

rng = np.random.default_rng(42)


@pytest.fixture(autouse=True)
def _fresh_rng():
    """Every test draws the same faces whatever ran before it (test_privacy
    borrows these helpers and would otherwise shift the draws)."""
    global rng
    rng = np.random.default_rng(42)


def centre(shift=None, distance=1.0):
    """A person's centre; with ``shift``, one ``distance`` away from it."""
    if shift is None:
        return rng.normal(0, 0.062, 128).astype(np.float32)
    step = rng.normal(0, 1, 128).astype(np.float32)
    return shift + distance * step / np.linalg.norm(step)


def add_photos(catalog, who: list[np.ndarray], day: int = 1, selfie: bool = False, quality: float = 0.9) -> list[int]:
    """One photo per entry of ``who`` (a face near that centre); returns face ids."""
    ids = []
    with catalog.write() as db:
        for c in who:
            h = f"h{rng.integers(1 << 60):x}"
            now = time.time()
            db.execute("INSERT INTO photos(path, filename, size, mtime_ns, content_hash, capture_time, added_at, "
                       "updated_at) VALUES (?, ?, 1, 1, ?, ?, ?, ?)",
                       (f"/lib/{h}.jpg", f"{h}.jpg", h, f"2024-05-{day:02d}T12:00:00", now, now))
            face = DetectedFace(box=(0.4, 0.3, 0.6, 0.6), landmarks=((0.45, 0.4),) * 5, det_score=2.0, size_px=200,
                                inside=1.0, yaw=0.0, sharpness=300, quality=quality,
                                embedding=(c + rng.normal(0, 0.022, 128)).astype(np.float32))
            ids += catalog.save_faces(h, [face], (1000, 800), 0 if selfie else None)
    return ids


def person_of(catalog, face_ids) -> set:
    return {catalog.face(f).person_id for f in face_ids}


def test_new_faces_join_named_people_incrementally(catalog):
    ann, bob = centre(), centre()
    ann_faces = add_photos(catalog, [ann] * 6)
    bob_faces = add_photos(catalog, [bob] * 4)
    out = update_people(catalog)
    assert out["mode"] == "full" and out["people"] == 2
    (ann_id,) = person_of(catalog, ann_faces)
    (bob_id,) = person_of(catalog, bob_faces)
    catalog.name_person(ann_id, "Ann")
    carl = centre()
    later_ann = add_photos(catalog, [ann] * 3)
    carl_faces = add_photos(catalog, [carl] * 3)
    out = update_people(catalog)
    assert out["mode"] == "incremental" and out["assigned"] == 3 and out["new_people"] == 1
    assert person_of(catalog, later_ann) == {ann_id}
    assert len(person_of(catalog, carl_faces)) == 1 and person_of(catalog, carl_faces) != {ann_id}
    # A full re-clustering keeps the ids and the name.
    recluster(catalog)
    assert person_of(catalog, ann_faces + later_ann) == {ann_id}
    assert person_of(catalog, bob_faces) == {bob_id}
    assert catalog.person(ann_id).name == "Ann"


def test_merge_survives_reclustering(catalog):
    a, b = centre(), centre()
    fa, fb = add_photos(catalog, [a] * 4), add_photos(catalog, [b] * 4)
    recluster(catalog)
    (pa,), (pb,) = person_of(catalog, fa), person_of(catalog, fb)
    assert pa != pb
    catalog.name_person(pb, "Bea")
    catalog.merge_people(pa, [pb])
    assert catalog.resolve_person(pb) == pa and catalog.person(pa).name == "Bea"
    recluster(catalog)
    assert person_of(catalog, fa + fb) == {pa}
    more_b = add_photos(catalog, [b] * 2)
    assign_new(catalog)
    assert person_of(catalog, more_b) == {pa}


def test_split_of_look_alikes_survives_reclustering(catalog):
    # Siblings: centres 0.3 apart, faces ~0.46 apart (< eps), so clustering merges them.
    sis = centre()
    bro = centre(sis, 0.3)
    fs, fb = add_photos(catalog, [sis] * 5), add_photos(catalog, [bro] * 5)
    recluster(catalog)
    merged = person_of(catalog, fs + fb)
    assert len(merged) == 1
    (p,) = merged
    new = catalog.split_person(p, fb[:3], name="Bro")
    recluster(catalog)
    assert person_of(catalog, fb[:3]) == {new}
    assert person_of(catalog, fs) == {p}
    # The brother's other faces follow the nearest of the two people.
    assert person_of(catalog, fb[3:]) == {new}
    later = add_photos(catalog, [bro] * 2)
    assign_new(catalog)
    assert person_of(catalog, later) == {new}
    with pytest.raises(ValueError):
        catalog.split_person(p, fb[:1])  # no longer that person's face


def test_not_this_person_survives_reclustering(catalog):
    a = centre()
    faces = add_photos(catalog, [a] * 5)
    recluster(catalog)
    (p,) = person_of(catalog, faces)
    catalog.remove_face(faces[0])
    assert catalog.face(faces[0]).person_id is None
    recluster(catalog)
    assert catalog.face(faces[0]).person_id != p
    assert person_of(catalog, faces[1:]) == {p}
    # The user can still put it back by hand.
    catalog.move_face(faces[0], p)
    recluster(catalog)
    assert catalog.face(faces[0]).person_id == p and catalog.face(faces[0]).assigned_by == "user"


def test_owner_is_the_person_with_most_selfies(catalog):
    me, friend = centre(), centre()
    mine = add_photos(catalog, [me] * 3, selfie=True) + add_photos(catalog, [me] * 2)
    theirs = add_photos(catalog, [friend] * 6) + add_photos(catalog, [friend], selfie=True)
    recluster(catalog)
    (me_id,) = person_of(catalog, mine)
    assert catalog.owner_person() == (me_id, False)
    catalog.confirm_owner(me_id)
    recluster(catalog)
    assert catalog.owner_person() == (me_id, True)
    assert catalog.person(me_id).display_name == "You"
    assert catalog.people_list()[0].id == me_id  # the owner is listed first
    assert person_of(catalog, theirs) != {me_id}


def test_low_quality_faces_do_not_found_people(catalog):
    blurry = centre()
    add_photos(catalog, [blurry] * 4, quality=0.2)
    out = recluster(catalog)
    assert out["people"] == 0 and out["unassigned"] == 4
    good = add_photos(catalog, [blurry] * 2)
    out = assign_new(catalog)
    (p,) = person_of(catalog, good)
    # Once good faces make the person, the blurry ones can join it.
    recluster(catalog)
    assert catalog.person(p).face_count == 6


def test_empty_library(catalog):
    assert recluster(catalog)["people"] == 0
    assert assign_new(catalog)["assigned"] == 0
    assert catalog.people_list() == []

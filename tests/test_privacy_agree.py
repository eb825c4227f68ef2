"""One privacy rule: on a real analysed library, the grid's SQL and every
Python path (the sidebar's Private filter, privacy_list, stories,
is_private, the inspector) give the same private photos, with the user's
word both ways and the portrait setting off and on; and a person's photos
are counted alike by the People view, the grid and Insights."""

from __future__ import annotations

import shutil

from test_privacy import _run


def _private_by_every_path(catalog) -> dict[str, set[int]]:
    """Which photos are private, asked every way the product asks."""
    from photoorg.engine.catalog.browse import BrowseFilter

    ids = [r.id for r in catalog.browse_rows()]
    listed = catalog.privacy_list()
    hidden = {r.id for r in catalog.browse_rows(BrowseFilter(private=False))}
    shown = {r.id for r in catalog.browse_rows(BrowseFilter(private=True))}
    assert catalog.browse_count(BrowseFilter(private=True)) == len(shown)
    return {
        "grid badge": {r.id for r in catalog.browse_rows() if r.private},
        "grid rows after an edit": {i for i, r in catalog.grid_rows(ids).items() if r.private},
        "sidebar's Private filter": shown,
        "grid with private hidden": set(ids) - hidden,
        "privacy_list": {p.photo_id for p in listed if p.is_private},
        "private_photos (stories, CLI)": {p.photo_id for p in catalog.private_photos()},
        "story's candidates": {p.photo_id for p in catalog.privacy_list(only_private=True, photo_ids=ids)},
        "is_private": {i for i in ids if catalog.is_private(i)},
        "inspector": {i for i in ids if catalog.photo_details(i)["privacy"]["private"]},
    }


def _agree(catalog) -> set[int]:
    paths = _private_by_every_path(catalog)
    first = paths["privacy_list"]
    assert all(v == first for v in paths.values()), {k: sorted(v) for k, v in paths.items()}
    # The reasons said are the rule's: without the user's word, private
    # exactly when there is a reason; the inspector says the same reasons.
    for p in catalog.privacy_list():
        if p.override is None:
            assert p.is_private == bool(p.reasons), p
        inspector = catalog.photo_details(p.photo_id)["privacy"]
        assert inspector["reasons"] == [r for r in p.reasons if r != "user"] and inspector["override"] == p.override
    return first


def test_every_path_agrees_on_which_photos_are_private(shared_photos, settings, catalog, tmp_path):
    """On a real analysed library (documents, a screenshot, portraits, a
    close person, the user's word both ways, the portrait setting off and
    on), the grid's SQL and every Python path give the same private photos."""
    from photoorg.engine.scan.scanner import scan

    faces = shared_photos / "faces"
    text = shared_photos / "immich" / "albums" / "text"
    picks = {"book.jpg": text / "book-beside-flowers.jpg", "notes.jpg": text / "handwritten-notes.jpg",
             "beer.jpg": text / "craft-beer.jpg",
             "Screenshot 2021-03-04 at 10.00.00.png": shared_photos / "text" / "easyocr" / "korean.png",
             "flower.jpg": shared_photos / "immich" / "albums" / "nature" / "cyclamen_persicum.jpg",
             "rose.jpg": faces / "knn_examples" / "train" / "rose_leslie" / "img2.jpg",
             "obama1.jpg": faces / "knn_examples" / "test" / "obama1.jpg",
             "obama.jpg": faces / "knn_examples" / "train" / "obama" / "obama.jpg",
             "copy-of-obama.jpg": faces / "test_images" / "obama.jpg",
             "obama2.jpg": faces / "knn_examples" / "train" / "obama" / "obama2.jpg",
             "obama3.jpg": faces / "test_images" / "obama3.jpg",
             "stage.jpg": faces / "knn_examples" / "test" / "obama_and_biden.jpg"}
    (tmp_path / "lib").mkdir()
    for name, src in picks.items():
        shutil.copy2(src, tmp_path / "lib" / name)
    scan(catalog, [str(tmp_path / "lib")], settings)
    _run(catalog, settings, ["faces", "privacy"])
    ids = {p.path.rsplit("/", 1)[1]: p.id for p in catalog.photos()}

    # A close person: Obama, the largest face of each of his photos, over two capture days.
    obama = [n for n in ids if n.startswith(("obama", "copy-of-obama"))]
    largest = {n: max(catalog.faces_of_photo(ids[n]), key=lambda f: f.box[2]) for n in obama}
    person = largest["obama1.jpg"].person_id or catalog.new_person(name="Obama")
    for n in obama:
        if largest[n].person_id != person:
            catalog.move_face(largest[n].id, person)
    with catalog.write() as db:
        for day, n in enumerate(obama):
            db.execute("UPDATE photos SET capture_time = ?, capture_source = 'exif:DateTimeOriginal' WHERE id = ?",
                       (f"2021-05-0{1 + day % 3}T12:00:00", ids[n]))
    assert person in catalog.close_people()
    assert catalog.close_people_photos()  # where he is the subject: a signal, no reason
    # His photos are counted one way by the People view, the grid's filter and Insights (the copy included).
    from photoorg.engine.catalog.browse import BrowseFilter

    listed = {p.id: p for p in catalog.people_list()}[person]
    in_grid = {r.id for r in catalog.browse_rows(BrowseFilter(person_id=person))}
    assert listed.photo_count == len(in_grid) == catalog.browse_count(BrowseFilter(person_id=person)) >= len(obama)
    charted = {p["id"]: p for p in catalog.people_by_photos()}[person]
    assert (charted["photos"], charted["faces"], charted["name"]) == (listed.photo_count, listed.face_count,
                                                                    listed.display_name)
    names, periods = catalog.people_per_period(top_k=10)
    column = [pid for pid, _ in names].index(person)
    assert sum(counts[column] for _, counts in periods) == len(in_grid)  # all of them dated

    documents = {ids["book.jpg"], ids["notes.jpg"], ids["Screenshot 2021-03-04 at 10.00.00.png"]}
    assert _agree(catalog) == documents  # portraits and close people are not private by default
    # The user's word, both ways: the notes are fine to share, the flower is not.
    catalog.set_private([ids["notes.jpg"]], False)
    catalog.set_private([ids["flower.jpg"]], True)
    words = documents - {ids["notes.jpg"]} | {ids["flower.jpg"]}
    assert _agree(catalog) == words
    # The paper's portrait rule, as a setting: the close-ups join, the stage and the bar do not.
    catalog.set_pref("preferences", {"private_portraits": True})
    with_portraits = _agree(catalog)
    assert {ids["obama1.jpg"], ids["rose.jpg"]} | words <= with_portraits
    assert not {ids["stage.jpg"], ids["beer.jpg"], ids["notes.jpg"]} & with_portraits
    # A copy is the same content: private together.
    assert (ids["obama.jpg"] in with_portraits) == (ids["copy-of-obama.jpg"] in with_portraits)
    catalog.set_private([ids["obama1.jpg"]], False)
    assert _agree(catalog) == with_portraits - {ids["obama1.jpg"]}
    catalog.set_private([ids["notes.jpg"], ids["flower.jpg"], ids["obama1.jpg"]], None)
    catalog.set_pref("preferences", {"private_portraits": False})
    assert _agree(catalog) == documents

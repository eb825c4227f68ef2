"""Private photos: personal documents by what their text says on real
photos (two passes, the concept skip), the portrait rule as a setting (off
by default), screenshots, close people as a signal (never a reason), and the
user's override."""

from __future__ import annotations

import shutil
import time

import numpy as np

from photoorg.engine.faces.detect import DetectedFace
from photoorg.engine.privacy import rules
from photoorg.engine.privacy.text import TextEvidence
from test_people_constraints import add_photos, centre


def _run(catalog, settings, only):
    from photoorg.engine.pipeline import run_stages

    out = {o.name: o for o in run_stages(catalog, settings, only=only)}
    assert all(o.status == "done" for o in out.values()), {k: o.to_json() for k, o in out.items()}
    return {k: o.summary for k, o in out.items()}


def _flags(catalog):
    return {p.path.rsplit("/", 2)[1] + "/" + p.path.rsplit("/", 1)[1]: p.reasons for p in catalog.privacy_list()}


def test_text_photos_are_documents_and_nature_is_not(shared_photos, settings, catalog, tmp_path):
    from photoorg.engine.privacy import stage
    from photoorg.engine.progress import CancelToken
    from photoorg.engine.scan.scanner import scan

    albums = shared_photos / "immich" / "albums"
    for album in ("text", "nature"):
        shutil.copytree(albums / album, tmp_path / "lib" / album)
    scan(catalog, [str(tmp_path / "lib")], settings)
    out = stage.STAGE.run(catalog, settings, lambda p: None, CancelToken())
    assert out["photos"] == 13 and out["failed"] == 0
    # No concepts yet (embed did not run): every photo gets the fast pass;
    # the text photos, and only a few others, go on to recognition.
    assert out["text_skipped"] == 0 and 4 <= out["text_recognized"] <= 6, out
    flagged = _flags(catalog)
    text = {k: v for k, v in flagged.items() if k.startswith("text/")}
    nature = {k: v for k, v in flagged.items() if k.startswith("nature/")}
    # The book page and the handwritten notes are pages of writing; the beer
    # menu board and the Japanese shop sign have text but are nobody's papers.
    assert text == {"text/book-beside-flowers.jpg": ("page_of_writing",),
                    "text/handwritten-notes.jpg": ("page_of_writing",),
                    "text/craft-beer.jpg": (), "text/japanese-shop.jpg": ()}, text
    assert len(nature) == 9 and not any(v for v in nature.values()), nature
    assert stage.STAGE.run(catalog, settings, lambda p: None, CancelToken())["photos"] == 0


def test_concepts_skip_clear_nature_but_never_a_document(shared_photos, settings, catalog, tmp_path):
    from photoorg.engine.privacy import stage
    from photoorg.engine.scan.scanner import scan

    albums = shared_photos / "immich" / "albums"
    for album in ("text", "nature"):
        shutil.copytree(albums / album, tmp_path / "lib" / album)
    shutil.copy2(shared_photos / "heif" / "heif" / "zPug_3.heic", tmp_path / "lib" / "pug.heic")
    scan(catalog, [str(tmp_path / "lib")], settings)
    out = _run(catalog, settings, ["embed", "privacy"])["privacy"]
    assert out["text_skipped"] >= 1, out  # the pug at least (0.99 dogs)
    flagged = _flags(catalog)
    private = {k for k, v in flagged.items() if v}
    assert private == {"text/book-beside-flowers.jpg", "text/handwritten-notes.jpg"}, flagged
    # What decides: a synthetic concept vector.
    nature, text = stage._group_masks()
    dog = np.zeros(1000, np.float32)
    dog[np.flatnonzero(nature)[0]] = 0.9
    assert stage.clearly_nature(dog) and not stage.clearly_nature(None)
    menu = dog.copy()
    menu[np.flatnonzero(text)[0]] = 0.05
    assert not stage.clearly_nature(menu)


def test_portraits_on_real_photos(shared_photos, settings, catalog, tmp_path):
    from photoorg.engine.scan.scanner import scan

    faces = shared_photos / "faces" / "knn_examples"
    picks = {"obama1.jpg": faces / "test" / "obama1.jpg", "rose.jpg": faces / "train" / "rose_leslie" / "img2.jpg",
             "stage.jpg": faces / "test" / "obama_and_biden.jpg",
             "bar.jpg": shared_photos / "immich" / "albums" / "text" / "craft-beer.jpg",
             "beach.jpg": shared_photos / "exif" / "jpg" / "exif-org" / "sony-cybershot.jpg"}
    for name, src in picks.items():
        (tmp_path / "lib" / "p").mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, tmp_path / "lib" / "p" / name)
    scan(catalog, [str(tmp_path / "lib")], settings)
    _run(catalog, settings, ["faces", "privacy"])
    # Portraits are not private by default: ordinary photos of people.
    assert not any(_flags(catalog).values()), _flags(catalog)
    catalog.set_pref("preferences", {"private_portraits": True})  # the paper's rule, as a setting
    portraits = {k.split("/")[1] for k, v in _flags(catalog).items() if "portrait" in v}
    # A face and shoulders fill the frame: portraits. Three people waving on
    # a stage, a bartender behind beer taps, a woman standing on a beach: no
    # (the paper's 0.05 of the width would flag all five).
    assert portraits == {"obama1.jpg", "rose.jpg"}, portraits
    boxes = {r["path"].rsplit("/", 1)[1]: [] for r in catalog.query("SELECT path FROM photos")}
    for r in catalog.query("SELECT p.path, f.x0, f.y0, f.x1, f.y1 FROM faces f JOIN photos p "
                           "ON p.content_hash = f.content_hash"):
        boxes[r[0].rsplit("/", 1)[1]].append(tuple(r[1:]))
    assert all(rules.is_portrait(b, rule=rules.PAPER_PORTRAIT) for b in boxes.values()), boxes


def test_document_rule():
    def ev(lines, boxes=None):
        return TextEvidence(boxes=boxes or len(lines), lines=len(lines), chars=sum(map(len, lines)), area=0.2,
                            texts=tuple(lines))

    page = ev(["Dear Anna, thank you so much for the lovely", "weekend, we had a wonderful time with you"] * 9)
    sign = ev(["NOTICE", "DOUBLE", "PARKING", "PROHIBITED", "AT ALL TIMES"])
    plate = ev(["RAT022C"])
    menu = ev(["MAIN STAY", "SEASONAL", "BARREL AGED", "HOP DELUSION IMPERIAL IPA", "BLONDE", "BIG BRIGHT IPA",
               "Mother-in-Lager", "HOPADILLO IPA", "RODEO CLOWN IPA", "English Style Barleywine", "Session IPA",
               "KR&D SERIES", "F.U.N.", "MON-FRI 3-6", "Collaboration", "Beer is"])
    receipt = ev(["CAFE GALO", "ICE BLACK COFFEE", "82,000", "AVOCADO COFFEE", "61,000", "SUBTOTAL", "194,000",
                  "TOTAL", "174,600", "CASH", "200,000", "CHANGE", "28,400"])
    assert rules.document_kind(page) == "page" and rules.document_kind(receipt) == "receipt"
    assert rules.document_kind(sign) is None and rules.document_kind(plate) is None
    assert rules.document_kind(menu) is None
    # A page behind a prominent face must cover much of the photo.
    assert rules.document_kind(page, [0.22]) == "page"
    assert rules.document_kind(TextEvidence(20, 18, 500, 0.05, texts=page.texts), [0.22]) is None
    # Personal papers by their content, with a face on them or not.
    card = ev(["REPUBLIC OF UTOPIA", "PASSPORT", "Surname", "DOE", "Given names", "JANE", "Date of birth",
               "01 JAN 1990", "P<UTODOE<<JANE<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<"])
    assert rules.document_kind(card, [0.3]) == "identity"
    assert rules.document_kind(ev(["Max Mustermann", "IBAN DE89 3704 0044 0532 0130 00", "Sparkasse"])) == "bank"
    assert rules.document_kind(ev(["VISA", "4111 1111 1111 1111", "VALID THRU 12/27"])) == "bank"
    assert rules.document_kind(ev(["4111 1111 1111 1112", "Summer sale"])) is None  # not a valid card number
    assert rules.document_kind(ev(["Dr. med. A. Weber", "Patient: J. Doe", "Diagnosis: bronchitis",
                                   "Amoxicillin 500 mg"])) == "medical"
    assert rules.document_kind(ev(["Jane Doe", "Hauptstraße 12", "10115 Berlin", "Germany"])) == "address"


def test_portrait_and_screenshot_rules():
    assert rules.is_portrait([(0.4, 0.3, 0.6, 0.5)])
    assert not rules.is_portrait([(0.0, 0.0, 0.1, 0.1)])  # in the corner
    assert not rules.is_portrait([(0.45, 0.45, 0.55, 0.55)], (1000, 1000))  # 0.1 of the short side
    assert rules.is_portrait([(0.45, 0.45, 0.55, 0.55)], (1000, 1000), rules.PAPER_PORTRAIT)
    # Relative to the short side: 0.12 of a 16:9 width is 0.21 of its height.
    assert rules.is_portrait([(0.44, 0.2, 0.56, 0.41)], (1600, 900))
    assert not rules.is_portrait([(0.44, 0.2, 0.56, 0.3)], (900, 1600))
    # The face high in the frame (head and shoulders) still counts; at the
    # bottom edge it does not.
    assert rules.is_portrait([(0.4, 0.05, 0.65, 0.3)], (800, 1000))
    assert not rules.is_portrait([(0.4, 0.7, 0.65, 0.95)], (800, 1000))
    couple = [(0.25, 0.3, 0.45, 0.5), (0.55, 0.3, 0.75, 0.5)]
    assert rules.is_portrait(couple)
    group = couple + [(0.4, 0.55, 0.58, 0.73)]
    assert not rules.is_portrait(group) and rules.is_portrait(group, rule=rules.PAPER_PORTRAIT)
    assert rules.is_portrait(couple + [(0.9, 0.9, 0.95, 0.95)])  # a small face in the background
    none = TextEvidence(0, 0, 0, 0.0)
    assert rules.is_screenshot("Screenshot 2019-05-03 at 14.22.33.png", "PNG", None, none)
    assert rules.is_screenshot("IMG_0001.PNG", "PNG", None, TextEvidence(9, 8, 200, 0.3))
    assert not rules.is_screenshot("korean.png", "PNG", None, TextEvidence(6, 4, 24, 0.1))  # a road sign
    assert not rules.is_screenshot("IMG_0001.JPG", "JPEG", "Canon", TextEvidence(9, 8, 200, 0.3))


def test_close_people_are_no_reason_and_the_users_word_wins(catalog):
    family, stranger = centre(), centre()
    fam = add_photos(catalog, [family] * 3, day=1) + add_photos(catalog, [family] * 2, day=9)
    one_day = add_photos(catalog, [stranger] * 6, day=4)
    from photoorg.engine.faces.people import recluster

    recluster(catalog)
    fam_photos = {catalog.face(f).photo_id for f in fam}
    # Close (5 photos over 2 days): a signal for stories, not private.
    assert catalog.close_people() == {catalog.face(fam[0]).person_id}
    assert catalog.private_photos() == []
    other = catalog.face(one_day[0]).photo_id
    catalog.set_private([other], True)
    first = sorted(fam_photos)[0]
    catalog.set_private([first], False)
    assert catalog.is_private(other) and not catalog.is_private(first)
    assert [p.reasons for p in catalog.private_photos()] == [("user",)]
    catalog.set_private([other], None)
    assert not catalog.is_private(other)
    assert [d["value"] for d in catalog.decisions("private")] == [True, False, None]


def _face(x0, y0, w, h):
    return DetectedFace(box=(x0, y0, x0 + w, y0 + h), landmarks=((x0 + w / 2, y0 + h / 2),) * 5, det_score=2.0,
                        size_px=100, inside=1.0, yaw=0.0, sharpness=300, quality=0.9,
                        embedding=np.zeros(128, np.float32))


def _photo(catalog, name, day, faces, people, source="exif:DateTimeOriginal"):
    now = time.time()
    with catalog.write() as db:
        pid = db.execute("INSERT INTO photos(path, filename, size, mtime_ns, content_hash, capture_time, "
                         "capture_source, added_at, updated_at) VALUES (?, ?, 1, 1, ?, ?, ?, ?, ?)",
                         (f"/lib/{name}.jpg", f"{name}.jpg", name, f"2024-05-{day:02d}T12:00:00", source, now,
                          now)).lastrowid
    ids = catalog.save_faces(name, faces, (1200, 900))
    catalog.assign_faces([(f, p, "auto", 0.1) for f, p in zip(ids, people) if p is not None])
    return pid


def test_a_family_album_is_not_private(catalog):
    """The family are the largest groups of a family library: their photos
    stay in stories; the ones where one of them is the subject are found
    (``close_people_photos``) as a signal."""
    mum, kid, grandpa = catalog.new_person(), catalog.new_person(), catalog.new_person()
    ids = {}
    for day in (1, 2, 3):
        # Close-ups and half-length shots of one or two of them: private.
        ids[f"kid{day}"] = _photo(catalog, f"kid{day}", day, [_face(0.4, 0.2, 0.12, 0.16)], [kid])
        ids[f"two{day}"] = _photo(catalog, f"two{day}", day, [_face(0.3, 0.3, 0.1, 0.13), _face(0.6, 0.3, 0.1, 0.13)],
                                  [mum, kid])
        # The whole family at the table, with a guest: a group, shareable.
        ids[f"table{day}"] = _photo(catalog, f"table{day}", day,
                                    [_face(x, 0.3, 0.07, 0.09) for x in (0.1, 0.3, 0.5, 0.7)],
                                    [mum, kid, grandpa, None])
        # The kid small on the beach: about the place, shareable.
        ids[f"beach{day}"] = _photo(catalog, f"beach{day}", day, [_face(0.3, 0.4, 0.04, 0.05)], [kid])
        # Grandpa in the background of a stranger's close-up.
        ids[f"guest{day}"] = _photo(catalog, f"guest{day}", day, [_face(0.4, 0.2, 0.2, 0.27),
                                                                  _face(0.8, 0.5, 0.05, 0.07)], [None, grandpa])
    assert catalog.close_people() == {mum, kid, grandpa}
    # None of the family album is private; the close-ups are where a close
    # person is the subject (a signal for stories).
    assert catalog.private_photos() == []
    assert catalog.close_people_photos() == {f"{k}{d}" for k in ("kid", "two") for d in (1, 2, 3)}


def test_file_times_are_not_days(catalog):
    """Five photos copied in one go have five file times on one day or
    several: only capture dates make "several days"."""
    person = catalog.new_person()
    for i in range(6):
        _photo(catalog, f"f{i}", 1 + i, [_face(0.4, 0.2, 0.3, 0.4)], [person], source="mtime")
    assert catalog.close_people() == set()
    _photo(catalog, "dated1", 10, [_face(0.4, 0.2, 0.3, 0.4)], [person])
    assert catalog.close_people() == set()  # one dated day
    _photo(catalog, "dated2", 11, [_face(0.4, 0.2, 0.3, 0.4)], [person])
    assert catalog.close_people() == {person}


def test_numbers_on_separate_lines_are_not_a_card_number():
    """A chart's axis ticks, read line by line, once joined into a 16-digit
    number that passed the Luhn check (Tless0.tiff, a plot, was a "bank
    document"). Card numbers and IBANs are looked for within one line."""
    from photoorg.engine.privacy.doctext import classify_text

    ticks = ["0.04", "0.035", "0", "200", "400", "600", "800", "1000", "1200", "1400", "1600", "1800", "mHz"]
    assert classify_text(ticks) is None
    assert classify_text(["VISA", "4539 1488 0343 6467", "VALID THRU 12/28"]) == "bank"
    assert classify_text(["Transfer to", "IBAN DE89 3704 0044 0532 0130 00"]) == "bank"

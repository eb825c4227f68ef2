"""Private photos: documents by text detection on real photos, the portrait
and screenshot rules, close people, and the user's override."""

from __future__ import annotations

import shutil

from photoorg.engine.privacy import rules
from photoorg.engine.privacy.text import TextEvidence
from test_people_constraints import add_photos, centre


def test_text_photos_are_documents_and_nature_is_not(shared_photos, settings, catalog, tmp_path):
    from photoorg.engine.privacy import stage
    from photoorg.engine.progress import CancelToken
    from photoorg.engine.scan.scanner import scan

    albums = shared_photos / "immich" / "albums"
    for album in ("text", "nature"):
        shutil.copytree(albums / album, tmp_path / "lib" / album)
    scan(catalog, [str(tmp_path / "lib")], settings)
    out = stage.run(catalog, settings, lambda p: None, CancelToken())
    assert out["photos"] == 13 and out["failed"] == 0
    flagged = {p.path.rsplit("/", 2)[1] + "/" + p.path.rsplit("/", 1)[1]: p.reasons for p in catalog.privacy_list()}
    text = {k: v for k, v in flagged.items() if k.startswith("text/")}
    nature = {k: v for k, v in flagged.items() if k.startswith("nature/")}
    assert len(text) == 4 and all("document" in v for v in text.values()), text
    assert len(nature) == 9 and not any(v for v in nature.values()), nature
    assert stage.run(catalog, settings, lambda p: None, CancelToken())["photos"] == 0


def test_document_rule():
    page = TextEvidence(boxes=20, lines=18, chars=500, area=0.2)
    sign = TextEvidence(boxes=6, lines=5, chars=19, area=0.01)
    leaf = TextEvidence(boxes=1, lines=0, chars=0, area=0.0)
    backdrop = TextEvidence(boxes=31, lines=24, chars=113, area=0.09)  # logos behind two people
    assert rules.is_document(page) and rules.is_document(sign) and not rules.is_document(leaf)
    assert rules.is_document(backdrop) and not rules.is_document(backdrop, [0.22, 0.15])
    assert rules.is_document(page, [0.1])


def test_portrait_and_screenshot_rules():
    assert rules.is_portrait([(0.4, 0.3, 0.6, 0.5)])
    assert not rules.is_portrait([(0.0, 0.0, 0.1, 0.1)])  # in the corner
    assert not rules.is_portrait([(0.49, 0.49, 0.52, 0.52)])  # too small (3% of the width)
    none = TextEvidence(0, 0, 0, 0.0)
    assert rules.is_screenshot("Screenshot 2019-05-03 at 14.22.33.png", "PNG", None, none)
    assert rules.is_screenshot("IMG_0001.PNG", "PNG", None, TextEvidence(9, 8, 200, 0.3))
    assert not rules.is_screenshot("IMG_0001.JPG", "JPEG", "Canon", TextEvidence(9, 8, 200, 0.3))


def test_close_people_and_the_users_word(catalog):
    family, stranger = centre(), centre()
    fam = add_photos(catalog, [family] * 3, day=1) + add_photos(catalog, [family] * 2, day=9)
    one_day = add_photos(catalog, [stranger] * 6, day=4)
    from photoorg.engine.faces.people import recluster

    recluster(catalog)
    private = {p.photo_id: p for p in catalog.private_photos()}
    fam_photos = {catalog.face(f).photo_id for f in fam}
    assert set(private) == fam_photos  # 5 photos over 2 days; the other person only one day
    assert all(p.reasons == ("close_people",) for p in private.values())
    other = catalog.face(one_day[0]).photo_id
    catalog.set_private([other], True)
    first = sorted(fam_photos)[0]
    catalog.set_private([first], False)
    assert catalog.is_private(other) and not catalog.is_private(first)
    catalog.set_private([first], None)
    assert catalog.is_private(first)
    assert [d["value"] for d in catalog.decisions("private")] == [True, False, None]

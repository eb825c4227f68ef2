"""Which photos are private. On a desktop everything is already local, so
the paper's "private = never leaves the device" becomes "kept out of
stories, exports and anything shared unless the user allows it": what a
person would not want in a slideshow.

1. personal documents: the recognized text is classified
   (``doctext.classify_text``: identity, bank, medical, address, receipt,
   a page of writing), not counted: a number plate, a shop sign, a banner
   or a menu board is not a document; and screenshots;
2. portraits (the paper's rule): only when the user turns it on
   (``Preferences.private_portraits``, off by default): ordinary photos of
   people, portraits included, are what stories are made of;
3. close people (the paper's third rule) are no longer a reason: a person
   seen in many photos over several days is a signal for stories and
   importance (``Catalog.close_people``), not an exclusion.

The user's override beats the rules (``Catalog.set_private``). The rule that
puts these together, the stored evidence and the override, is stated once,
in SQL, in ``privacy/queries.py``; this module decides the evidence.

Portraits: the paper calls a photo a portrait when the central 2/3 of it
holds a face wider than a threshold times the photo's width, the threshold
(0.05) being the smallest portrait face in four users' galleries. It wanted
every portrait on the phone and did not mind extra photos (they were only
kept off the server). Here a private photo is kept out of stories, so extra
photos cost the user their people photos, and 0.05 of the width is the face
of a person standing full-length in a landscape photo. Measured on the 216
decodable photos of ../shared/photos, HOG faces (tests/bench/bench_privacy.py):

- the paper's rule (``PAPER_PORTRAIT``: width >= 0.05 of the photo's width,
  centre in the central 2/3): 27 of the 28 photos with a face, among them a
  wedding couple far away (exif-org/canon-ixus), a party (kodak-dc210), a
  woman standing on a beach (sony-cybershot), a shop scene (sony-d700),
  three people waving on a stage (obama_and_biden), the bartender behind a
  counter of beer taps (immich albums/text/craft-beer) and the
  two-scientist scene of immich's metadata/faces (twice);
- ``DEFAULT_PORTRAIT`` (width >= 0.2 of the short side, centre in the
  central 2/3 across and between 0.08 and 0.75 down, at most two faces at
  least half as wide as the largest): 19 photos, none of the 8 above: 15
  photos of one person's face or upper body, the red-carpet couple
  (kit_with_rose, 0.22), two full-length official portraits (obama3 0.21;
  biden 0.35: tall frames, where the short side is the width), a web banner
  with a woman's face (image00971) and an 88x64 thumbnail of a child's face.
  0.15 flags the same 19 here (no largest face falls between 0.15 and 0.2:
  the scenes stop at 0.149, the beer-tap bartender is 0.132, the
  scientists 0.129); 0.1 adds the party, the bartender and the scientists
  (23); 0.25 loses kit_with_rose, a film still of one man (john1, 0.21) and
  obama3 (16). Relative to the short side, the same framing scores the same
  in portrait and landscape orientation; the face's height is left out as
  the HOG box is square.

The face may sit high (head-and-shoulders framing puts the eyes at the
upper third; the official portraits here have their face centres at 0.17
to 0.25 down), hence the vertical band. A group photo is not a portrait:
more than ``max_faces`` faces at least half as wide as the largest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Optional, Sequence

from .doctext import classify_text
from .text import TextEvidence

DOC_MIN_LINES, DOC_MIN_CHARS = 4, 16
# With a prominent face the photo is about people: a page of writing must
# then cover much of it (a red-carpet backdrop full of logos is not a
# document). Identity cards carry a face, so the other kinds ignore faces.
PROMINENT_FACE_WIDTH = 0.08
DOC_WITH_FACE_MIN_AREA = 0.15
SCREENSHOT_NAME = re.compile(r"screen ?shot|bildschirmfoto|capture d.?[eé]cran|captura de pantalla|schermata|скриншот",
                             re.I)

Box = tuple[float, float, float, float]  # normalized x0, y0, x1, y1 in the upright image


@dataclass(frozen=True)
class PortraitRule:
    """A face at least ``min_face`` wide (relative to the image's ``short``
    side, or its ``width`` as in the paper), its centre within ``x_band``
    across and ``y_band`` down, and at most ``max_faces`` faces at least half
    as wide as the largest (None: any number, as in the paper)."""

    min_face: float = 0.2
    relative_to: Literal["short", "width"] = "short"
    x_band: tuple[float, float] = (1 / 6, 5 / 6)
    y_band: tuple[float, float] = (0.08, 0.75)
    max_faces: Optional[int] = 2


DEFAULT_PORTRAIT = PortraitRule()
# The paper's rule, kept as an option: any face >= 0.05 of the photo's width
# in its central 2/3.
PAPER_PORTRAIT = PortraitRule(min_face=0.05, relative_to="width", x_band=(1 / 6, 5 / 6), y_band=(1 / 6, 5 / 6),
                              max_faces=None)
PORTRAIT_MIN_FACE_WIDTH = PAPER_PORTRAIT.min_face  # the paper's value (earlier name)


def document_kind(text: TextEvidence, face_widths: Sequence[float] = ()) -> Optional[str]:
    """The kind of personal document (``doctext.KIND_WORDS``) the photo's
    recognized text makes it, or None."""
    if text.lines < 2 or text.chars < DOC_MIN_CHARS:
        return None
    kind = classify_text(text.texts)
    if kind == "page" and face_widths and max(face_widths) >= PROMINENT_FACE_WIDTH \
            and text.area < DOC_WITH_FACE_MIN_AREA:
        return None
    return kind


def is_document(text: TextEvidence, face_widths: Sequence[float] = ()) -> bool:
    return document_kind(text, face_widths) is not None


# The reason a private photo gives, per document kind (doctext.classify_text).
KIND_REASON = {"identity": "identity_document", "bank": "bank_document", "medical": "medical_document",
               "address": "address_document", "receipt": "receipt", "page": "page_of_writing"}


# A PNG without a camera is a screenshot when it reads like a screen: six or
# more lines of text (menus, messages, a web page). At three lines a road
# sign saved as PNG (../shared/photos/text/easyocr/korean.png, 4 lines)
# counted as one (tests/bench/bench_privacy.py --labelled).
SCREENSHOT_MIN_LINES = 6


def is_screenshot(filename: str, fmt: Optional[str], camera_make: Optional[str], text: TextEvidence) -> bool:
    if SCREENSHOT_NAME.search(filename or ""):
        return True
    return (fmt or "").upper() == "PNG" and not camera_make and text.lines >= SCREENSHOT_MIN_LINES


def face_sizes(boxes: Sequence[Box], image_size: Optional[tuple[int, int]],
               relative_to: str = "short") -> list[float]:
    """Each face's width relative to the image's short side (or width).
    ``image_size``: the upright (width, height); unknown: taken as square."""
    scale = 1.0
    if relative_to == "short" and image_size and min(image_size) > 0:
        scale = image_size[0] / min(image_size)
    return [(x1 - x0) * scale for x0, _, x1, _ in boxes]


def is_portrait(boxes: Sequence[Box], image_size: Optional[tuple[int, int]] = None,
                rule: PortraitRule = DEFAULT_PORTRAIT) -> bool:
    """``boxes``: normalized (x0, y0, x1, y1) of the faces in the upright
    image of ``image_size`` (width, height)."""
    if not boxes:
        return False
    sizes = face_sizes(boxes, image_size, rule.relative_to)
    largest = max(sizes)
    if rule.max_faces is not None and sum(s >= largest / 2 for s in sizes) > rule.max_faces:
        return False  # a group
    for (x0, y0, x1, y1), size in zip(boxes, sizes):
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if (size >= rule.min_face - 1e-9 and rule.x_band[0] <= cx <= rule.x_band[1]
                and rule.y_band[0] <= cy <= rule.y_band[1]):
            return True
    return False


# -- close people --------------------------------------------------------------------
# The paper: a face "from rather large facial group (with, e.g., 5 photos made
# in at least 2 days)". Kept: 5 photos over 2 days. Days are counted from
# capture times only (a file's modification time, the scanner's last resort,
# says when it was copied, and a folder copied in one go would make a
# "day" of it); a person needs 5 photos with that content.
CLOSE_MIN_PHOTOS, CLOSE_MIN_DAYS = 5, 2
# But in a family library the family are the largest groups: every photo
# with one of them in it would be private, and with it the whole family
# album (and its story). So a photo is private for a close person only when
# that person is its subject: their face at least CLOSE_MIN_FACE of the short
# side (a half-length shot or closer; a full-length figure in a landscape
# photo is ~0.06-0.08), among the main faces (at least half as wide as the
# largest) and not in a group (at most CLOSE_MAX_FACES main faces). Group
# photos, scenes and people in the background stay shareable. In
# tests/test_privacy.py a family of three over three days: 15 photos with
# one of them, 6 private (the close-ups), where every one of the 15 was.
# On ../shared/photos (tests/bench/bench_privacy.py) one person is close
# (Obama: 8 contents, 3 capture days) and 9 of his 10 photos stay private
# (the tenth, three people waving on a stage, is a group).
CLOSE_MIN_FACE, CLOSE_MAX_FACES = 0.1, 2


def close_person_is_subject(faces: Sequence[tuple[Optional[int], float]], close: set[int]) -> bool:
    """``faces``: (person id or None, width relative to the short side) of
    every face of one photo; ``close``: the close people."""
    if not faces or not close:
        return False
    largest = max(size for _, size in faces)
    main = [(pid, size) for pid, size in faces if size >= largest / 2]
    if len(main) > CLOSE_MAX_FACES:
        return False
    return any(pid in close and size >= CLOSE_MIN_FACE for pid, size in main)

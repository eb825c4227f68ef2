"""Per-photo stage "privacy": text detection and the portrait test (after
"faces" and "embed", whose boxes and concepts it reads: from the same pass,
or from the catalog when they ran before). Close people are derived by the
catalog from the current people, so they need no stage work. The lines it
recognizes are also stored as the photo's words for the albums' event
evidence, so that albums never read a photo again.

Text detection is the cost (see ``text.py``): a photo whose ImageNet
concepts (from the embed stage, when it ran) are almost all animals, plants
and landscapes skips it (``NATURE_SKIP``); every other photo gets the fast
detection-only pass, and only the few with text boxes enough for a document
get recognition.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Optional

import numpy as np

from ..pipeline import Need, PhotoInput, PhotoStage
from . import rules
from .text import MIN_FAST_BOXES, NO_TEXT, TextEvidence, detect_text, find_text, might_be_document

log = logging.getLogger(__name__)

NAME = "privacy"
# 2: portraits by the face's size relative to the short side (rules.py); text
# recognized only after the fast detection pass found enough boxes.
# 3: documents by what their text says (doctext.py), the kind stored; every
# photo is assessed again (the user's overrides, a separate table, stay).
VERSION = 3
TEXT_SIDE = 1024  # long side given to the text detector (it scales the short side to 736)
PORTRAIT_RULE = rules.DEFAULT_PORTRAIT  # rules.PAPER_PORTRAIT for the paper's 0.05 of the width

CONCEPT_MODEL, CONCEPT_KIND = "effnet_lite0", "concepts"
NATURE_GROUPS = frozenset({
    "birds", "cats", "dogs", "fish", "horses & farm animals", "insects", "landscapes", "marine mammals",
    "plants & flowers", "reptiles & amphibians", "small creatures", "small mammals", "wild animals"})
TEXT_GROUPS = frozenset({"signs & text", "screens & devices"})
# Skip text detection when the concepts give nature at least this share and
# text-like things (menus, signs, screens...) almost none. On the 216 photos
# of ../shared/photos no document has more than 0.55 nature (a trail camera's
# deer with its data stamp; the four immich text photos <= 0.35), and the 20
# photos above 0.85 all have < 3 fast text boxes.
NATURE_SKIP, TEXT_CONCEPT_MAX = 0.85, 0.02
TEXT_NEED = Need("short", TEXT_SIDE, fit=TEXT_SIDE)  # as decode(target=1024) fitted to 1024 px


@lru_cache(maxsize=1)
def _group_masks() -> tuple[np.ndarray, np.ndarray]:
    from ..interest.profile import concept_groups

    groups = np.array(concept_groups())
    return np.isin(groups, list(NATURE_GROUPS)), np.isin(groups, list(TEXT_GROUPS))


def clearly_nature(concepts: Optional[np.ndarray]) -> bool:
    """Concepts (1000 ImageNet probabilities) say animals/plants/landscape."""
    if concepts is None or concepts.size != 1000:
        return False
    nature, text = _group_masks()
    return float(concepts[nature].sum()) >= NATURE_SKIP and float(concepts[text].sum()) < TEXT_CONCEPT_MAX


def _faces_from_catalog(catalog, content_hash: str, info: dict) -> tuple[list[tuple], Optional[tuple[int, int]]]:
    rows = catalog.query("SELECT x0, y0, x1, y1, full_w, full_h FROM faces WHERE content_hash = ?", (content_hash,))
    boxes = [tuple(r[:4]) for r in rows]
    size = next(((r[4], r[5]) for r in rows if r[4] and r[5]), None)
    if boxes and size is None and info.get("width") and info.get("height"):
        size = (info["width"], info["height"])  # the stored size: upright after a quarter turn
        orientation = catalog.query("SELECT orientation FROM photos WHERE id = ?", (info["id"],))
        if orientation and (orientation[0][0] or 1) in (5, 6, 7, 8):
            size = size[::-1]
    return boxes, size


def text_evidence(image_of, concepts: Optional[np.ndarray] = None,
                  screenshot_like: bool = False) -> tuple[TextEvidence, str]:
    """The text of one photo and how far it went: "skipped" (nature by its
    concepts: no pixels looked at), "fast" (too few boxes for a document) or
    "full". ``image_of()`` gives the photo fitted to 1024 px."""
    if clearly_nature(concepts):
        return NO_TEXT, "skipped"
    image = image_of()
    fast = detect_text(image)
    # A screenshot needs 3 recognized lines, a document 4: fewer boxes end it here
    # (one box less for a screenshot-like PNG).
    if not might_be_document(fast, MIN_FAST_BOXES - 1 if screenshot_like else MIN_FAST_BOXES):
        return fast, "fast"
    return find_text(image), "full"


def load(catalog, photos: list) -> dict:
    """Per content: capture info, face boxes and concepts from the catalog
    (used when "faces" / "embed" did not run in the same pass)."""
    concepts, has = catalog.feature_matrix(CONCEPT_MODEL, CONCEPT_KIND, [p.content_hash for p in photos])
    out = {}
    for i, p in enumerate(photos):
        info = catalog.capture_info(p.content_hash) or {}
        boxes, size = _faces_from_catalog(catalog, p.content_hash, info)
        out[p.content_hash] = {"info": info, "boxes": boxes, "size": size,
                               "concepts": concepts[i] if has[i] else None}
    return out


def assess(inp: PhotoInput) -> dict:
    loaded = inp.loaded or {}
    info = loaded.get("info") or {}
    faces = inp.upstream.get("faces")
    if faces is not None:
        boxes = [tuple(f.box) for f in faces["faces"]]
        size = tuple(faces["full_size"]) if boxes else None
    else:
        boxes, size = loaded.get("boxes") or [], loaded.get("size")
    embed = inp.upstream.get("embed")
    concepts = embed["concepts"] if embed is not None else loaded.get("concepts")
    screenshot_like = (info.get("format") or "").upper() == "PNG" and not info.get("camera_make")
    text, passes = text_evidence(inp.image, concepts, screenshot_like)
    kind = rules.document_kind(text, [b[2] - b[0] for b in boxes])
    return {"text": text, "passes": passes, "kind": kind,
            "screenshot": rules.is_screenshot(info.get("filename") or "", info.get("format"),
                                              info.get("camera_make"), text),
            "portrait": rules.is_portrait(boxes, size, PORTRAIT_RULE)}


def write(catalog, done: list) -> dict:
    from ..albums.words import READER

    counts = {"documents": 0, "screenshots": 0, "portraits": 0,
              "text_skipped": 0, "text_fast_only": 0, "text_recognized": 0}
    words = []
    for photo, r in done:
        text = r["text"]
        catalog.save_privacy(photo.content_hash, text_lines=text.lines, text_chars=text.chars, text_area=text.area,
                             document=r["kind"] is not None, screenshot=r["screenshot"], portrait=r["portrait"],
                             doc_kind=r["kind"])
        if text.lines > 0:
            words.append((photo.content_hash, "\n".join(t.replace("\n", " ") for t in text.texts)))
        counts["documents"] += r["kind"] is not None
        counts["screenshots"] += r["screenshot"]
        counts["portraits"] += r["portrait"]
        counts[{"skipped": "text_skipped", "fast": "text_fast_only", "full": "text_recognized"}[r["passes"]]] += 1
    if words:
        catalog.save_photo_words(words, READER)
    return counts


def finish(catalog, settings, progress, cancel) -> dict:
    return {"private": len(catalog.private_photos())}


STAGE = PhotoStage(NAME, VERSION, write=write, compute=assess, image=TEXT_NEED, reads=("faces", "embed"),
                   load=load, finish=finish,
                   description="private photos: personal documents, receipts, screenshots")

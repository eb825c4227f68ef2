"""The "privacy" stage: text detection and the portrait test for new photos
(after "faces", whose boxes it reads). Close people are derived by the
catalog from the current people, so they need no stage work.

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

from ..errors import DecodeError
from ..imaging.decode import decode, fit
from ..pipeline import Stage
from ..progress import ProgressMeter
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
CHUNK = 256  # photos whose concepts are read at once


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


def _faces(catalog, content_hash: str, info: dict) -> tuple[list[tuple], Optional[tuple[int, int]]]:
    rows = catalog.query("SELECT x0, y0, x1, y1, full_w, full_h FROM faces WHERE content_hash = ?", (content_hash,))
    boxes = [tuple(r[:4]) for r in rows]
    size = next(((r[4], r[5]) for r in rows if r[4] and r[5]), None)
    if boxes and size is None and info.get("width") and info.get("height"):
        size = (info["width"], info["height"])  # the stored size: upright after a quarter turn
        orientation = catalog.query("SELECT orientation FROM photos WHERE id = ?", (info["id"],))
        if orientation and (orientation[0][0] or 1) in (5, 6, 7, 8):
            size = size[::-1]
    return boxes, size


def text_evidence(path: str, max_megapixels: float, concepts: Optional[np.ndarray] = None,
                  screenshot_like: bool = False) -> tuple[TextEvidence, str]:
    """The text of one photo and how far it went: "skipped" (nature by its
    concepts), "fast" (too few boxes for a document) or "full"."""
    if clearly_nature(concepts):
        return NO_TEXT, "skipped"
    image = fit(decode(path, name=path, target=TEXT_SIDE, max_megapixels=max_megapixels), TEXT_SIDE)
    fast = detect_text(image)
    # A screenshot needs 3 recognized lines, a document 4: fewer boxes end it here.
    if not might_be_document(fast, 2 if screenshot_like else MIN_FAST_BOXES):
        return fast, "fast"
    return find_text(image), "full"


def assess_photo(catalog, photo, max_megapixels: float, concepts: Optional[np.ndarray] = None) -> dict:
    info = catalog.capture_info(photo.content_hash) or {}
    boxes, size = _faces(catalog, photo.content_hash, info)
    screenshot_like = (info.get("format") or "").upper() == "PNG" and not info.get("camera_make")
    text, passes = text_evidence(photo.path, max_megapixels, concepts, screenshot_like)
    kind = rules.document_kind(text, [b[2] - b[0] for b in boxes])
    document = kind is not None
    screenshot = rules.is_screenshot(info.get("filename") or "", info.get("format"), info.get("camera_make"), text)
    portrait = rules.is_portrait(boxes, size, PORTRAIT_RULE)
    catalog.save_privacy(photo.content_hash, text_lines=text.lines, text_chars=text.chars, text_area=text.area,
                         document=document, screenshot=screenshot, portrait=portrait, doc_kind=kind)
    return {"document": document, "kind": kind, "screenshot": screenshot, "portrait": portrait, "text": text.to_json(),
            "passes": passes}


def run(catalog, settings, progress, cancel) -> dict:
    todo = catalog.photos_needing_stage(NAME, VERSION)
    meter = ProgressMeter("privacy", progress, total=len(todo))
    counts = {"documents": 0, "screenshots": 0, "portraits": 0, "failed": 0,
              "text_skipped": 0, "text_fast_only": 0, "text_recognized": 0}
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start:start + CHUNK]
        concepts, has = catalog.feature_matrix(CONCEPT_MODEL, CONCEPT_KIND, [p.content_hash for p in chunk])
        for i, photo in enumerate(chunk):
            cancel.raise_if_cancelled()
            try:
                found = assess_photo(catalog, photo, settings.prefs.max_megapixels,
                                     concepts[i] if has[i] else None)
                counts["documents"] += found["document"]
                counts["screenshots"] += found["screenshot"]
                counts["portraits"] += found["portrait"]
                counts[{"skipped": "text_skipped", "fast": "text_fast_only", "full": "text_recognized"}[
                    found["passes"]]] += 1
                catalog.mark_stage([photo.content_hash], NAME, VERSION)
            except DecodeError as exc:
                counts["failed"] += 1
                catalog.mark_stage([photo.content_hash], NAME, VERSION, "failed", str(exc))
            except Exception as exc:  # noqa: BLE001 - one bad photo must not stop the stage
                log.warning("privacy: %s failed: %s", photo.display_path, exc)
                counts["failed"] += 1
                catalog.mark_stage([photo.content_hash], NAME, VERSION, "failed", f"{type(exc).__name__}: {exc}")
            meter.advance(message=photo.display_path[-60:])
    private = len(catalog.private_photos())
    return {"photos": len(todo), **counts, "private": private}


STAGE = Stage(NAME, run, after=("faces",), description="private photos: personal documents, receipts, screenshots")

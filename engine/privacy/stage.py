"""The "privacy" stage: text detection and the portrait test for new photos
(after "faces", whose boxes it reads). Close people are derived by the
catalog from the current people, so they need no stage work."""

from __future__ import annotations

import logging

from ..errors import DecodeError
from ..imaging.decode import decode, fit
from ..pipeline import Stage
from ..progress import ProgressMeter
from . import rules
from .text import find_text

log = logging.getLogger(__name__)

NAME = "privacy"
VERSION = 1
TEXT_SIDE = 1024  # long side given to the text detector (it scales the short side to 736)


def assess_photo(catalog, photo, max_megapixels: float) -> dict:
    image = fit(decode(photo.path, name=photo.path, target=TEXT_SIDE, max_megapixels=max_megapixels), TEXT_SIDE)
    text = find_text(image)
    boxes = [r[:4] for r in catalog.query("SELECT x0, y0, x1, y1 FROM faces WHERE content_hash = ?",
                                          (photo.content_hash,))]
    info = catalog.capture_info(photo.content_hash) or {}
    document = rules.is_document(text, [b[2] - b[0] for b in boxes])
    screenshot = rules.is_screenshot(info.get("filename") or "", info.get("format"), info.get("camera_make"), text)
    portrait = rules.is_portrait(boxes)
    catalog.save_privacy(photo.content_hash, text_lines=text.lines, text_chars=text.chars, text_area=text.area,
                         document=document, screenshot=screenshot, portrait=portrait)
    return {"document": document, "screenshot": screenshot, "portrait": portrait, "text": text.to_json()}


def run(catalog, settings, progress, cancel) -> dict:
    todo = catalog.photos_needing_stage(NAME, VERSION)
    meter = ProgressMeter("privacy", progress, total=len(todo))
    counts = {"documents": 0, "screenshots": 0, "portraits": 0, "failed": 0}
    for photo in todo:
        cancel.raise_if_cancelled()
        try:
            found = assess_photo(catalog, photo, settings.prefs.max_megapixels)
            counts["documents"] += found["document"]
            counts["screenshots"] += found["screenshot"]
            counts["portraits"] += found["portrait"]
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


STAGE = Stage(NAME, run, after=("faces",), description="private photos: documents, portraits, close people")

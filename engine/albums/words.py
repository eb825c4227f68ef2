"""The words in an album's photos, for its event evidence.

The privacy stage reads text to find documents but keeps only counts (lines,
characters, area). The albums domain needs the words themselves ("Happy
Birthday" on a cake, "Congratulations graduates" on a banner), and only for
the photos the privacy stage found recognizable text in: those are read
again with the same OCR engine (rapidocr, offline, the privacy module's
loaded engine) and their confident lines stored per content
(``photo_words``). Photos without text cost nothing; a library where the
privacy stage did not run has no text evidence.
"""

from __future__ import annotations

import logging

from ..errors import DecodeError
from ..imaging.decode import decode, fit

log = logging.getLogger(__name__)

READER = "rapidocr-full-1024"
TEXT_SIDE = 1024          # the privacy stage's text pass reads this size
MIN_LINE_SCORE = 0.7      # its confidence bar for a recognized line
MAX_PHOTOS = 2000         # per run (one slow step must not hold the albums up for hours)


def read_lines(path: str, max_megapixels: float) -> list[str]:
    from ..privacy.text import _ocr, _lock, _rgb

    image = fit(decode(path, name=path, target=TEXT_SIDE, max_megapixels=max_megapixels), TEXT_SIDE)
    rgb = _rgb(image)
    engine = _ocr("full")
    with _lock:
        found = engine(rgb, use_det=True, use_cls=False, use_rec=True)
    lines = []
    for text, score in zip(found.txts or (), found.scores or ()):
        text = (text or "").strip()
        if score >= MIN_LINE_SCORE and len(text) >= 2:
            lines.append(text.replace("\n", " "))
    return lines


def update_photo_words(catalog, max_megapixels: float, cancel=None, progress=None) -> int:
    """Read the words of photos with recognized text that have none stored."""
    from ..progress import ProgressMeter, no_progress

    todo = catalog.photos_needing_words(READER)[:MAX_PHOTOS]
    meter = ProgressMeter("albums: words in photos", progress or no_progress, total=len(todo))
    done = []
    for content_hash, path in todo:
        if cancel is not None:
            cancel.raise_if_cancelled()
        meter.advance(1, path)
        try:
            done.append((content_hash, "\n".join(read_lines(path, max_megapixels))))
        except DecodeError as exc:
            done.append((content_hash, ""))
            log.info("albums: no words from %s: %s", path, exc)
        except Exception as exc:  # noqa: BLE001 - one photo's OCR failure leaves it without words
            log.warning("albums: reading the words of %s failed: %s", path, exc)
            done.append((content_hash, ""))
        if len(done) >= 10:
            catalog.save_photo_words(done, READER)
            done = []
    if done:
        catalog.save_photo_words(done, READER)
    return len(todo)

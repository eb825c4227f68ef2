"""Which photos are private, following the paper's three rules:

1. documents: photos of papers, receipts, notes, screens and signs found by
   text detection (the paper then classifies the recognized text as
   sensitive; no such classifier or data is available offline, so any
   photo dominated by text counts), and screenshots;
2. portraits: the central 2/3 of the photo holds a face wider than
   ``PORTRAIT_MIN_FACE_WIDTH`` of the photo's width (the paper measured 0.05
   on four users' galleries: it finds 98.5% of their portraits);
3. close people: a face of a person seen in many photos over several days
   (computed from the current people by the catalog, so it follows renames,
   merges and splits without re-running anything).

The user's override beats all three (``Catalog.set_private``).
"""

from __future__ import annotations

import re
from typing import Optional, Sequence

from .text import TextEvidence

PORTRAIT_MIN_FACE_WIDTH = 0.05
DOC_MIN_LINES, DOC_MIN_CHARS = 4, 16
# With a prominent face the photo is about people; the text must then
# dominate (a red-carpet backdrop full of logos is not a document).
PROMINENT_FACE_WIDTH = 0.08
DOC_WITH_FACE_MIN_LINES, DOC_WITH_FACE_MIN_CHARS, DOC_WITH_FACE_MIN_AREA = 8, 200, 0.15
SCREENSHOT_NAME = re.compile(r"screen ?shot|bildschirmfoto|capture d.?[eé]cran|captura de pantalla|schermata|скриншот",
                             re.I)


def is_document(text: TextEvidence, face_widths: Sequence[float] = ()) -> bool:
    if text.lines < DOC_MIN_LINES or text.chars < DOC_MIN_CHARS:
        return False
    if face_widths and max(face_widths) >= PROMINENT_FACE_WIDTH:
        return text.lines >= DOC_WITH_FACE_MIN_LINES and (
            text.chars >= DOC_WITH_FACE_MIN_CHARS or text.area >= DOC_WITH_FACE_MIN_AREA)
    return True


def is_screenshot(filename: str, fmt: Optional[str], camera_make: Optional[str], text: TextEvidence) -> bool:
    if SCREENSHOT_NAME.search(filename or ""):
        return True
    return (fmt or "").upper() == "PNG" and not camera_make and text.lines >= 3


def is_portrait(boxes: Sequence[tuple[float, float, float, float]],
                min_width: float = PORTRAIT_MIN_FACE_WIDTH) -> bool:
    """``boxes``: normalized (x0, y0, x1, y1) of the faces."""
    for x0, y0, x1, y1 in boxes:
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if 1 / 6 <= cx <= 5 / 6 and 1 / 6 <= cy <= 5 / 6 and x1 - x0 >= min_width:
            return True
    return False

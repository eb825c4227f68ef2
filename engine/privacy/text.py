"""Text in a photo (rapidocr on ONNX Runtime, offline; its PP-OCR models
ship inside the wheel, Apache-2.0).

Detection runs first (~0.3 s at 960 px on one CPU core); recognition only
when detection found several text lines, so most photos cost detection only.
Recognized lines count when their confidence is high, which filters the
texture that the detector mistakes for text in foliage and rocks.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import numpy as np
from PIL import Image

log = logging.getLogger(__name__)

MIN_LINES_FOR_RECOGNITION = 3
MIN_LINE_SCORE = 0.7

_engine = None
_lock = threading.Lock()


@dataclass(frozen=True)
class TextEvidence:
    boxes: int  # text lines the detector found
    lines: int  # lines recognized with confidence, 2+ characters
    chars: int  # characters in those lines
    area: float  # share of the image those lines cover

    def to_json(self) -> dict:
        return {"boxes": self.boxes, "lines": self.lines, "chars": self.chars, "area": round(self.area, 4)}


def _ocr():
    global _engine
    with _lock:
        if _engine is None:
            from rapidocr import RapidOCR

            # CPU only and quiet: the CUDA provider logs loudly where absent.
            _engine = RapidOCR(params={"Global.log_level": "error", "EngineConfig.onnxruntime.use_cuda": False})
            log.info("privacy: loaded rapidocr (ONNX Runtime, CPU)")
        return _engine


def _quad_area(quad) -> float:
    q = np.asarray(quad, np.float32)
    x, y = q[:, 0], q[:, 1]
    return float(0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


def find_text(image: Image.Image) -> TextEvidence:
    rgb = np.ascontiguousarray(np.asarray(image.convert("RGB")))
    engine = _ocr()
    with _lock:  # one inference at a time per process keeps memory flat
        det = engine(rgb, use_det=True, use_cls=False, use_rec=False)
    boxes = [] if det.boxes is None else list(det.boxes)
    if len(boxes) < MIN_LINES_FOR_RECOGNITION:
        return TextEvidence(len(boxes), 0, 0, 0.0)
    with _lock:
        full = engine(rgb, use_det=True, use_cls=False, use_rec=True)
    lines = chars = 0
    area = 0.0
    for quad, text, score in zip(full.boxes if full.boxes is not None else [], full.txts or (), full.scores or ()):
        text = text.strip()
        if score >= MIN_LINE_SCORE and len(text) >= 2:
            lines += 1
            chars += len(text)
            area += _quad_area(quad)
    return TextEvidence(len(boxes), lines, chars, min(area / (rgb.shape[0] * rgb.shape[1]), 1.0))

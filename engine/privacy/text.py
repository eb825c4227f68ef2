"""Text in a photo (rapidocr on ONNX Runtime, offline; its PP-OCR models
ship inside the wheel, Apache-2.0).

Detection (its short side scaled to 736 px) and recognition of what it found
run in one pass, ~0.5-1 s of CPU per photo on one core; photos without
text cost little more than detection (~0.5 s).
Recognized lines count when their confidence is high, which filters the
texture that the detector mistakes for text in foliage and rocks.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass

import numpy as np
from PIL import Image

log = logging.getLogger(__name__)

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
            _engine = RapidOCR(params={
                "Global.log_level": "error",
                "EngineConfig.onnxruntime.use_cuda": False,
                # Two threads: beyond that the small models gain little and
                # a busy machine loses much to spinning threads.
                "EngineConfig.onnxruntime.intra_op_num_threads": min(2, os.cpu_count() or 1),
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            })
            log.info("privacy: loaded rapidocr (ONNX Runtime, CPU)")
        return _engine


def _quad_area(quad) -> float:
    q = np.asarray(quad, np.float32)
    x, y = q[:, 0], q[:, 1]
    return float(0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


def find_text(image: Image.Image) -> TextEvidence:
    rgb = np.ascontiguousarray(np.asarray(image.convert("RGB")))
    engine = _ocr()
    # One pass: recognition costs little where detection found nothing, and
    # a second call would run detection again.
    with _lock:  # one inference at a time per process keeps memory flat
        found = engine(rgb, use_det=True, use_cls=False, use_rec=True)
    boxes = [] if found.boxes is None else list(found.boxes)
    lines = chars = 0
    area = 0.0
    for quad, text, score in zip(boxes, found.txts or (), found.scores or ()):
        text = text.strip()
        if score >= MIN_LINE_SCORE and len(text) >= 2:
            lines += 1
            chars += len(text)
            area += _quad_area(quad)
    return TextEvidence(len(boxes), lines, chars, min(area / (rgb.shape[0] * rgb.shape[1]), 1.0))

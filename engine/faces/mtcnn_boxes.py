"""Where MTCNN's boxes meet dlib's HOG geometry (``detect.FaceAnalyzer``'s
default detector): MTCNN's box of a face mapped onto the box HOG gives the
same face, a cut face's box grown to the whole face, and the constants of
HOG's confirming look. The geometry is medians over the 111 faces both
detectors find on ../shared/photos (tests/bench/bench_face_detectors.py)."""

from __future__ import annotations

import numpy as np

# MTCNN box -> the box dlib's HOG gives the same face (medians over the 111
# faces both find on ../shared/photos): HOG's square is 1.125 times MTCNN's
# width, its centre 0.024 widths right and 0.079 heights lower.
HOG_SIDE_PER_WIDTH, HOG_DX_PER_WIDTH, HOG_DY_PER_HEIGHT = 1.125, 0.024, 0.079


def hog_like_box(box) -> tuple[int, int, int, int]:
    """(left, top, right, bottom), right and bottom inclusive as dlib's."""
    x0, y0, x1, y1 = (float(v) for v in box[:4])
    w, h = x1 - x0, y1 - y0
    side = HOG_SIDE_PER_WIDTH * w
    cx = (x0 + x1) / 2 + HOG_DX_PER_WIDTH * w
    cy = (y0 + y1) / 2 + HOG_DY_PER_HEIGHT * h
    left, top = int(round(cx - side / 2)), int(round(cy - side / 2))
    size = max(1, int(round(side)))
    return left, top, left + size - 1, top + size - 1


HOG_CROP_FACE_PX = 120  # face width HOG's confirming look is given (its window: 80 px)
HOG_CONFIRM_IOU = 0.4  # a HOG box this close to MTCNN's mapped box is the same face
# MTCNN-only faces get a HOG-scale score whose hog_confidence is their mtcnn_confidence.
HOG_SCORE_AT_ZERO, HOG_SCORE_SPAN = -0.2, 1.2


def iou(a, b) -> float:
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


NOSE_BELOW_CENTRE = 0.076  # MTCNN's nose point lies this share of the box height below its centre
MTCNN_H_PER_W = 1.34  # height / width of MTCNN's boxes of whole faces (median, ../shared/photos)


def whole_face_box(box, points, width: int, height: int) -> np.ndarray:
    """MTCNN's box of a face cut off by the image border, grown to the whole
    face. MTCNN regresses such a box to the visible part (a face cut through
    the eye still gets a box 0.94 inside the photo), where dlib's HOG placed
    its window over the whole face. A face is about symmetric about its nose,
    so a side at the border is moved out to mirror the opposite side about
    the nose, but no further than the face's usual proportions allow (MTCNN
    boxes of whole faces are 1.34 times as tall as wide: the nose point of a
    cut face is itself squeezed towards the border). Faces away from the
    border are left as they are."""
    x0, y0, x1, y1 = (float(v) for v in box[:4])
    nx, ny = float(points[2][0]), float(points[2][1]) - NOSE_BELOW_CENTRE * (y1 - y0)
    w_max, h_max = (y1 - y0) / MTCNN_H_PER_W, (x1 - x0) * MTCNN_H_PER_W
    if x0 <= 1:
        x0 = max(min(x0, 2 * nx - x1), min(x0, x1 - w_max))
    if x1 >= width - 1:
        x1 = min(max(x1, 2 * nx - x0), max(x1, x0 + w_max))
    if y0 <= 1:
        y0 = max(min(y0, 2 * ny - y1), min(y0, y1 - h_max))
    if y1 >= height - 1:
        y1 = min(max(y1, 2 * ny - y0), max(y1, y0 + h_max))
    return np.array([x0, y0, x1, y1], np.float32)

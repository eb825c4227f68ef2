"""Local evidence that two photos show the same moment: keypoints under geometry.

A global embedding cannot tell a blurred copy of a shot (cosine 0.6-0.8)
from a different shot of the same place (0.7-0.8). Local features can: the
same moment shares many keypoints that one geometric transform maps onto
each other, whatever the exposure, colour, rotation or scale.

Per photo (cached per content hash, ``extract``):
- the grey image, equalised locally (CLAHE) so that a dark, bright or B&W
  copy gives the same structure; SIFT keypoints and descriptors (rotation
  and scale invariant) at two sizes: ``FINE`` px and ``COARSE`` px on the
  long side. The coarse level is the fallback for heavy blur: at 128 px a
  blur of a few percent of the width is under a pixel;
- a tiny normalised grey image (``PATCH`` px) for the dense check below.

Per pair (``compare``): ratio-test matches, a RANSAC homography on the level
with more inliers, then
- ``overlap_a``/``overlap_b``: the share of each frame that the other one
  shows (a crop shows all of itself in the original, a fraction of it);
- ``changed``: the share of the common area where the aligned tiny images
  disagree (a person stepping in, another person at the same spot).
``verdict`` turns the evidence into "redundant", "similar" or "different".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

VERSION = "kp-4"  # features-table kind; a change recomputes every photo's keypoints
FINE = 512
COARSE = 128
MAX_FINE = 256
MAX_COARSE = 96
PATCH = 64
BLUR = 1.5  # px at PATCH size, applied to both patches before comparing
CELL = 8
LCN = 6.0  # px at PATCH size: the neighbourhood of the local contrast normalisation
CHANGE_FACTOR = 2.5
CHANGE_MARGIN = 0.35
MAX_TYPICAL = 0.9  # median cell difference of unrelated frames is about 1.1
HEADER = 1  # header rows of the packed array
ROW = 4 + 128  # x, y as uint16 (2 bytes each) + the SIFT descriptor


@dataclass
class LocalFeatures:
    fine_xy: np.ndarray  # (n, 2) float32, in FINE-level pixels
    fine_desc: np.ndarray  # (n, 128) float32, RootSIFT
    coarse_xy: np.ndarray
    coarse_desc: np.ndarray
    size: tuple[int, int]  # (w, h) of the FINE-level image
    patch: np.ndarray  # (ph, pw) float32 grey at PATCH px, CLAHE-normalised
    hulls: dict = field(default_factory=dict, repr=False, compare=False)  # level -> area of all its keypoints

    def hull(self, level: str) -> float:
        """Area spanned by all the keypoints of one level (asked once per
        pair with geometry, computed once per photo)."""
        if level not in self.hulls:
            self.hulls[level] = _hull_area(self.coarse_xy if level == "coarse" else self.fine_xy)
        return self.hulls[level]


@dataclass
class Evidence:
    inliers: int
    level: str  # "fine" | "coarse" | ""
    overlap_a: float
    overlap_b: float
    changed: float
    homography: Optional[np.ndarray] = None

    def to_row(self) -> list[float]:
        return [self.inliers, self.overlap_a, self.overlap_b, self.changed]


# Thresholds chosen on the labelled development set (engine/series/devset.py).
MIN_INLIERS = 12  # fewer: no shared geometry
MIN_INLIERS_COARSE = 10
CONCLUSIVE_COARSE = 20  # coarse inliers that settle a pair without the fine level
REDUNDANT_MAX_OVERLAP = 0.80  # one frame (nearly) all inside the other
REDUNDANT_MIN_OVERLAP = 0.30  # and the other at least a third inside the first (crops)
REDUNDANT_MAX_CHANGED = 0.06  # share of the common area that may differ (negatives measured >= 0.11)
SIMILAR_MIN_OVERLAP = 0.10
MIN_SPREAD = 0.25  # inliers must span this share of the area the keypoints span


def _grey(image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.uint8)


def _resize(grey: np.ndarray, side: int) -> np.ndarray:
    import cv2

    h, w = grey.shape
    scale = side / max(h, w)
    if scale >= 1:
        return grey
    return cv2.resize(grey, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


def _equalise(grey: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(4, 4)).apply(grey)


def _sift(grey: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    import cv2

    sift = cv2.SIFT_create(nfeatures=limit, contrastThreshold=0.02)
    kps, desc = sift.detectAndCompute(grey, None)
    if desc is None or not kps:
        return np.zeros((0, 2), np.float32), np.zeros((0, 128), np.uint8)
    xy = np.array([k.pt for k in kps], np.float32)[:limit]
    return xy, np.clip(desc[:limit], 0, 255).astype(np.uint8)


def _patch(grey: np.ndarray) -> np.ndarray:
    small = _resize(grey, PATCH).astype(np.float32)
    return (small - small.mean()) / max(float(small.std()), 1.0)


def extract(image) -> np.ndarray:
    """The packed per-photo features (uint8 array: stored in the features table)."""
    import cv2

    cv2.setNumThreads(1)
    grey = _grey(image)
    fine = _equalise(_resize(grey, FINE))
    # The coarse level is blurred a little for every photo: a heavily blurred
    # copy then differs from its sharp original only by a small extra blur.
    coarse = cv2.GaussianBlur(_equalise(_resize(grey, COARSE)), (0, 0), 1.0)
    fxy, fd = _sift(fine, MAX_FINE)
    cxy, cd = _sift(coarse, MAX_COARSE)
    h, w = fine.shape
    ch, cw = coarse.shape
    patch = _patch(_resize(grey, PATCH))
    ph, pw = patch.shape
    header = np.zeros((HEADER, ROW), np.uint8)
    header[0, :16] = np.frombuffer(np.array([w, h, cw, ch, len(fxy), len(cxy), pw, ph], "<u2").tobytes(), np.uint8)
    rows = np.zeros((len(fxy) + len(cxy), ROW), np.uint8)
    xy = np.concatenate([fxy / [w, h], cxy / [cw, ch]]).astype(np.float64) if len(rows) else np.zeros((0, 2))
    rows[:, :4] = np.frombuffer(np.round(np.clip(xy, 0, 1) * 65535).astype("<u2").tobytes(), np.uint8).reshape(-1, 4)
    rows[:, 4:] = np.concatenate([fd, cd]) if len(rows) else rows[:, 4:]
    patch_bytes = np.clip(patch * 32 + 128, 0, 255).astype(np.uint8).reshape(-1)
    patch_rows = np.zeros((-(-len(patch_bytes) // ROW), ROW), np.uint8)
    patch_rows.reshape(-1)[:len(patch_bytes)] = patch_bytes
    return np.concatenate([header, rows, patch_rows])


def _root(desc: np.ndarray) -> np.ndarray:
    d = desc.astype(np.float32)
    d /= np.maximum(d.sum(axis=1, keepdims=True), 1e-6)
    return np.sqrt(d)


def unpack(packed: np.ndarray) -> LocalFeatures:
    packed = np.asarray(packed, np.uint8)
    w, h, cw, ch, nf, nc, pw, ph = np.frombuffer(packed[0, :16].tobytes(), "<u2").astype(int)
    rows = packed[HEADER:HEADER + nf + nc]
    xy = np.frombuffer(rows[:, :4].tobytes(), "<u2").reshape(-1, 2).astype(np.float32) / 65535
    patch = packed[HEADER + nf + nc:].reshape(-1)[:pw * ph].astype(np.float32).reshape(ph, pw)
    return LocalFeatures(xy[:nf] * [w, h], _root(rows[:nf, 4:]), xy[nf:] * [cw, ch], _root(rows[nf:, 4:]),
                         (int(w), int(h)), (patch - 128) / 32)


def _matches(da: np.ndarray, db: np.ndarray, ratio: float = 0.8) -> np.ndarray:
    """(k, 2) index pairs: mutual nearest neighbours passing Lowe's ratio test.

    RootSIFT vectors have unit length, so one matrix product gives every
    distance (|a - b|^2 = 2 - 2 a.b); the caller limits BLAS to one thread
    (these products are small, and threads only fight on a busy machine).
    The second best per row is the row's maximum once the best is masked
    (cheaper than a partition), and the mutual check looks only at the
    columns of rows that pass the ratio test (most rows of an unrelated
    pair do not): grouping calls this tens of thousands of times."""
    if len(da) < 2 or len(db) < 2:
        return np.zeros((0, 2), int)
    sim = da @ db.T
    rows = np.arange(len(da))
    best = sim.argmax(axis=1)
    first = sim[rows, best]
    sim[rows, best] = -np.inf
    second = sim.max(axis=1)
    sim[rows, best] = first
    d1 = np.sqrt(np.maximum(2 - 2 * first, 0))
    d2 = np.sqrt(np.maximum(2 - 2 * second, 0))
    passed = np.flatnonzero(d1 < ratio * d2)
    back = sim[:, best[passed]].argmax(axis=0) if len(passed) else passed
    ok = passed[back == passed]
    return np.stack([ok, best[ok]], axis=1)


def _homography(pa: np.ndarray, pb: np.ndarray, threshold: float) -> tuple[int, Optional[np.ndarray], np.ndarray]:
    import cv2

    none = (0, None, np.zeros(0, int))
    if len(pa) < 6:
        return none
    H, mask = cv2.findHomography(pa, pb, cv2.RANSAC, threshold, maxIters=200, confidence=0.99)
    if H is None or mask is None:
        return none
    # A degenerate fit (everything folded onto a line) is no evidence.
    if abs(np.linalg.det(H[:2, :2])) < 1e-3:
        return none
    inliers = np.flatnonzero(mask.ravel())
    return len(inliers), H, inliers


_GRID = np.stack([g.ravel() for g in np.meshgrid((np.arange(24) + 0.5) / 24, (np.arange(24) + 0.5) / 24)], axis=1)


def _inside(H: np.ndarray, size_from: tuple[int, int], size_to: tuple[int, int]) -> float:
    """Share of a grid of points of one frame that H maps inside the other."""
    import cv2

    pts = (_GRID * size_from).astype(np.float32).reshape(-1, 1, 2)
    try:
        out = cv2.perspectiveTransform(pts, H).reshape(-1, 2)
    except cv2.error:
        return 0.0
    wt, ht = size_to
    ok = np.isfinite(out).all(axis=1) & (out[:, 0] >= 0) & (out[:, 0] <= wt) & (out[:, 1] >= 0) & (out[:, 1] <= ht)
    return float(ok.mean())


def _overlap(H: np.ndarray, size_a: tuple[int, int], size_b: tuple[int, int]) -> tuple[float, float]:
    """(share of A shown in B, share of B shown in A) under A -> B."""
    try:
        inverse = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        return 0.0, 0.0
    return _inside(H, size_a, size_b), _inside(inverse, size_b, size_a)


def _hull_area(pts: np.ndarray) -> float:
    import cv2

    if len(pts) < 3:
        return 0.0
    return float(cv2.contourArea(cv2.convexHull(pts.astype(np.float32).reshape(-1, 1, 2))))


def _spread(inliers: np.ndarray, keypoints_area: float) -> float:
    """Area of the inliers' convex hull over that of all the photo's
    keypoints: evidence from one small region (a logo, one pasted person)
    says nothing of the rest of a textured frame."""
    return _hull_area(inliers) / max(keypoints_area, 1e-6)


def _changed(fa: LocalFeatures, fb: LocalFeatures, H: np.ndarray) -> float:
    """Share of the common area where the aligned tiny images disagree more
    than the rest of the frame does.

    Both patches are blurred alike, then compared cell by cell. Blur, noise,
    JPEG and exposure change every cell a little; a person who is not in the
    other shot changes a few cells a lot. A cell counts as changed when its
    difference stands out from the frame's typical (median) difference."""
    import cv2

    ph, pw = fb.patch.shape
    sa = np.diag([fa.patch.shape[1] / fa.size[0], fa.patch.shape[0] / fa.size[1], 1.0])
    sb = np.diag([pw / fb.size[0], ph / fb.size[1], 1.0])
    Hp = sb @ H @ np.linalg.inv(sa)  # patch A -> patch B
    warped = cv2.warpPerspective(fa.patch, Hp, (pw, ph), flags=cv2.INTER_LINEAR)
    valid = cv2.warpPerspective(np.ones_like(fa.patch), Hp, (pw, ph), flags=cv2.INTER_LINEAR) > 0.999
    w = valid.astype(np.float32)
    # Both patches as the two channels of one image: each blur is one call
    # (the same values as two, measured bit for bit; grouping makes tens of
    # thousands of these calls).
    both = _local_contrast(cv2.GaussianBlur(np.dstack([warped, fb.patch]), (0, 0), BLUR), valid, w)
    diff = np.abs(both[..., 0] - both[..., 1])
    diff[~valid] = 0
    cell_diff = cv2.blur(diff, (CELL, CELL))[CELL // 2::CELL // 2, CELL // 2::CELL // 2]
    cell_valid = cv2.blur(w, (CELL, CELL))[CELL // 2::CELL // 2, CELL // 2::CELL // 2] > 0.99
    cells = cell_diff[cell_valid]
    if cells.size < 4:
        return 1.0
    typical = float(np.median(cells))
    if typical > MAX_TYPICAL:
        return 1.0  # the frames disagree everywhere: the geometry fitted one small region
    return float(np.mean(cells > max(CHANGE_FACTOR * typical, typical + CHANGE_MARGIN)))


def _local_contrast(x: np.ndarray, valid: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Each pixel against its neighbourhood's mean and spread: a darker,
    brighter or more contrasted copy gives the same picture. ``x`` holds
    one image per channel, ``w`` is ``valid`` as float."""
    import cv2

    norm = np.maximum(cv2.GaussianBlur(w, (0, 0), LCN), 1e-3)[..., None]
    w = w[..., None]
    mean = cv2.GaussianBlur(x * w, (0, 0), LCN) / norm
    centred = (x - mean) * w
    spread = np.sqrt(cv2.GaussianBlur(centred ** 2, (0, 0), LCN) / norm)
    level = [0.1 * max(float(spread[..., c][valid].mean()) if valid.any() else 1.0, 1e-3) for c in range(x.shape[2])]
    return centred / (spread + np.array(level, np.float32))


def compare(fa: LocalFeatures, fb: LocalFeatures) -> Evidence:
    """The evidence for one pair. The coarse level first (cheap, and the one
    that survives blur); the fine level only when the coarse one is not
    conclusive (small details, strong crops)."""
    best = (0, None, "", 0.0)
    levels = {
        "coarse": (fa.coarse_xy, fa.coarse_desc, fb.coarse_xy, fb.coarse_desc, 2.0,
                   _level_scale(fa), _level_scale(fb), MIN_INLIERS_COARSE),
        "fine": (fa.fine_xy, fa.fine_desc, fb.fine_xy, fb.fine_desc, 5.0, 1.0, 1.0, MIN_INLIERS),
    }
    for level, (xa, da, xb, db, thr, scale_a, scale_b, minimum) in levels.items():
        m = _matches(da, db)
        # Inliers are a subset of the matches: too few matches to reach the
        # level's minimum or to beat the other level skip the RANSAC fit.
        if len(m) >= max(6, minimum) and len(m) > best[0]:
            n, H, inl = _homography(xa[m[:, 0]], xb[m[:, 1]], thr)
            if H is not None and n >= minimum and n > best[0]:
                spread = _spread(xb[m[inl, 1]], fb.hull(level))
                if level == "coarse":  # back to FINE-level pixels
                    H = np.diag([scale_b, scale_b, 1.0]) @ H @ np.diag([1 / scale_a, 1 / scale_a, 1.0])
                best = (n, H, level, spread)
        if best[0] >= CONCLUSIVE_COARSE and best[3] >= MIN_SPREAD:
            break  # plenty of evidence spread over the frame: the fine level cannot change the outcome
    n, H, level, spread = best
    if H is None:
        return Evidence(n, "", 0.0, 0.0, 1.0)
    ov_a, ov_b = _overlap(H, fa.size, fb.size)
    changed = _changed(fa, fb, H) if min(ov_a, ov_b) > 0 else 1.0
    if spread < MIN_SPREAD:
        changed = max(changed, 1.0 - spread)  # matches in one corner only: the rest is not shown to agree
    return Evidence(n, level, ov_a, ov_b, changed, H)


def _level_scale(f: LocalFeatures) -> float:
    return max(f.size) / min(COARSE, max(f.size)) if max(f.size) > COARSE else 1.0


def verdict(e: Evidence) -> str:
    """"redundant": the same moment and framing (one may be a crop);
    "similar": the same scene with other framing or content;
    "different": no shared geometry."""
    if e.inliers == 0 or max(e.overlap_a, e.overlap_b) < SIMILAR_MIN_OVERLAP:
        return "different"
    if max(e.overlap_a, e.overlap_b) >= REDUNDANT_MAX_OVERLAP and \
            min(e.overlap_a, e.overlap_b) >= REDUNDANT_MIN_OVERLAP and e.changed <= REDUNDANT_MAX_CHANGED:
        return "redundant"
    return "similar"

"""A labelled set of real photos for measuring series grouping.

Built from the real test photos in ``../shared/photos`` (not shipped with the
product; used by the benchmark and the tests). Labels were set by eye from
contact sheets:

- real near-duplicate groups: the two HDR on/off pairs, the eight EXIF
  orientation variants of one landscape and of one portrait shot, the Immich
  portrait and its orientation-6 copy, the same photos copied into several
  folders (el_torcal_rocks x3, obama, obama2 + its 32-bit PNG, biden), and the
  4 frames of the real burst ``bird_burst.heic`` (read frame by frame here;
  the catalog keeps one row per file);
- every other real photo is its own group (the GPS walk's nine street
  views of one outing included: different subjects, not one series);
- left out: synthetic gradients and flat colour test patterns (heif/heif,
  heif/non_heif, immich/metadata/dates), images under 64 px, and the two
  partial-face crops of obama.jpg (ambiguous);
- pairs between the landscape and the portrait crop of the same waterfall
  are ambiguous and not counted either way.

``simulated_series`` adds "one more shot" groups made from real photos:
small camera moves (shift, zoom, roll) and exposure changes, seconds apart.
"""

from __future__ import annotations

import fnmatch
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np
from PIL import Image, ImageEnhance

REAL_GROUPS: dict[str, list[str]] = {
    "hdr-canon": ["exif/jpg/hdr/canon_hdr_NO.jpg", "exif/jpg/hdr/canon_hdr_YES.jpg"],
    "hdr-iphone": ["exif/jpg/hdr/iphone_hdr_NO.jpg", "exif/jpg/hdr/iphone_hdr_YES.jpg"],
    "waterfall-landscape": [f"exif/jpg/orientation/landscape_{i}.jpg" for i in range(1, 9)],
    "waterfall-portrait": [f"exif/jpg/orientation/portrait_{i}.jpg" for i in range(1, 9)],
    "immich-portrait": ["immich/metadata/faces/portrait.jpg", "immich/metadata/faces/portrait-orientation-6.jpg"],
    "el-torcal": ["immich/albums/nature/el_torcal_rocks.jpg", "immich/formats/jpeg/el_torcal_rocks.jpeg",
                  "immich/formats/jpg/el_torcal_rocks.jpg"],
    "obama": ["faces/knn_examples/train/obama/obama.jpg", "faces/test_images/obama.jpg"],
    "obama2": ["faces/knn_examples/train/obama/obama2.jpg", "faces/test_images/obama2.jpg",
               "faces/test_images/32bit.png"],
    "biden": ["faces/knn_examples/train/biden/biden.jpg", "faces/test_images/biden.jpg"],
}
# Groups whose cross pairs are ambiguous (same scene, very different crop).
FAMILIES = {"waterfall-landscape": "waterfall", "waterfall-portrait": "waterfall"}
BURST = ("heif/heif_other/nokia/bird_burst.heic", "bird-burst")
EXCLUDED = ["heif/heif/*", "heif/non_heif/*", "immich/metadata/dates/*", "immich/metadata/xmp/dates/*",
            "faces/test_images/obama_partial_face*", "*/xmp.*", "*.txt", "*.md", "*.json", "*.xmp"]
MIN_SIDE = 64
MIN_STD = 8.0  # flat test patterns (a blue square) are not photos


@dataclass
class LabelledItem:
    label: str  # group label; unique per ungrouped photo
    rel: str  # path under the photos root (or a made-up name for frames/simulations)
    image: Optional[Image.Image] = None
    family: Optional[str] = None


@dataclass
class PairScore:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int
    counted_pairs: int
    false_links: list = field(default_factory=list)
    missed_links: list = field(default_factory=list)


def label_of(rel: str) -> Optional[str]:
    """The group label of a real photo, None when it is left out."""
    if any(fnmatch.fnmatch(rel, pat) for pat in EXCLUDED):
        return None
    for label, members in REAL_GROUPS.items():
        if rel in members:
            return label
    if rel == BURST[0]:
        return BURST[1]
    return f"single:{rel}"


def is_photo_like(image: Image.Image) -> bool:
    if min(image.size) < MIN_SIDE:
        return False
    grey = np.asarray(image.convert("L").resize((64, 64)), dtype=np.float32)
    return float(grey.std()) >= MIN_STD


def burst_frames(path: Path) -> list[Image.Image]:
    """Every frame of a multi-image HEIF, upright RGB."""
    from ..imaging.decode import decode

    frames = []
    with Image.open(path) as im:
        count = getattr(im, "n_frames", 1)
    for index in range(count):
        frames.append(decode(str(path), name=str(path), frame=index))
    return frames


def _variant(image: Image.Image, rng: random.Random) -> Image.Image:
    """One more shot of the same scene: a small camera move and exposure change."""
    w, h = image.size
    zoom = rng.uniform(0.86, 1.0)
    cw, ch = w * zoom, h * zoom
    cx = w / 2 + rng.uniform(-0.06, 0.06) * w
    cy = h / 2 + rng.uniform(-0.06, 0.06) * h
    cx = min(max(cx, cw / 2), w - cw / 2)
    cy = min(max(cy, ch / 2), h - ch / 2)
    out = image.rotate(rng.uniform(-2.5, 2.5), resample=Image.Resampling.BILINEAR)
    out = out.crop((int(cx - cw / 2), int(cy - ch / 2), int(cx + cw / 2), int(cy + ch / 2))).resize((w, h))
    return ImageEnhance.Brightness(out).enhance(rng.uniform(0.8, 1.2))


def simulated_series(sources: list[tuple[str, Image.Image]], per_group: int = 3,
                     seed: int = 0) -> list[LabelledItem]:
    rng = random.Random(seed)
    out = []
    for rel, image in sources:
        label = f"sim:{rel}"
        for k in range(per_group):
            out.append(LabelledItem(label, f"{rel}#shot{k}", _variant(image, rng)))
    return out


def pair_scores(labels: dict[int, str], predicted: dict[int, int], families: dict[int, Optional[str]]) -> PairScore:
    """Pairwise precision and recall: a pair counts as linked when both items
    are in the same predicted group. Pairs within one family but different
    labels are ambiguous and skipped."""
    ids = sorted(labels)
    tp = fp = fn = true_pairs = pred_pairs = counted = 0
    false_links, missed = [], []
    for a_pos, a in enumerate(ids):
        for b in ids[a_pos + 1:]:
            same_truth = labels[a] == labels[b]
            fam_a, fam_b = families.get(a), families.get(b)
            if not same_truth and fam_a is not None and fam_a == fam_b:
                continue
            counted += 1
            same_pred = a in predicted and predicted.get(a) == predicted.get(b)
            true_pairs += same_truth
            pred_pairs += same_pred
            if same_truth and same_pred:
                tp += 1
            elif same_pred:
                fp += 1
                false_links.append((a, b))
            elif same_truth:
                fn += 1
                missed.append((a, b))
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScore(precision, recall, f1, true_pairs, pred_pairs, counted, false_links, missed)

"""Sub-image features of real photos and their degraded copies (quality data).

``build_quality_dataset`` decodes each photo once at DEGRADE_SIDE (896 px on
the short side), makes a few degraded copies there (a seeded, rotating choice
of kinds so every kind is covered about equally), shrinks every version to
the working size the stage sees (640 px), cuts it into 4x4 sub-images and
runs the backbones. The degradations keep the strength they were defined at
(896 px, where the 224 px tiles of feature version 1 saw them 1:1), so the
labels do not get easier when the tiles get smaller: a blur of 1.5 px at
896 px is what both configurations are asked to notice (1.07 px once shrunk
to 640 px: subtle defects are harder to see at the smaller size, which the
held-out accuracy measures). Near-identical photos (the same picture saved
at several bit depths, say) share a ``group`` so cross-validation never puts
one in training and its twin in the held-out fold.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence

import numpy as np
from PIL import Image

from ..errors import DecodeError
from ..imaging.decode import IMAGE_EXTENSIONS
from ..progress import CancelToken, ProgressCallback, ProgressMeter, no_progress
from .backbones import BACKBONES, TileBackbone, stack_backbones, tile_features
from .degrade import KINDS, degrade
from .tiles import TILE, WORK_SIDE, cut_tiles, shrink_to_working, working_image

log = logging.getLogger(__name__)

DEGRADE_SIDE = 896  # the short side the degradations (degrade.py) are defined at


@dataclass
class QualityDataset:
    feats: np.ndarray      # (I, M, 16, D) float16, originals and copies
    mask: np.ndarray       # (I, M) backbones present
    photo: np.ndarray      # (I,) index into ``paths``
    kind: np.ndarray       # (I,) "original" or a degradation kind
    level: np.ndarray      # (I,) 0 original, 1 mild, 2 strong
    group: np.ndarray      # (P,) near-duplicate group of each photo
    paths: list[str]

    def save(self, path: Path) -> None:
        np.savez(path, feats=self.feats, mask=self.mask, photo=self.photo, kind=self.kind, level=self.level,
                 group=self.group, paths=np.array(self.paths))

    @classmethod
    def load(cls, path: Path) -> "QualityDataset":
        z = np.load(path, allow_pickle=False)
        return cls(z["feats"], z["mask"], z["photo"], z["kind"].astype(str), z["level"], z["group"],
                   [str(p) for p in z["paths"]])

    def pairs(self, photos: Optional[Iterable[int]] = None) -> np.ndarray:
        """(better, worse) image index pairs within each photo: the original
        over every copy, a mild copy over the strong one of the same kind."""
        wanted = None if photos is None else set(int(p) for p in photos)
        by_photo: dict[int, list[int]] = {}
        for i, p in enumerate(self.photo):
            if wanted is None or int(p) in wanted:
                by_photo.setdefault(int(p), []).append(i)
        out = []
        for items in by_photo.values():
            originals = [i for i in items if self.level[i] == 0]
            copies = [i for i in items if self.level[i] > 0]
            for o in originals:
                out += [(o, c) for c in copies]
            for a in copies:
                for b in copies:
                    if self.kind[a] == self.kind[b] and self.level[a] == 1 and self.level[b] == 2:
                        out.append((a, b))
        return np.array(out, dtype=np.int64).reshape(-1, 2)


def find_images(folders: Sequence[Path | str]) -> list[Path]:
    out = []
    for folder in folders:
        for root, _dirs, files in os.walk(folder):
            out += [Path(root) / f for f in sorted(files) if Path(f).suffix.lower() in IMAGE_EXTENSIONS]
    return sorted(out)


def average_hash(im: Image.Image) -> int:
    a = np.asarray(im.convert("L").resize((8, 8), Image.Resampling.BILINEAR), dtype=np.float32)
    bits = (a > a.mean()).reshape(-1)
    return int("".join("1" if b else "0" for b in bits), 2)


def near_duplicate_groups(hashes: Sequence[int], max_bits: int = 6) -> np.ndarray:
    """Union-find over photos whose 64-bit average hashes differ in at most
    ``max_bits`` bits."""
    parent = list(range(len(hashes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(hashes)):
        for j in range(i):
            if bin(hashes[i] ^ hashes[j]).count("1") <= max_bits:
                parent[find(i)] = find(j)
    roots = [find(i) for i in range(len(hashes))]
    remap = {r: k for k, r in enumerate(dict.fromkeys(roots))}
    return np.array([remap[r] for r in roots], np.int64)


def copy_plan(photo_index: int, seed: int) -> list[tuple[str, int]]:
    """Which copies a photo gets: both levels of one kind (the mild > strong
    pair), a mild copy of a second kind and a strong copy of a third."""
    rng = np.random.default_rng([seed, photo_index])
    kinds = [KINDS[(photo_index + k) % len(KINDS)] for k in (0, 3, 5)]
    rng.shuffle(kinds)
    return [(kinds[0], 1), (kinds[0], 2), (kinds[1], 1), (kinds[2], 2)]


def build_quality_dataset(paths: Sequence[Path], backbones: Sequence[TileBackbone], seed: int = 0,
                          max_side_megapixels: float = 178.9, progress: ProgressCallback = no_progress,
                          cancel: Optional[CancelToken] = None, tile: int = TILE,
                          side: int = WORK_SIDE) -> QualityDataset:
    """``tile``/``side``: the sub-image size and the working size (the
    stage's by default; the benchmark also builds feature version 1's)."""
    cancel = cancel or CancelToken()
    meter = ProgressMeter("quality data", progress, total=len(paths))
    feats, masks, photo, kind, level, hashes, kept = [], [], [], [], [], [], []
    for path in paths:
        cancel.raise_if_cancelled()
        try:
            im = working_image(str(path), max_side_megapixels, side=DEGRADE_SIDE)
        except (DecodeError, OSError) as exc:
            log.info("skipping %s: %s", path, exc)
            meter.advance(message=f"skipped {Path(path).name}")
            continue
        if min(im.size) < 32:
            meter.advance()
            continue
        p = len(kept)
        kept.append(str(path))
        hashes.append(average_hash(im))
        variants = [("original", 0, im)] + [(k, lv, degrade(im, k, lv, seed=seed * 1000 + p))
                                           for k, lv in copy_plan(p, seed)]
        tiles = [cut_tiles(shrink_to_working(v[2], side), tile) for v in variants]
        per_backbone = tile_features(tiles, backbones)
        f, m = stack_backbones(per_backbone, len(variants))
        feats.append(f.astype(np.float16))
        masks.append(m)
        for k, lv, _ in variants:
            photo.append(p)
            kind.append(k)
            level.append(lv)
        meter.advance(message=Path(path).name)
    meter.emit()
    if not kept:
        raise DecodeError("none of the given photos could be read")
    return QualityDataset(np.concatenate(feats), np.concatenate(masks), np.array(photo), np.array(kind),
                          np.array(level), near_duplicate_groups(hashes), kept)


__all__ = ["BACKBONES", "QualityDataset", "build_quality_dataset", "find_images", "near_duplicate_groups"]

"""Training the PAU series ranker (torch) on what is real and reachable here.

- Self-supervised pairs: a real photo is preferred over a copy of itself with
  a defect (``degrade.py``), and a mildly damaged copy over a badly damaged
  one; sources are split by photo, so held-out pairs come from photos the
  model never saw.
- Phototriage pair labels (``phototriage.py``) when a user has that dataset.
- The user's own series picks (``catalog.decisions("series_pick")``).

The backbone is frozen: its stage maps are computed once per image on ONNX
Runtime and cached in memory as float16; only the PAUs and the head train.
"""

from __future__ import annotations

import hashlib
import logging
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

import numpy as np
from PIL import Image

from ..analysis.backbone_runner import INPUT_SIZE, BackboneRunner, preprocess
from ..progress import CancelToken, ProgressCallback, ProgressMeter, no_progress
from . import heuristic
from .degrade import DEGRADATIONS, random_view, same_quality

TIE = "tie"  # pair kind of two equally good shots (target 0.5)

log = logging.getLogger(__name__)

STAGES = ("stage3", "stage4", "stage5")


@dataclass
class PairSet:
    """Images (as backbone stage maps) and labelled pairs (a preferred over b)."""

    maps: dict[str, np.ndarray] = field(default_factory=dict)  # stage -> (n, C, H, W) float16
    images: list[Image.Image] = field(default_factory=list)  # kept for the heuristic baseline
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (preferred, other)
    kinds: list[str] = field(default_factory=list)  # what distinguishes each pair
    weights: list[float] = field(default_factory=list)  # label confidence (votes), 1.0 for synthetic
    groups: list[int] = field(default_factory=list)  # pairs sharing images (one view); batched together

    def __len__(self) -> int:
        return len(self.pairs)

    @property
    def targets(self) -> np.ndarray:
        """Probability that the first photo of each pair is preferred."""
        return np.array([0.5 if k == TIE else 1.0 for k in self.kinds], np.float32)


def split_of(name: str, test_share: float = 0.25) -> str:
    """Deterministic train/test split by source photo."""
    h = int(hashlib.sha1(name.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if h < test_share else "train"


def degraded_pairs(sources: Sequence[tuple[str, Image.Image]], views: int, seed: int = 0,
                   kinds: Optional[Sequence[str]] = None):
    """Images, pairs, pair kinds and pair groups (one per view): clean > each
    defect, mild > severe of the same defect, and one tie (the clean view
    against an equally good near copy), which teaches the head to stay near
    0.5 when two shots are alike instead of inventing a preference."""
    rng = random.Random(seed)
    kinds = list(kinds or DEGRADATIONS)
    images: list[Image.Image] = []
    pairs: list[tuple[int, int]] = []
    labels: list[str] = []
    groups: list[int] = []
    view_id = -1
    for _, photo in sources:
        for _ in range(views):
            view_id += 1
            clean = random_view(photo, INPUT_SIZE, rng)
            ci = len(images)
            images.append(clean)
            for kind in kinds:
                images.append(DEGRADATIONS[kind](clean, rng.random(), rng))
                pairs.append((ci, len(images) - 1))
                labels.append(kind)
                groups.append(view_id)
            for kind in rng.sample(kinds, 2):
                mild = DEGRADATIONS[kind](clean, rng.uniform(0.0, 0.3), rng)
                severe = DEGRADATIONS[kind](clean, rng.uniform(0.6, 1.0), rng)
                images += [mild, severe]
                pairs.append((len(images) - 2, len(images) - 1))
                labels.append(f"{kind}:mild>severe")
                groups.append(view_id)
            images.append(same_quality(clean, rng))
            pairs.append((ci, len(images) - 1))
            labels.append(TIE)
            groups.append(view_id)
    return images, pairs, labels, groups


def stage_maps(runner: BackboneRunner, images: Sequence[Image.Image], progress: ProgressCallback = no_progress,
               cancel: Optional[CancelToken] = None, label: str = "backbone") -> dict[str, np.ndarray]:
    """Backbone stage maps for images, float16 to halve the memory."""
    out = {s: [] for s in STAGES}
    meter = ProgressMeter(label, progress, total=len(images))
    for start in range(0, len(images), 64):
        if cancel is not None:
            cancel.raise_if_cancelled()
        batch = np.stack([preprocess(im) for im in images[start:start + 64]])
        res = runner.run(batch, stages=True)
        for s in STAGES:
            out[s].append(res[s].astype(np.float16))
        meter.advance(len(batch))
    return {s: np.concatenate(v) if v else np.zeros((0,), np.float16) for s, v in out.items()}


def make_pair_set(runner: BackboneRunner, images: list[Image.Image], pairs, kinds, weights=None, groups=None,
                  progress: ProgressCallback = no_progress, cancel: Optional[CancelToken] = None) -> PairSet:
    return PairSet(stage_maps(runner, images, progress, cancel), images, list(pairs), list(kinds),
                   list(weights) if weights is not None else [1.0] * len(pairs),
                   list(groups) if groups is not None else list(range(len(pairs))))


# -- torch training ------------------------------------------------------------------
def _tensors(maps: dict[str, np.ndarray], idx: np.ndarray):
    import torch

    return [torch.from_numpy(maps[s][idx].astype(np.float32)) for s in STAGES]


def train_ranker(model, data: PairSet, epochs: int = 12, lr: float = 1e-3, batch: int = 96,
                 weight_decay: float = 1e-4, seed: int = 0, progress: ProgressCallback = no_progress,
                 cancel: Optional[CancelToken] = None, label: str = "train", threads: int = 1):
    """Cross-entropy on pair preferences (the paper's loss); both orders of
    each pair are shown. Images are encoded once per batch (tied streams).

    One torch thread by default: these small layers gain little from more,
    and on a busy machine extra threads spin and run several times slower."""
    import torch

    torch.set_num_threads(max(1, threads))
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    steps = max(1, epochs * int(np.ceil(len(data) / batch)))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    pairs = np.asarray(data.pairs, dtype=np.int64)
    weights = np.asarray(data.weights, dtype=np.float32)
    targets = data.targets
    meter = ProgressMeter(label, progress, total=steps)
    groups = np.asarray(data.groups if len(data.groups) == len(pairs) else range(len(pairs)))
    model.train()
    for _ in range(epochs):
        # Shuffle whole groups (the pairs of one view share their clean image),
        # so each image is encoded once per batch rather than once per pair.
        rank = rng.permutation(int(groups.max()) + 1 if len(groups) else 0)
        order = np.lexsort((rng.random(len(pairs)), rank[groups]))
        for start in range(0, len(order), batch):
            if cancel is not None:
                cancel.raise_if_cancelled()
            sel = order[start:start + batch]
            p = pairs[sel]
            flip = rng.random(len(p)) < 0.5  # show both orders: label 0 when flipped
            a = np.where(flip, p[:, 1], p[:, 0])
            b = np.where(flip, p[:, 0], p[:, 1])
            uniq, inv = np.unique(np.concatenate([a, b]), return_inverse=True)
            vectors = model.forward_features(*_tensors(data.maps, uniq))
            logits = model.forward_head(vectors[inv[:len(a)]], vectors[inv[len(a):]])
            t = targets[sel]
            target = torch.from_numpy(np.where(flip, 1.0 - t, t).astype(np.float32))
            w = torch.from_numpy(weights[sel])
            loss = (torch.nn.functional.binary_cross_entropy_with_logits(logits, target, reduction="none") * w).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            meter.advance(1, f"loss {loss.item():.3f}")
    model.eval()
    return model


def predict_pairs(model, data: PairSet, batch: int = 256) -> np.ndarray:
    """P(preferred member wins) for each pair."""
    import torch

    torch.set_num_threads(1)
    model.eval()
    vectors = []
    n = len(data.maps[STAGES[0]])
    with torch.no_grad():
        for start in range(0, n, batch):
            vectors.append(model.forward_features(*_tensors(data.maps, np.arange(start, min(n, start + batch)))))
        v = torch.cat(vectors) if vectors else torch.zeros(0)
        p = np.asarray(data.pairs, dtype=np.int64)
        if not len(p):
            return np.zeros(0)
        return torch.sigmoid(model.forward_head(v[p[:, 0]], v[p[:, 1]])).numpy()


def accuracy_report(correct: np.ndarray, kinds: Sequence[str], confidence: Optional[np.ndarray] = None) -> dict:
    """Accuracy over pairs with a preference, overall and per kind (a
    predicted tie counts as half right). Tie pairs have no right answer: for
    them ``tie_confidence`` is the mean of |2p - 1| (0 = undecided, as it
    should be; 1 = certain of a preference that is not there)."""
    kinds = list(kinds)
    decided = np.array([k != TIE for k in kinds], bool)
    c = np.asarray(correct, np.float64)
    out = {"pairs": int(decided.sum()),
           "accuracy": round(float(c[decided].mean()), 4) if decided.any() else None}
    per: dict[str, list[float]] = {}
    for value, k, d in zip(c, kinds, decided):
        if d:
            per.setdefault("mild>severe" if k.endswith("mild>severe") else k, []).append(float(value))
    out["by_kind"] = {k: round(float(np.mean(v)), 3) for k, v in sorted(per.items())}
    if confidence is not None and (~decided).any():
        out["tie_pairs"] = int((~decided).sum())
        out["tie_confidence"] = round(float(confidence[~decided].mean()), 3)
    return out


def model_accuracy(model, data: PairSet) -> dict:
    p = predict_pairs(model, data)
    return accuracy_report(np.where(p > 0.5, 1.0, np.where(p < 0.5, 0.0, 0.5)), data.kinds, np.abs(2 * p - 1))


def heuristic_accuracy(data: PairSet) -> dict:
    correct = np.array([heuristic.prefer(data.images[a], data.images[b]) for a, b in data.pairs])
    return accuracy_report(correct, data.kinds)


def collect_sources(roots: Iterable[Path], min_side: int = 200, max_side: int = 512,
                    exclude: Callable[[str], bool] = lambda rel: False) -> list[tuple[str, Image.Image]]:
    """Real photos under ``roots`` (decoded small), one per distinct picture."""
    from ..errors import DecodeError
    from ..imaging.decode import IMAGE_EXTENSIONS, decode
    from .realset import is_photo_like

    seen: set[bytes] = set()
    out = []
    for root in roots:
        root = Path(root)
        for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS):
            rel = str(path.relative_to(root))
            if exclude(rel):
                continue
            try:
                im = decode(str(path), name=str(path), target=max_side)
            except (DecodeError, OSError, ValueError):
                continue
            if min(im.size) < min_side or not is_photo_like(im):
                continue
            im.thumbnail((max_side, max_side), Image.Resampling.BICUBIC)
            key = np.asarray(im.convert("L").resize((16, 16)), np.uint8).tobytes()
            key = bytes(v // 32 for v in key)  # copies of one picture look alike at 16 px
            if key in seen:
                continue
            seen.add(key)
            out.append((f"{root.name}/{rel}", im.copy()))
    return out

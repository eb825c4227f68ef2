"""Training on the Visual Interest dataset (Soleymani 2015) when a user has it.

The dataset is not reachable here, so no shipped weights come from it; this
module lets a user who has it train the paper's affective dimensions and get
the paper's figures (five-fold R-squared, Pearson correlation and RMSE per
dimension, labels scaled to [-0.5, 0.5]).

Accepted layout: a folder holding the photos (any subfolders) and one CSV file
with a header row:

- ``image`` (or ``image_id`` / ``photo`` / ``filename``): the photo's file
  name, with or without extension;
- one column per dimension, named like the paper's (``complexity``,
  ``quality``, ``appeal``, ``naturalness``, ``pleasantness``, ``arousal``,
  ``familiarity``, ``coping_potential``, ``comprehensibility``,
  ``coherence``, ``excitingness``, ``general_interest``; case, spaces and
  hyphens do not matter): the 1-7 semantic-differential ratings;
- optionally ``annotator`` (or ``worker``/``rater``): one row per annotator
  and photo; rows of one photo are then averaged (``--labels mean``, the
  paper's better choice) or their median taken.

Ratings r are scaled as (r - 4) / 6, the paper's [-0.5, 0.5]. Training is the
paper's: MSE summed over the dimensions, Adam at 1e-3, dropout 0.5, batch 32,
up to 60 epochs with early stopping (patience 10) on a tenth of the training
fold.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from ..errors import PhotoOrgError
from ..models.interest import VISUAL_INTEREST_DIMENSIONS

IMAGE_COLUMNS = ("image", "image_id", "imageid", "photo", "filename", "file", "name")
ANNOTATOR_COLUMNS = ("annotator", "worker", "rater", "participant", "subject")


class LabelFormatError(PhotoOrgError):
    """The label file does not have the expected columns."""


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def read_labels(folder: Path, aggregate: str = "mean") -> tuple[list[Path], list[str], np.ndarray]:
    """(photo paths, dimension names, labels (n, K) on [-0.5, 0.5])."""
    from .dataset import find_images

    folder = Path(folder)
    csvs = sorted(folder.rglob("*.csv"))
    if not csvs:
        raise LabelFormatError(f"no CSV label file under {folder}")
    with open(csvs[0], newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        columns = {_norm(c): c for c in reader.fieldnames or []}
        rows = list(reader)
    image_col = next((columns[c] for c in IMAGE_COLUMNS if c in columns), None)
    if image_col is None:
        raise LabelFormatError(f"{csvs[0].name} has no image column (one of {', '.join(IMAGE_COLUMNS)})")
    dims = [d for d in VISUAL_INTEREST_DIMENSIONS if d in columns]
    if not dims:
        raise LabelFormatError(f"{csvs[0].name} has none of the dimension columns ({', '.join(VISUAL_INTEREST_DIMENSIONS)})")
    images = {p.stem: p for p in find_images([folder])}
    images.update({p.name: p for p in images.values()})
    ratings: dict[str, list[list[float]]] = {}
    for row in rows:
        key = row[image_col].strip()
        try:
            values = [float(row[columns[d]]) for d in dims]
        except (TypeError, ValueError):
            continue  # a missing rating: the row is left out
        ratings.setdefault(key, []).append(values)
    paths, labels = [], []
    for key, values in ratings.items():
        path = images.get(key) or images.get(Path(key).stem)
        if path is None:
            continue
        arr = np.array(values, np.float32)
        agg = np.median(arr, 0) if aggregate == "median" else arr.mean(0)
        paths.append(path)
        labels.append((agg - 4.0) / 6.0)
    if len(paths) < 10:
        raise LabelFormatError(f"only {len(paths)} labelled photos found in {folder} (need at least 10)")
    return paths, dims, np.array(labels, np.float32)


def regression_metrics(pred: np.ndarray, true: np.ndarray, dims: Sequence[str]) -> dict[str, dict[str, float]]:
    """The paper's R-squared (coefficient of determination), Pearson r and RMSE."""
    out = {}
    for k, d in enumerate(dims):
        p, t = pred[:, k].astype(np.float64), true[:, k].astype(np.float64)
        ss_res = float(((t - p) ** 2).sum())
        ss_tot = float(((t - t.mean()) ** 2).sum())
        r = float(np.corrcoef(p, t)[0, 1]) if p.std() > 0 and t.std() > 0 else 0.0
        out[d] = {"r2": round(1 - ss_res / ss_tot, 4) if ss_tot > 0 else 0.0, "pearson": round(r, 4),
                  "rmse": round(float(np.sqrt(((t - p) ** 2).mean())), 4)}
    return out


def train_regression(feats: np.ndarray, mask: np.ndarray, labels: np.ndarray, dims: Sequence[str], seed: int = 0,
                     epochs: int = 60, patience: int = 10, batch: int = 32, lr: float = 1e-3):
    """Multi-task training of every dimension at once (+ an untrained
    "user" head so the result can serve as the base model)."""
    import torch

    from .training import deterministic, feature_stats, new_model

    model = new_model((*dims, "user"), seed, num_backbones=feats.shape[1], feature_dim=feats.shape[-1])
    mean, std = feature_stats(feats, mask)
    model.feature_mean.copy_(torch.from_numpy(mean))
    model.feature_std.copy_(torch.from_numpy(std))
    k = len(dims)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(feats))
    n_val = max(1, len(feats) // 10)
    val, train = order[:n_val], order[n_val:]
    user = model.index("user")
    params = [p for n, p in model.named_parameters() if not n.startswith(f"secondary.{user}.") and not n.startswith(f"heads.{user}.")]
    y = torch.from_numpy(labels)
    best, best_state, waited = float("inf"), None, 0

    def loss_of(idx):
        raw, _, _ = model(torch.from_numpy(feats[idx].astype(np.float32)), torch.from_numpy(mask[idx].astype(np.float32)))
        return ((0.5 * torch.tanh(raw[:, :k]) - y[idx]) ** 2).mean(0).sum()  # summed over the dimensions

    with deterministic(seed) as gen:
        opt = torch.optim.Adam(params, lr=lr)
        for _epoch in range(epochs):
            model.train()
            perm = train[torch.randperm(len(train), generator=gen).numpy()]
            for s in range(0, len(perm), batch):
                loss = loss_of(perm[s:s + batch])
                opt.zero_grad()
                loss.backward()
                opt.step()
            model.eval()
            with torch.no_grad():
                v = float(loss_of(val))
            if v < best - 1e-6:
                best, waited = v, 0
                best_state = {n: t.clone() for n, t in model.state_dict().items()}
            else:
                waited += 1
                if waited >= patience:
                    break
    if best_state is not None:
        model.load_state_dict(best_state)
    return model.eval()


def cross_validate(feats: np.ndarray, mask: np.ndarray, labels: np.ndarray, dims: Sequence[str], folds: int = 5,
                   seed: int = 0, epochs: int = 60) -> dict:
    """Five-fold cross-validated metrics per dimension (pooled predictions)."""
    from .training import predict_raw

    rng = np.random.default_rng(seed)
    parts = np.array_split(rng.permutation(len(feats)), folds)
    pred = np.zeros_like(labels)
    for f, held in enumerate(parts):
        train = np.setdiff1d(np.arange(len(feats)), held)
        model = train_regression(feats[train], mask[train], labels[train], dims, seed + f, epochs)
        pred[held] = 0.5 * np.tanh(predict_raw(model, feats[held], mask[held])[:, :len(dims)])
    return {"folds": folds, "photos": int(len(feats)), "dimensions": regression_metrics(pred, labels, dims)}


def featurize(paths: Sequence[Path], backbones, progress=None, cancel=None) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Sub-image features of the labelled photos (unreadable ones left out:
    their indices are not in the returned list)."""
    from ..errors import DecodeError
    from ..progress import ProgressMeter, no_progress
    from .backbones import stack_backbones, tile_features
    from .tiles import cut_tiles, working_image

    meter = ProgressMeter("visual interest features", progress or no_progress, total=len(paths))
    feats, masks, kept = [], [], []
    for i, path in enumerate(paths):
        if cancel is not None:
            cancel.raise_if_cancelled()
        try:
            tiles = cut_tiles(working_image(str(path)))
        except (DecodeError, OSError):
            meter.advance()
            continue
        f, m = stack_backbones(tile_features([tiles], backbones), 1)
        feats.append(f.astype(np.float16))
        masks.append(m)
        kept.append(i)
        meter.advance()
    return np.concatenate(feats), np.concatenate(masks), kept


def quality_reference(model, feats: np.ndarray, mask: np.ndarray) -> Optional[dict]:
    from .training import predict_raw

    if "quality" not in model.dimensions:
        return None
    q = predict_raw(model, feats, mask)[:, model.index("quality")]
    return {"mean": float(q.mean()), "std": float(q.std() + 1e-6)}

"""Training the base model (primary attention + quality dimension) from a
quality dataset, with its held-out figures, and saving it with its meta."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np

from .dataset import QualityDataset


def train_base_from_dataset(ds: QualityDataset, out: Path, seed: int = 0, folds: int = 5,
                            epochs: Optional[int] = None, report: Optional[dict] = None,
                            features: Optional[dict] = None) -> dict:
    """Cross-validate (unless ``report`` is given), train on every photo and
    save. ``features``: the meta stamp of the dataset's features when they
    are not the stage's current ones (the benchmark's old configuration)."""
    from .model_store import save_weights
    from .training import QualityTraining, cross_validate_quality, predict_raw, train_quality

    config = QualityTraining(epochs=epochs) if epochs else QualityTraining()
    if report is None:  # (a caller that already cross-validated passes its report)
        report = cross_validate_quality(ds, folds=folds, seed=seed, config=config) if folds >= 2 else {}
    model = train_quality(ds, None, seed, config)
    originals = np.flatnonzero(ds.level == 0)
    q = predict_raw(model, ds.feats[originals], ds.mask[originals])[:, model.index("quality")]
    meta = {
        "trained_on": f"{len(ds.paths)} real photos and {int((ds.level > 0).sum())} degraded copies",
        "quality_reference": {"mean": float(q.mean()), "std": float(q.std() + 1e-6)},
        "quality_cross_validation": report,
        "training": {"seed": seed, "epochs": config.epochs, "lr": config.lr, "batch_pairs": config.batch_pairs},
    }
    if features is not None:
        meta["features"] = features
    save_weights(model, out, meta)
    return {**report, "weights": str(out)}

"""The training jobs behind ``photoorg train-series``.

- ``train_from_photos``: the shipped head. Self-supervised pairs from real
  photos (split by photo), PAU and the NA ablation trained with the same
  data and seed, and the sharpness/exposure heuristic, all measured on the
  same held-out pairs. Phototriage pairs are added when given.
- ``finetune_on_decisions``: the user's series picks; the active head is
  fine-tuned on part of them and the gain measured on the rest.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from ..analysis.backbone_runner import INPUT_SIZE, BackboneRunner
from ..errors import DecodeError, PhotoOrgError
from ..imaging.decode import decode
from ..progress import CancelToken, ProgressCallback, no_progress
from ..settings import Settings
from . import training
from .ranking import USER_HEAD, active_head, load_head, save_head

log = logging.getLogger(__name__)


def _new_model(attention: str):
    from ..models.pau import SeriesRanker

    return SeriesRanker(attention=attention)


def _phototriage_set(runner, root: Path, split: str, limit: Optional[int], progress, cancel) -> training.PairSet:
    from .phototriage import load_pairs

    labelled = load_pairs(root, split)[: limit or None]
    index: dict[Path, int] = {}
    images = []
    pairs, kinds, weights, groups = [], [], [], []
    series_ids: dict[str, int] = {}
    for lp in labelled:
        for path in (lp.preferred, lp.other):
            if path not in index:
                try:
                    im = decode(str(path), name=str(path), target=INPUT_SIZE)
                except DecodeError:
                    continue
                index[path] = len(images)
                images.append(im)
        if lp.preferred in index and lp.other in index:
            pairs.append((index[lp.preferred], index[lp.other]))
            kinds.append("phototriage")
            weights.append(float(lp.confidence))
            groups.append(series_ids.setdefault(lp.series, len(series_ids)))
    return training.make_pair_set(runner, images, pairs, kinds, weights, groups, progress, cancel)


def _merge(a: training.PairSet, b: training.PairSet) -> training.PairSet:
    if not len(a):
        return b
    offset = len(a.maps["stage3"])
    group_offset = max(a.groups, default=-1) + 1
    maps = {s: np.concatenate([a.maps[s], b.maps[s]]) for s in training.STAGES}
    return training.PairSet(maps, a.images + b.images, a.pairs + [(i + offset, j + offset) for i, j in b.pairs],
                            a.kinds + b.kinds, a.weights + b.weights, a.groups + [g + group_offset for g in b.groups])


def train_from_photos(settings: Settings, photo_roots: Sequence[Path], out: Path, *, epochs: int = 12,
                      views: int = 3, seed: int = 0, phototriage: Optional[Path] = None,
                      phototriage_limit: Optional[int] = None, exclude=None,
                      progress: ProgressCallback = no_progress, cancel: Optional[CancelToken] = None) -> dict:
    started = time.time()
    cancel = cancel or CancelToken()
    sources = training.collect_sources(photo_roots, exclude=exclude or (lambda rel: False))
    train_src = [s for s in sources if training.split_of(s[0]) == "train"]
    test_src = [s for s in sources if training.split_of(s[0]) == "test"]
    if len(train_src) < 4 or len(test_src) < 2:
        raise PhotoOrgError(f"too few usable photos to train on ({len(sources)} found under "
                            f"{', '.join(map(str, photo_roots))}; need at least 8 of 200 px or more)")
    runner = BackboneRunner(settings)
    images, pairs, kinds, groups = training.degraded_pairs(train_src, views, seed=seed)
    train = training.make_pair_set(runner, images, pairs, kinds, groups=groups, progress=progress, cancel=cancel)
    images, pairs, kinds, groups = training.degraded_pairs(test_src, max(1, views - 1), seed=seed + 1)
    test = training.make_pair_set(runner, images, pairs, kinds, groups=groups, progress=progress, cancel=cancel)
    triage_test = None
    if phototriage is not None:
        train = _merge(train, _phototriage_set(runner, phototriage, "train", phototriage_limit, progress, cancel))
        try:
            triage_test = _phototriage_set(runner, phototriage, "test", phototriage_limit, progress, cancel)
        except PhotoOrgError:
            triage_test = None
    report: dict = {
        "trained_on": {"photo_roots": [str(p) for p in photo_roots], "source_photos": len(sources),
                       "train_photos": len(train_src), "test_photos": len(test_src),
                       "train_pairs": len(train), "test_pairs": len(test), "views_per_photo": views,
                       "epochs": epochs, "seed": seed, "phototriage": str(phototriage) if phototriage else None},
        "held_out": {"heuristic": training.heuristic_accuracy(test)},
    }
    models = {}
    for name, attention in (("na", "none"), ("pau", "pau")):
        model = training.train_ranker(_new_model(attention), train, epochs=epochs, seed=seed, progress=progress,
                                      cancel=cancel, label=f"train {name}")
        models[name] = model
        report["held_out"][name] = training.model_accuracy(model, test)
        report["held_out"][name]["train_accuracy"] = training.model_accuracy(model, train)["accuracy"]
        if triage_test is not None:
            report.setdefault("phototriage_test", {})[name] = training.model_accuracy(model, triage_test)
    report["seconds"] = round(time.time() - started, 1)
    save_head(models["pau"], out, {"report": report})
    save_head(models["na"], out.with_name(out.stem + "_na" + out.suffix), {"report": report})
    report["head"] = str(out)
    return report


# -- learning from the user ---------------------------------------------------------
def decision_pairs(catalog) -> list[tuple[int, int, int]]:
    """(preferred photo, other photo, series id) from the user's series picks:
    the kept shot is preferred over every other member of its series (the
    model's previous pick first)."""
    out, seen = [], set()
    # Newest first: when the user changed their mind, the later pick wins a
    # pair both decisions speak about.
    for d in reversed(catalog.decisions("series_pick")):
        chosen, series_id = d["photo_id"], d["series_id"]
        others = []
        info = catalog.series_by_id(series_id) if series_id is not None else None
        if d.get("other_photo_id") and d["other_photo_id"] != chosen:
            others.append(d["other_photo_id"])
        if info is not None:
            others += [m.photo_id for m in info.members if m.photo_id != chosen]
        for other in dict.fromkeys(others):
            key = (chosen, other)
            if key not in seen and (other, chosen) not in seen:
                seen.add(key)
                out.append((chosen, other, series_id or 0))
    return out


def _held_out(series_id: int, share: float = 0.3) -> bool:
    return int(hashlib.sha1(str(series_id).encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share


def finetune_on_decisions(catalog, settings: Settings, *, epochs: int = 30, seed: int = 0, min_pairs: int = 4,
                          save_if_worse: bool = False, progress: ProgressCallback = no_progress,
                          cancel: Optional[CancelToken] = None) -> dict:
    pairs = decision_pairs(catalog)
    if len(pairs) < min_pairs:
        raise PhotoOrgError(f"only {len(pairs)} preference pairs from your series picks; pick the best shot of "
                            f"a few more series (at least {min_pairs} pairs) and run train-series again")
    series_ids = sorted({s for _, _, s in pairs})
    test_series = {s for s in series_ids if _held_out(s)}
    if not test_series:  # keep at least one series aside to measure on
        test_series = {series_ids[-1]}
    if len(test_series) == len(series_ids):
        test_series = set(series_ids[: max(1, len(series_ids) // 3)])
    photo_ids = sorted({p for a, b, _ in pairs for p in (a, b)})
    photos = {p.id: p for p in catalog.photos(ids=photo_ids)}
    index, images = {}, []
    for pid in photo_ids:
        photo = photos.get(pid)
        if photo is None:
            continue
        try:
            images.append(decode(photo.path, name=photo.path, target=INPUT_SIZE,
                                 max_megapixels=settings.prefs.max_megapixels))
            index[pid] = len(images) - 1
        except (DecodeError, OSError):
            continue
    usable = [(a, b, s) for a, b, s in pairs if a in index and b in index]
    train_p = [(index[a], index[b]) for a, b, s in usable if s not in test_series]
    test_p = [(index[a], index[b]) for a, b, s in usable if s in test_series]
    if not train_p or not test_p:
        raise PhotoOrgError("not enough readable photos in your series picks to both train and measure")
    runner = BackboneRunner(settings)
    maps = training.stage_maps(runner, images, progress, cancel)
    train = training.PairSet(maps, images, train_p, ["user"] * len(train_p), [1.0] * len(train_p),
                             list(range(len(train_p))))
    test = training.PairSet(maps, images, test_p, ["user"] * len(test_p), [1.0] * len(test_p),
                            list(range(len(test_p))))
    base_path = active_head(settings)
    model, meta = load_head(base_path)
    before = training.model_accuracy(model, test)["accuracy"]
    heuristic = training.heuristic_accuracy(test)["accuracy"]
    model = training.train_ranker(model, train, epochs=epochs, lr=3e-4, batch=32, seed=seed, progress=progress,
                                  cancel=cancel, label="fine-tune")
    after = training.model_accuracy(model, test)["accuracy"]
    report = {"decision_pairs": len(usable), "train_pairs": len(train_p), "held_out_pairs": len(test_p),
              "held_out_series": len(test_series), "started_from": str(base_path),
              "held_out_accuracy_before": before, "held_out_accuracy_after": after,
              "gain": round(after - before, 4), "heuristic_held_out_accuracy": heuristic}
    if after >= before or save_if_worse:
        target = settings.models_dir / USER_HEAD
        save_head(model, target, {"report": report, "base": meta.get("report")})
        report["saved"] = str(target)
    else:
        report["saved"] = None
        report["note"] = "the fine-tuned head was worse on your held-out picks; the current head is kept"
    return report

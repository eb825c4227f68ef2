"""Training the video model without CoVieW.

Segments are made from real photos the way a phone films them (a slow pan
over the scene, engine/video/synthetic_clips.py) and degraded the ways phone
video goes wrong: shaken, dark, out of focus, a camera left still on one view.
Each segment's scene and action targets are the zero-shot teacher's soft
labels of its clean frames (engine/video/teacher.py) - the same for its
degraded copies, since the content is the same; its importance target is high
for the clean version and low for the degraded ones (self-supervision).
Photos are split into training and held-out ones, so the reported figures
are on photos the model never saw.

``coview_segments(dir)`` trains on CoVieW 2019-style labels for users who have
them: per video a CSV of 5-second segments (``segment,scene,action,importance``,
importance 0-2) beside the video file; the model then predicts those labels.
The layout is the one the paper describes (5-second segments with scene,
action and importance); the challenge's own files were not available here to
check it against.
"""

from __future__ import annotations

import csv
import logging
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from .features import MAX_FRAMES, FrameFeatures, frame_features
from .synthetic_clips import _shot_frames, load_photo
from .teacher import action_labels, scene_labels, teacher_scores

log = logging.getLogger(__name__)

IMPORTANCE_TARGET = {"clean": 0.9, "static": 0.35, "shake": 0.15, "blur": 0.15, "dark": 0.1}
VARIANTS = tuple(IMPORTANCE_TARGET)


@dataclass
class SegmentSet:
    feats: FrameFeatures  # all frames
    index: list[np.ndarray]  # frame indices of each segment
    scene: np.ndarray  # (S, n_scenes) soft targets
    action: np.ndarray  # (S, n_actions)
    importance: np.ndarray  # (S,) 0..1
    group: np.ndarray  # (S,) the photo (or video) each segment comes from
    effect: list[str] = field(default_factory=list)


def synthetic_segments(photos: Sequence[str], runner, *, frames: int = 4, size: tuple[int, int] = (320, 180),
                       seed: int = 0, progress: Optional[Callable[[int, int], None]] = None) -> SegmentSet:
    rng = random.Random(seed)
    parts, index, imp, group, effects, clean_of = [], [], [], [], [], []
    offset = 0
    for p_i, path in enumerate(photos):
        try:
            photo = load_photo(path, max_side=640)
        except Exception as exc:  # noqa: BLE001 - an unreadable photo is simply not used
            log.info("skipping %s: %s", path, exc)
            continue
        arrays = []
        for effect in VARIANTS:
            arrays.extend(_shot_frames(photo, size, frames, effect, rng))
        f = frame_features(runner, np.stack(arrays))
        parts.append(f)
        clean_first = offset
        for k, effect in enumerate(VARIANTS):
            index.append(np.arange(offset + k * frames, offset + (k + 1) * frames))
            imp.append(IMPORTANCE_TARGET[effect])
            group.append(p_i)
            effects.append(effect)
            clean_of.append(clean_first)
        offset += len(arrays)
        if progress:
            progress(p_i + 1, len(photos))
    feats = FrameFeatures.concat(parts)
    clean_concepts = np.stack([feats.concepts[c:c + frames].mean(0) for c in clean_of])
    return SegmentSet(feats, index, teacher_scores(clean_concepts, "scene"), teacher_scores(clean_concepts, "action"),
                      np.asarray(imp, np.float32), np.asarray(group), effects)


def load_coview(folder: Path | str) -> list[dict]:
    """CoVieW 2019 labels: ``<video>.csv`` rows ``segment,scene,action,importance``
    (5-second segments; scene/action as class names or ids; importance 0-2).
    Returns one dict per segment with ``video``, ``start``, ``end``,
    ``scene``, ``action``, ``importance`` (0-1)."""
    rows = []
    for csv_path in sorted(Path(folder).rglob("*.csv")):
        with open(csv_path, newline="", encoding="utf-8") as fh:
            for r in csv.reader(fh):
                if not r or not r[0].strip().isdigit():
                    continue  # header
                seg = int(r[0])
                rows.append({"video": csv_path.stem, "start": 5.0 * seg, "end": 5.0 * (seg + 1),
                             "scene": r[1].strip(), "action": r[2].strip(),
                             "importance": min(1.0, max(0.0, float(r[3]) / 2.0))})
    return rows


VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".mkv", ".avi", ".webm")


def coview_segments(folder: Path | str, runner, reader=None,
                    progress: Optional[Callable[[int, int], None]] = None) -> tuple[SegmentSet, list[str], list[str]]:
    """Training segments from a CoVieW-style folder: each ``<video>.csv``
    beside its video file (any usual video suffix). Returns the set and the
    scene and action names found (the model then predicts those)."""
    from .reader import read_job

    rows = load_coview(folder)
    by_video: dict[str, list[dict]] = {}
    for r in rows:
        by_video.setdefault(r["video"], []).append(r)
    scenes = sorted({r["scene"] for r in rows})
    actions = sorted({r["action"] for r in rows})
    files = {p.stem: p for p in Path(folder).rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES}
    parts, index, imp, group, sc, ac, effects = [], [], [], [], [], [], []
    offset = 0
    for v_i, (video, segs) in enumerate(sorted(by_video.items())):
        path = files.get(video)
        if path is None:
            log.info("CoVieW labels of %s: no video file beside them", video)
            continue
        got = reader.read(str(path)) if reader is not None else read_job(str(path), None, 0.5, 600.0)
        if "skip" in got or got.get("frames") is None:
            log.info("CoVieW video %s skipped: %s", video, got.get("skip") or got.get("problems"))
            continue
        times = np.asarray(got["times"])
        feats = frame_features(runner, got["frames"])
        parts.append(feats)
        for seg in segs:
            inside = np.flatnonzero((times >= seg["start"]) & (times < seg["end"]))
            if not len(inside):
                continue
            pick = inside[np.linspace(0, len(inside) - 1, min(MAX_FRAMES, len(inside))).round().astype(int)]
            index.append(offset + np.unique(pick))
            imp.append(seg["importance"])
            group.append(v_i)
            sc.append(scenes.index(seg["scene"]))
            ac.append(actions.index(seg["action"]))
            effects.append("labelled")
        offset += len(times)
        if progress:
            progress(v_i + 1, len(by_video))
    if not parts:
        raise ValueError("no CoVieW video with labels could be read")
    eye_s, eye_a = np.eye(len(scenes), dtype=np.float32), np.eye(len(actions), dtype=np.float32)
    data = SegmentSet(FrameFeatures.concat(parts), index, eye_s[sc], eye_a[ac], np.asarray(imp, np.float32),
                      np.asarray(group), effects)
    return data, scenes, actions


def _split(groups: np.ndarray, held_out: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    uniq = np.unique(groups)
    rng = np.random.default_rng(seed)
    rng.shuffle(uniq)
    n_test = max(1, int(round(len(uniq) * held_out)))
    test_groups = set(uniq[:n_test].tolist())
    test = np.array([g in test_groups for g in groups])
    return np.flatnonzero(~test), np.flatnonzero(test)


def _tensors(data: SegmentSet, rows: np.ndarray):
    import torch

    from .features import segment_batch

    s, a, m, c = segment_batch(data.feats, [data.index[i] for i in rows], MAX_FRAMES)
    return (torch.from_numpy(s), torch.from_numpy(a), torch.from_numpy(m), torch.from_numpy(c),
            torch.from_numpy(data.scene[rows]), torch.from_numpy(data.action[rows]),
            torch.from_numpy(data.importance[rows]))


def evaluate(model, data: SegmentSet, rows: np.ndarray) -> dict:
    """Held-out figures: scene/action top-1 agreement with the teacher's label,
    importance pair accuracy (each clean segment against each degraded copy
    of the same photo, on the recalibrated score)."""
    import torch

    model.eval()
    with torch.no_grad():
        s, a, m, c, ys, ya, yi = _tensors(data, rows)
        out = model(s, a, m, c)
    scene_ok = (out["scene"].argmax(-1) == ys.argmax(-1)).float().mean().item()
    action_ok = (out["action"].argmax(-1) == ya.argmax(-1)).float().mean().item()
    imp = out["importance"].numpy()
    by_group: dict[int, dict[str, float]] = {}
    for k, r in enumerate(rows):
        by_group.setdefault(int(data.group[r]), {})[data.effect[r]] = float(imp[k])
    pairs = wins = 0
    per_effect: dict[str, list[int]] = {}
    for effects in by_group.values():
        if "clean" not in effects:
            continue
        for e, v in effects.items():
            if e == "clean":
                continue
            pairs += 1
            win = int(effects["clean"] > v)
            wins += win
            per_effect.setdefault(e, []).append(win)
    return {"segments": int(len(rows)), "scene_top1": round(scene_ok, 3), "action_top1": round(action_ok, 3),
            "importance_pair_accuracy": round(wins / pairs, 3) if pairs else None,
            "pair_accuracy_by_degradation": {e: round(float(np.mean(v)), 3) for e, v in sorted(per_effect.items())}}


def train(data: SegmentSet, *, epochs: int = 60, seed: int = 0, held_out: float = 0.2, lr: float = 1e-3,
          batch: int = 64, log_every: int = 0) -> tuple[object, dict]:
    import torch

    torch.manual_seed(seed)
    # One thread: the model is small and, on a busy 2-core machine, two
    # threads fighting over the cores are six times slower than one.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train(data, epochs, seed, held_out, lr, batch, log_every)
    finally:
        torch.set_num_threads(threads)


def _train(data: SegmentSet, epochs: int, seed: int, held_out: float, lr: float, batch: int, log_every: int):
    import torch
    from torch.nn import functional as F

    from ..models.video_mtn import VideoMTN, VideoMTNConfig

    train_rows, test_rows = _split(data.group, held_out, seed)
    cfg = VideoMTNConfig(n_scenes=data.scene.shape[1], n_actions=data.action.shape[1], max_frames=MAX_FRAMES)
    model = VideoMTN(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    s, a, m, c, ys, ya, yi = _tensors(data, train_rows)
    n = len(train_rows)
    gen = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(n, generator=gen)
        for start in range(0, n, batch):
            b = perm[start:start + batch]
            out = model(s[b], a[b], m[b], c[b])
            loss = (-(ys[b] * F.log_softmax(out["scene"], -1)).sum(-1).mean()
                    - (ya[b] * F.log_softmax(out["action"], -1)).sum(-1).mean()
                    + F.binary_cross_entropy_with_logits(out["importance_logit"], yi[b]))
            opt.zero_grad()
            loss.backward()
            opt.step()
        if log_every and (epoch + 1) % log_every == 0:
            log.info("epoch %d loss %.3f", epoch + 1, loss.item())
    metrics = {"train": evaluate(model, data, train_rows), "held_out": evaluate(model, data, test_rows),
               "photos_train": int(len(np.unique(data.group[train_rows]))),
               "photos_held_out": int(len(np.unique(data.group[test_rows]))), "epochs": epochs, "seed": seed}
    model.eval()
    return model, metrics


def save_model(model, metrics: dict, path: Path | str, scenes: Optional[list[str]] = None,
               actions: Optional[list[str]] = None) -> Path:
    import torch

    path = Path(path)
    torch.save({"config": model.cfg.to_json(), "state_dict": model.state_dict(), "scenes": scenes or scene_labels(),
                "actions": actions or action_labels(), "metrics": metrics, "version": 1}, path)
    return path


__all__ = ["IMPORTANCE_TARGET", "SegmentSet", "coview_segments", "evaluate", "load_coview", "save_model",
           "synthetic_segments", "train"]

"""Frame features for the video model: the packaged ImageNet backbone's
stage-4 (scene stream) and stage-5 (action stream) maps, pooled to a 3x3 grid,
its 1000 concepts (for the zero-shot teacher) and the pixel cues."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..analysis.backbone_runner import INPUT_SIZE, MEAN, STD
from .cues import frame_cues

GRID = 3
MAX_FRAMES = 8  # frames per segment the model looks at (the paper samples 32 of 25 fps)


@dataclass
class FrameFeatures:
    scene: np.ndarray  # (T, 9, 112) float32
    action: np.ndarray  # (T, 9, 320)
    concepts: np.ndarray  # (T, 1000)
    cues: np.ndarray  # (T, 5)

    def take(self, index) -> "FrameFeatures":
        return FrameFeatures(self.scene[index], self.action[index], self.concepts[index], self.cues[index])

    @classmethod
    def concat(cls, parts: list["FrameFeatures"]) -> "FrameFeatures":
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("scene", "action", "concepts", "cues")))


def adaptive_pool(maps: np.ndarray, grid: int = GRID) -> np.ndarray:
    """(N, C, H, W) -> (N, grid*grid, C) means over near-equal bins."""
    n, c, h, w = maps.shape
    ys = np.linspace(0, h, grid + 1).round().astype(int)
    xs = np.linspace(0, w, grid + 1).round().astype(int)
    out = np.empty((n, grid * grid, c), np.float32)
    for i in range(grid):
        for j in range(grid):
            out[:, i * grid + j] = maps[:, :, ys[i]:ys[i + 1], xs[j]:xs[j + 1]].mean(axis=(2, 3))
    return out


def preprocess_frames(frames: np.ndarray) -> np.ndarray:
    """(T, h, w, 3) uint8 -> (T, 3, 224, 224): the central square, as for photos."""
    out = np.empty((len(frames), 3, INPUT_SIZE, INPUT_SIZE), np.float32)
    for i, f in enumerate(frames):
        h, w = f.shape[:2]
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        im = Image.fromarray(f[top:top + side, left:left + side]).resize((INPUT_SIZE, INPUT_SIZE),
                                                                          Image.Resampling.BILINEAR)
        out[i] = ((np.asarray(im, np.float32) - MEAN) / STD).transpose(2, 0, 1)
    return out


def frame_features(runner, frames: np.ndarray) -> FrameFeatures:
    """Backbone (a BackboneRunner) over sampled frames."""
    if not len(frames):
        z = np.zeros((0,), np.float32)
        return FrameFeatures(z.reshape(0, 9, 112), z.reshape(0, 9, 320), z.reshape(0, 1000), z.reshape(0, 5))
    out = runner.run(preprocess_frames(frames), stages=True)
    return FrameFeatures(adaptive_pool(out["stage4"]), adaptive_pool(out["stage5"]),
                         out["concepts"].astype(np.float32), frame_cues(frames))


def pick_frames(first: int, last: int, k: int = MAX_FRAMES) -> np.ndarray:
    """Up to ``k`` evenly spread indices in [first, last)."""
    n = max(1, last - first)
    if n <= k:
        return np.arange(first, first + n)
    return np.unique(np.linspace(first, last - 1, k).round().astype(int))


def cue_stats(cues: np.ndarray) -> np.ndarray:
    """(T, 5) -> (15,): mean, min and max of each cue."""
    if not len(cues):
        return np.zeros(15, np.float32)
    return np.concatenate([cues.mean(0), cues.min(0), cues.max(0)]).astype(np.float32)


def segment_batch(feats: FrameFeatures, index_lists: list[np.ndarray], max_frames: int = MAX_FRAMES):
    """Pad segments to max_frames: (scene (B,N,Cs), action (B,N,Ca), mask (B,N), cue stats (B,15))."""
    b = len(index_lists)
    g = feats.scene.shape[1] if len(feats.scene) else GRID * GRID
    n = max_frames * g
    scene = np.zeros((b, n, feats.scene.shape[-1]), np.float32)
    action = np.zeros((b, n, feats.action.shape[-1]), np.float32)
    mask = np.zeros((b, n), np.float32)
    stats = np.zeros((b, 15), np.float32)
    for i, idx in enumerate(index_lists):
        idx = np.asarray(idx)[:max_frames]
        m = len(idx) * g
        scene[i, :m] = feats.scene[idx].reshape(m, -1)
        action[i, :m] = feats.action[idx].reshape(m, -1)
        mask[i, :m] = 1
        stats[i] = cue_stats(feats.cues[idx])
    return scene, action, mask, stats


__all__ = ["FrameFeatures", "GRID", "MAX_FRAMES", "adaptive_pool", "cue_stats", "frame_features", "pick_frames",
           "preprocess_frames", "segment_batch"]

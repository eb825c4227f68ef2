"""A synthetic library for timing the grouping at scale (benchmarks, tests).

Capture times follow outings: sessions spread over years, shots inside a
session separated by exponential gaps (about a minute), with bursts (a few
shots 0.3 s apart) and "one more shot" repeats (seconds later). Embeddings mix
a library-wide component, a session component, a scene component and shot
noise so that cosine similarities land where the real backbone's do: about
0.3 between unrelated photos, 0.5 within an outing, 0.83-0.95 within a scene.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .grouping import PhotoItem

DIM = 1280


@dataclass
class SyntheticLibrary:
    items: list[PhotoItem]
    scene_of: np.ndarray  # per item, the scene id (truth)
    true_groups: int  # scenes with at least two shots


def synthetic_library(n: int, seed: int = 0, dim: int = DIM) -> SyntheticLibrary:
    rng = np.random.default_rng(seed)
    times, scenes, sessions = [], [], []
    t = 1.4e9
    scene = session = 0
    while len(times) < n:
        t += rng.exponential(3 * 86400)  # next outing
        for _ in range(max(1, int(rng.poisson(40)))):
            t += rng.exponential(60)
            shots = 1
            r = rng.random()
            if r < 0.10:
                shots = int(rng.integers(3, 11))  # burst
                gaps = np.full(shots - 1, 0.3)
            elif r < 0.25:
                shots = int(rng.integers(2, 4))  # one more shot
                gaps = rng.uniform(3, 20, shots - 1)
            else:
                gaps = np.zeros(0)
            shot_times = t + np.concatenate([[0.0], np.cumsum(gaps)])
            t = float(shot_times[-1])
            times.extend(shot_times.tolist())
            scenes.extend([scene] * shots)
            sessions.extend([session] * shots)
            scene += 1
        session += 1
    times = np.array(times[:n])
    scenes = np.array(scenes[:n])
    sessions = np.array(sessions[:n])

    def unit_rows(count: int) -> np.ndarray:
        v = rng.standard_normal((count, dim), dtype=np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    common = unit_rows(1)[0]
    session_vecs = unit_rows(int(sessions.max()) + 1)
    scene_vecs = unit_rows(int(scenes.max()) + 1)
    noise_w = rng.uniform(0.05, 0.2, n).astype(np.float32)[:, None]
    emb = np.empty((n, dim), np.float16)
    for lo in range(0, n, 8192):  # rows in chunks keep the peak memory small
        hi = min(lo + 8192, n)
        rows = (np.sqrt(0.3) * common + np.sqrt(0.2) * session_vecs[sessions[lo:hi]]
                + np.sqrt(0.4) * scene_vecs[scenes[lo:hi]] + np.sqrt(noise_w[lo:hi]) * unit_rows(hi - lo))
        emb[lo:hi] = rows
    scene_hash = rng.integers(0, 256, (int(scenes.max()) + 1, 8), dtype=np.uint8)
    flips = rng.integers(0, 64, (n, 4))
    items = []
    for i in range(n):
        h = scene_hash[scenes[i]].copy()
        for bit in flips[i, : int(rng.integers(0, 4))]:
            h[bit // 8] ^= np.uint8(1 << (bit % 8))
        items.append(PhotoItem(i, f"c{i:07d}", float(times[i]), emb[i], h, f"IMG_{i:07d}.jpg"))
    counts = np.bincount(scenes)
    return SyntheticLibrary(items, scenes, int((counts >= 2).sum()))


def pair_precision_recall(truth: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    """Pairwise precision/recall from labels (predicted -1 = ungrouped),
    by counting co-memberships (no pair enumeration)."""
    def pairs(counts: np.ndarray) -> int:
        return int((counts * (counts - 1) // 2).sum())

    grouped = predicted >= 0
    joint = np.unique(np.stack([truth[grouped], predicted[grouped]]), axis=1, return_counts=True)[1]
    tp = pairs(joint)
    pred_pairs = pairs(np.unique(predicted[grouped], return_counts=True)[1])
    true_pairs = pairs(np.unique(truth, return_counts=True)[1])
    return (tp / pred_pairs if pred_pairs else 1.0), (tp / true_pairs if true_pairs else 1.0)

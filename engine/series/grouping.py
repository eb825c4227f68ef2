"""Grouping photos into near-duplicate series and exact duplicates.

- Exact duplicates: files with the same content hash (kind ``duplicates``).
- Series: distinct contents of one moment and subject (kind ``series``).
  Photos are sorted by capture time and split into blocks at gaps longer
  than ``window_s``; a photo is compared only with photos of its block within
  that window (all of them in a small block, its next ``neighbours`` in a
  large one), so the cost grows linearly with the library, never all pairs. A pair is linked when the backbone
  embeddings are similar (cosine >= ``min_similarity``), or a little less
  similar but with matching perceptual hashes (dHash Hamming distance <=
  ``max_hash_distance``). Links are merged strongest first, and two groups
  merge only while their mean embeddings stay similar too
  (``min_group_similarity``): a slow pan or a walk where each shot resembles
  the previous one does not chain into one giant group, and a bracket or
  panorama stays apart from the unrelated shots around it.

The thresholds were chosen on a labelled set of real photos (see
``engine/series/realset.py`` and ``SERIES_MODEL_CARD.md``). They did not
carry over to real libraries (pairs of different shots reach the cosine of a
blurred copy): the series stage now groups with ``verified.py`` (candidates,
then local-feature verification) and uses this module for exact duplicates,
the shared ``Group``/``PhotoItem`` types and the embedding-only baseline that
``tests/bench/bench_series_grouping.py`` measures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

import numpy as np


@dataclass(frozen=True)
class GroupingParams:
    min_similarity: float = 0.80
    min_group_similarity: float = 0.76
    hash_similarity_slack: float = 0.12  # similarity may be this much lower when the dHashes match
    max_hash_distance: int = 10
    window_s: float = 300.0
    neighbours: int = 24
    full_block: int = 128


@dataclass
class PhotoItem:
    photo_id: int
    content_hash: str
    capture_ts: Optional[float]
    embedding: Optional[np.ndarray] = None  # any scale; normalised here
    dhash: Optional[np.ndarray] = None  # 8 bytes
    name: str = ""  # file path: orders shots taken within the same second (IMG_0001, IMG_0002)


@dataclass
class Group:
    kind: str  # "series" | "duplicates"
    members: list[int]  # photo ids, in capture order
    anchor: str = ""  # content hash that names the group (stable key)
    similarity: list[float] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.anchor}"


def exact_duplicates(items: Sequence[PhotoItem]) -> list[Group]:
    by_hash: dict[str, list[PhotoItem]] = defaultdict(list)
    for item in items:
        by_hash[item.content_hash].append(item)
    groups = []
    for content_hash, same in by_hash.items():
        if len(same) > 1:
            same.sort(key=lambda i: (i.capture_ts is None, i.capture_ts or 0, i.photo_id))
            groups.append(Group("duplicates", [i.photo_id for i in same], anchor=content_hash))
    return groups


def _hash_words(hashes: Sequence[Optional[np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    words = np.zeros(len(hashes), np.uint64)
    present = np.zeros(len(hashes), bool)
    for i, h in enumerate(hashes):
        if h is not None and len(h) == 8:
            words[i] = np.frombuffer(np.asarray(h, np.uint8).tobytes(), dtype=">u8")[0]
            present[i] = True
    return words, present


def _popcount(x: np.ndarray) -> np.ndarray:
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(x).astype(np.int32)
    return np.unpackbits(x.view(np.uint8).reshape(-1, 8), axis=1).sum(axis=1).astype(np.int32)


def _accept(sim: np.ndarray, a: np.ndarray, b: np.ndarray, words: np.ndarray, has_hash: np.ndarray,
            p: GroupingParams) -> np.ndarray:
    ok = sim >= p.min_similarity
    both = has_hash[a] & has_hash[b]
    if both.any():
        ham = _popcount(np.bitwise_xor(words[a], words[b]))
        ok |= both & (ham <= p.max_hash_distance) & (sim >= p.min_similarity - p.hash_similarity_slack)
    return ok


def candidate_links(emb: np.ndarray, ts: np.ndarray, words: np.ndarray, has_hash: np.ndarray,
                    p: GroupingParams, chunk: int = 8192) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, similarity) of accepted links (i < j, rows sorted by time).

    Time blocks are runs of photos without a gap longer than ``window_s``.
    A block of at most ``full_block`` photos is compared all pairs within the
    window (many photos can share one timestamp: a folder whose only date is
    the copy time); a larger block compares each photo with its next
    ``neighbours`` photos only. Cost stays linear in the library size."""
    n = len(emb)
    out_i, out_j, out_s = [], [], []
    cuts = np.flatnonzero(np.diff(ts) > p.window_s) + 1
    starts = np.concatenate([[0], cuts])
    stops = np.concatenate([cuts, [n]])
    for start, stop in zip(starts, stops):
        m = stop - start
        if m < 2:
            continue
        if m <= p.full_block:
            a, b = np.triu_indices(m, 1)
            a, b = a + start, b + start
            near = (ts[b] - ts[a]) <= p.window_s
            a, b = a[near], b[near]
            block = emb[start:stop]
            sim = (block @ block.T)[a - start, b - start]
            ok = _accept(sim, a, b, words, has_hash, p)
            out_i.append(a[ok]), out_j.append(b[ok]), out_s.append(sim[ok])
            continue
        for k in range(1, min(p.neighbours, m - 1) + 1):
            for lo in range(start, stop - k, chunk):
                a = np.arange(lo, min(lo + chunk, stop - k))
                b = a + k
                near = (ts[b] - ts[a]) <= p.window_s
                if not near.any():
                    continue
                a, b = a[near], b[near]
                sim = np.einsum("ij,ij->i", emb[a], emb[b], dtype=np.float32)
                ok = _accept(sim, a, b, words, has_hash, p)
                out_i.append(a[ok]), out_j.append(b[ok]), out_s.append(sim[ok])
    if not out_i:
        return np.zeros(0, int), np.zeros(0, int), np.zeros(0, np.float32)
    return np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_s)


def _normalised(vectors: list[np.ndarray]) -> np.ndarray:
    first = np.asarray(vectors[0]).reshape(-1)
    emb = np.empty((len(vectors), first.size), np.float32)  # filled row by row: no second copy
    for i, v in enumerate(vectors):
        emb[i] = np.asarray(v).reshape(-1)
    norms = np.sqrt(np.einsum("ij,ij->i", emb, emb))  # no n x d temporary, unlike linalg.norm
    emb /= np.maximum(norms, 1e-6)[:, None]
    return emb


def near_duplicate_series(items: Sequence[PhotoItem], params: GroupingParams = GroupingParams()) -> list[Group]:
    """Series among distinct contents (one item per content hash is used)."""
    seen: set[str] = set()
    usable = []
    for item in sorted(items, key=lambda i: (i.capture_ts is None, i.capture_ts or 0.0, i.name, i.photo_id)):
        if item.embedding is None or item.capture_ts is None or item.content_hash in seen:
            continue
        seen.add(item.content_hash)
        usable.append(item)
    if len(usable) < 2:
        return []
    emb = _normalised([i.embedding for i in usable])
    ts = np.array([i.capture_ts for i in usable], np.float64)
    words, has_hash = _hash_words([i.dhash for i in usable])
    li, lj, ls = candidate_links(emb, ts, words, has_hash, params)

    parent = np.arange(len(usable))
    sums: dict[int, np.ndarray] = {}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for e in np.argsort(-ls, kind="stable"):
        ra, rb = find(int(li[e])), find(int(lj[e]))
        if ra == rb:
            continue
        sa = sums.get(ra, emb[ra])
        sb = sums.get(rb, emb[rb])
        # Group-level check: the mean directions must agree, not just one pair.
        cos = float(sa @ sb) / max(float(np.linalg.norm(sa) * np.linalg.norm(sb)), 1e-9)
        if cos < params.min_group_similarity:
            continue
        parent[rb] = ra
        sums[ra] = sa + sb
        sums.pop(rb, None)

    members: dict[int, list[int]] = defaultdict(list)
    for idx in range(len(usable)):
        members[find(idx)].append(idx)
    groups = []
    for idxs in members.values():
        if len(idxs) < 2:
            continue
        idxs.sort()  # time order
        centre = emb[idxs].mean(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-9)
        groups.append(Group("series", [usable[i].photo_id for i in idxs], anchor=usable[idxs[0]].content_hash,
                            similarity=[float(emb[i] @ centre) for i in idxs]))
    groups.sort(key=lambda g: g.members[0])
    return groups


def group_photos(items: Iterable[PhotoItem], params: GroupingParams = GroupingParams()) -> list[Group]:
    """Exact duplicates and near-duplicate series of a library."""
    items = list(items)
    # The block products are small: one BLAS thread is as fast, and several
    # spin against each other on a busy machine (measured 5x slower).
    from threadpoolctl import threadpool_limits  # comes with scikit-learn

    with threadpool_limits(1):
        return exact_duplicates(items) + near_duplicate_series(items, params)

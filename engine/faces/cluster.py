"""Density-based clustering of face embeddings into people (DBSCAN-like).

As in the paper: a face with at least ``min_samples`` good faces within
``eps`` (itself included) is a core; cores closer than ``eps`` are one person;
other faces join the person of their nearest core within ``eps``, or stay
unassigned. Only faces of good quality (``quality.CORE_QUALITY``) may be cores,
so tiny, blurred and profile faces cannot chain two people together.

Distances are Euclidean on dlib's raw 128-D descriptors, the space its 0.6
same-person threshold was trained for (the paper's L2 normalization changes
little here: the descriptors' norms sit within 1.3-1.6).

Scaling: the eps-neighbour pairs are exact below ``EXACT_LIMIT`` faces
(blocked matrix products). Above it an inverted-file index (k-means cells,
each face filed in its ``probes`` nearest cells) restricts the comparisons to
faces that share a cell: 100,000 faces take seconds instead of the minutes an
all-pairs pass or a 128-D tree would. A pair split across cells that share
none of their nearest cells is missed; with faces of one person tightly
grouped, that loses very few links (measured in tests/bench/bench_faces.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .quality import CORE_QUALITY, REVIEW_QUALITY

EXACT_LIMIT = 8_000


@dataclass(frozen=True)
class ClusterParams:
    eps: float = 0.5  # core link distance (dlib: same person below ~0.6)
    min_samples: int = 2  # good faces within eps, itself included, to be a core
    assign_eps: float = 0.55  # a new face joins a person whose faces are this close
    core_quality: float = CORE_QUALITY
    # Two groups of faces join only when their mean faces are this close too:
    # single linkage alone lets a chain of look-alikes walk from one person
    # to another.
    merge_eps: float = 0.5
    # A good face that found no good neighbour still makes a person with a
    # face of reasonable quality this close (a friend seen twice, once
    # sharp and once small or turned: person_B of the labelled set, 0.33).
    pair_eps: float = 0.4
    pair_quality: float = REVIEW_QUALITY


def _sq_norms(x: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", x, x)


def pairwise_sq(a: np.ndarray, b: np.ndarray, a_sq: Optional[np.ndarray] = None,
                b_sq: Optional[np.ndarray] = None) -> np.ndarray:
    a_sq = _sq_norms(a) if a_sq is None else a_sq
    b_sq = _sq_norms(b) if b_sq is None else b_sq
    d = a @ b.T  # in place from here: these blocks are the clustering's memory traffic
    d *= -2.0
    d += a_sq[:, None]
    d += b_sq[None, :]
    np.maximum(d, 0.0, out=d)
    return d


def _block_graph(x: np.ndarray, idx: np.ndarray, eps2: float, sq: np.ndarray, good: np.ndarray,
                 k: int, block: int = 1024):
    """For the faces ``idx``: each face's count of good neighbours within eps
    and its (up to) k nearest neighbours within eps, as global index pairs."""
    sub, sub_sq, sub_good = x[idx], sq[idx], good[idx]
    degree = np.zeros(len(idx), np.int64)
    out_i, out_j, out_d = [], [], []
    for start in range(0, len(idx), block):
        d = pairwise_sq(sub[start:start + block], sub, sub_sq[start:start + block], sub_sq)
        rows = np.arange(len(d))
        d[rows, rows + start] = np.inf  # not its own neighbour
        within = d <= eps2
        degree[start:start + len(d)] = (within & sub_good[None, :]).sum(axis=1)
        kk = min(k, d.shape[1] - 1)
        if kk <= 0:
            continue
        part = np.argpartition(d, kk - 1, axis=1)[:, :kk]
        pd = np.take_along_axis(d, part, axis=1)
        r, c = np.nonzero(pd <= eps2)
        out_i.append(idx[r + start])
        out_j.append(idx[part[r, c]])
        out_d.append(pd[r, c])
    return degree, out_i, out_j, out_d


def kmeans(x: np.ndarray, k: int, iterations: int = 5, seed: int = 0, sample: int = 16_000) -> np.ndarray:
    """Centroids from a few Lloyd iterations on a random sample (coarse cells
    for the index, not a clustering result)."""
    rng = np.random.default_rng(seed)
    pts = x[rng.choice(len(x), min(sample, len(x)), replace=False)]
    cent = pts[rng.choice(len(pts), k, replace=False)].copy()
    for _ in range(iterations):
        lab = nearest(pts, cent)[0][:, 0]
        sums = np.zeros_like(cent)
        np.add.at(sums, lab, pts)
        counts = np.bincount(lab, minlength=k)
        filled = counts > 0
        cent[filled] = sums[filled] / counts[filled, None]
    return cent


def nearest(x: np.ndarray, ref: np.ndarray, k: int = 1, chunk: int = 8192) -> tuple[np.ndarray, np.ndarray]:
    """Indices (n, k) of the k nearest rows of ``ref`` and their distances."""
    k = min(k, len(ref))
    ref_sq = _sq_norms(ref)
    idx = np.empty((len(x), k), np.int64)
    dist = np.empty((len(x), k), np.float32)
    for s in range(0, len(x), chunk):
        d = pairwise_sq(x[s:s + chunk], ref, None, ref_sq)
        part = np.argpartition(d, k - 1, axis=1)[:, :k] if k < len(ref) else np.tile(np.arange(len(ref)), (len(d), 1))
        pd = np.take_along_axis(d, part, axis=1)
        order = np.argsort(pd, axis=1)
        idx[s:s + chunk] = np.take_along_axis(part, order, axis=1)
        dist[s:s + chunk] = np.sqrt(np.take_along_axis(pd, order, axis=1))
    return idx, dist


def neighbour_graph(x: np.ndarray, eps: float, good: Optional[np.ndarray] = None, *, k: int = 12,
                    probes: int = 2, cell_size: int = 100, exact_limit: int = EXACT_LIMIT,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The eps-neighbourhood graph, kept sparse: each face's number of good
    neighbours within ``eps`` and edges (i, j, distance) to its ``k`` nearest
    within ``eps``. Exact below ``exact_limit`` faces; above it, faces are
    compared only with faces that share one of their ``probes`` nearest
    k-means cells, and a face's count is the largest seen in one cell."""
    x = np.ascontiguousarray(x, np.float32)
    n = len(x)
    good = np.ones(n, bool) if good is None else np.asarray(good, bool)
    sq = _sq_norms(x)
    eps2 = eps * eps
    degree = np.zeros(n, np.int64)
    parts: tuple[list, list, list] = ([], [], [])
    if n <= exact_limit:
        degree, *found = _block_graph(x, np.arange(n), eps2, sq, good, k)
        for acc, got in zip(parts, found):
            acc.extend(got)
    else:
        cells_k = max(8, n // cell_size)
        cells = nearest(x, kmeans(x, cells_k, seed=seed), k=probes)[0]
        owner = cells.reshape(-1)
        point = np.repeat(np.arange(n), cells.shape[1])
        order = np.argsort(owner, kind="stable")
        bounds = np.searchsorted(owner[order], np.arange(cells_k + 1))
        for c in range(cells_k):
            members = point[order[bounds[c]:bounds[c + 1]]]
            if len(members) > 1:
                deg, *found = _block_graph(x, members, eps2, sq, good, k)
                np.maximum.at(degree, members, deg)
                for acc, got in zip(parts, found):
                    acc.extend(got)
    if not parts[0]:
        empty = np.zeros(0, np.int64)
        return degree, empty, empty, np.zeros(0, np.float32)
    i, j, d2 = (np.concatenate(p) for p in parts)
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    key, first = np.unique(lo.astype(np.int64) * n + hi, return_index=True)
    return degree, lo[first], hi[first], np.sqrt(d2[first]).astype(np.float32)


def dbscan_like(x: np.ndarray, quality: Optional[np.ndarray] = None,
                params: ClusterParams = ClusterParams(), **index_options) -> np.ndarray:
    """Cluster labels 0..k-1 per face, -1 for faces that belong to no cluster."""
    n = len(x)
    labels = np.full(n, -1, np.int64)
    if n == 0:
        return labels
    good = np.ones(n, bool) if quality is None else np.asarray(quality) >= params.core_quality
    # Neighbours that count towards density are good faces only.
    degree, i, j, d = neighbour_graph(x, params.eps, good, **index_options)
    core = good & (1 + degree >= params.min_samples)
    both = core[i] & core[j]
    graph = coo_matrix((np.ones(both.sum()), (i[both], j[both])), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    core_ids = np.unique(comp[core])
    relabel = np.full(comp.max() + 1, -1, np.int64)
    relabel[core_ids] = np.arange(len(core_ids))
    labels[core] = relabel[comp[core]]
    # Border faces: the cluster of their nearest core within eps.
    a = np.concatenate([i, j])
    b = np.concatenate([j, i])
    dd = np.concatenate([d, d])
    sel = ~core[a] & core[b]
    a, b, dd = a[sel], b[sel], dd[sel]
    if len(a):
        order = np.lexsort((dd, a))  # by face, nearest core first
        a, b = a[order], b[order]
        first = np.r_[True, a[1:] != a[:-1]]
        labels[a[first]] = labels[b[first]]
    return labels


class _Groups:
    """Union-find over faces that keeps, per group, the photos it holds (for
    the cannot-link) and the sum of its embeddings (for ``merge_eps``)."""

    def __init__(self, x: np.ndarray, photos: np.ndarray) -> None:
        self.parent = np.arange(len(x))
        self.photos: dict[int, set] = {}
        self.sums: dict[int, np.ndarray] = {}
        self.count: dict[int, int] = {}
        self.x, self.photo = x, photos

    def find(self, a: int) -> int:
        root = a
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[a] != root:  # path compression
            self.parent[a], a = root, self.parent[a]
        return int(root)

    def _init(self, a: int) -> None:
        if a not in self.photos:
            self.photos[a] = {int(self.photo[a])}
            self.sums[a] = self.x[a].astype(np.float64)
            self.count[a] = 1

    def can_join(self, a: int, b: int, merge_eps: Optional[float]) -> bool:
        self._init(a)
        self._init(b)
        small, big = sorted((self.photos[a], self.photos[b]), key=len)
        if any(p in big for p in small):
            return False  # two faces of one photo are never one person
        if merge_eps is None:
            return True
        gap = self.sums[a] / self.count[a] - self.sums[b] / self.count[b]
        return float(np.sqrt(gap @ gap)) <= merge_eps

    def join(self, a: int, b: int) -> int:
        if self.count[a] < self.count[b]:
            a, b = b, a
        self.parent[b] = a
        self.photos[a] |= self.photos.pop(b)
        self.sums[a] = self.sums[a] + self.sums.pop(b)
        self.count[a] += self.count.pop(b)
        return a


def constrained_clusters(x: np.ndarray, photos: np.ndarray, quality: Optional[np.ndarray] = None,
                         params: ClusterParams = ClusterParams(), **index_options) -> np.ndarray:
    """Cluster labels 0..k-1 per face (-1: in no cluster), where no cluster
    holds two faces of one photo (``photos``: one code per photo).

    The eps-neighbour graph of ``neighbour_graph`` (good faces with a good
    neighbour within eps are cores), then single linkage over the core links,
    shortest first, where a link is skipped when it would put two faces of
    one photo together or when the two groups' mean faces are further apart
    than ``merge_eps``. Two faces are enough for a person (a friend seen in
    two photos of one party), also a good face with a face of reasonable
    quality within ``pair_eps`` when neither found a group. Other faces (low quality, or cores left alone)
    then join the group of their nearest clustered neighbour within eps,
    nearest first, if that group has no face of their photo yet."""
    n = len(x)
    labels = np.full(n, -1, np.int64)
    if n == 0:
        return labels
    x = np.ascontiguousarray(x, np.float32)
    photos = np.asarray(photos, np.int64)
    good = np.ones(n, bool) if quality is None else np.asarray(quality) >= params.core_quality
    degree, i, j, d = neighbour_graph(x, params.eps, good, **index_options)
    core = good & (1 + degree >= params.min_samples)
    groups = _Groups(x, photos)
    both = core[i] & core[j]
    ib, jb, db = i[both], j[both], d[both]
    for e in np.argsort(db, kind="stable"):
        a, b = groups.find(int(ib[e])), groups.find(int(jb[e]))
        if a != b and groups.can_join(a, b, params.merge_eps):
            groups.join(a, b)
    roots = np.array([groups.find(a) for a in range(n)])
    sizes = np.bincount(roots, minlength=n)
    # Pairs: a good face left alone and a fair face very close to it.
    fair = good if quality is None else np.asarray(quality) >= params.pair_quality
    alone = sizes[roots] < 2
    pair = alone[i] & alone[j] & (d <= params.pair_eps) & ((good[i] & fair[j]) | (good[j] & fair[i]))
    for e in np.nonzero(pair)[0][np.argsort(d[pair], kind="stable")]:
        a, b = groups.find(int(i[e])), groups.find(int(j[e]))
        if a != b and groups.count.get(a, 1) == 1 and groups.count.get(b, 1) == 1 and groups.can_join(a, b, None):
            groups.join(a, b)
    roots = np.array([groups.find(a) for a in range(n)])
    sizes = np.bincount(roots, minlength=n)
    clustered = sizes[roots] >= 2
    # Border faces, nearest link first; a face joins at most one group.
    a = np.concatenate([i, j])
    b = np.concatenate([j, i])
    dd = np.concatenate([d, d])
    sel = ~clustered[a] & clustered[b]
    a, b, dd = a[sel], b[sel], dd[sel]
    for e in np.argsort(dd, kind="stable"):
        face, other = int(a[e]), int(b[e])
        if clustered[face]:
            continue
        root = groups.find(other)
        groups._init(root)
        if int(photos[face]) in groups.photos[root]:
            continue
        groups.photos[root].add(int(photos[face]))
        roots[face] = root
        clustered[face] = True
    ids = np.unique(roots[clustered])
    relabel = {int(r): k for k, r in enumerate(ids)}
    labels[clustered] = [relabel[int(r)] for r in roots[clustered]]
    return labels

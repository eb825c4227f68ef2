"""Grouping by candidates, then verification with local features.

1. Candidates (cheap, generous): for each distinct content, its ``k`` most
   similar photos by backbone embedding (cosine >= ``min_candidate``) among
   the photos of the same time block (``grouping.GroupingParams.window_s``;
   a library whose only date is the copy time is one block, searched in
   slices of ``slice_size`` photos), its ``k_hash`` nearest by dHash, and
   the next photo in time order. Every photo costs a bounded number of
   verifications: the work grows linearly with the library.
2. Verification (``local.compare`` on keypoints cached per content): the
   verdict of each candidate pair is "redundant", "similar" or "different".
3. Groups: *redundant* groups (kind ``series``) are the connected sets of
   redundant links; *similar-moment* stacks (kind ``similar``) join two or
   more of them (or single photos) through similar links. A photo can be in
   a redundant group and in the stack around it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional, Sequence

import numpy as np

from .grouping import Group, GroupingParams, PhotoItem, _hash_words, _normalised, _popcount
from .local import Evidence, verdict

if TYPE_CHECKING:
    from .verify_pool import Parallel

log = logging.getLogger(__name__)

Verifier = Callable[[str, str], Optional[Evidence]]  # (content hash, content hash) -> evidence


@dataclass(frozen=True)
class CandidateParams:
    k: int = 10  # candidates per photo (blurred copies of different photos resemble each other: not too few)
    min_candidate: float = 0.6  # cosine: generous (a heavily blurred copy measured 0.61; dHash candidates catch the rest)
    window_s: float = 300.0
    slice_size: int = 2048  # photos compared all-against-all in one product
    min_orphan: float = 0.4  # a photo without candidates: its nearest neighbour down to this cosine
    k_hash: int = 4  # more candidates per photo by perceptual hash: blur, noise and exposure barely move a dHash
    max_hash_distance: int = 12
    max_stack: int = 60  # a similar-moment stack larger than this is not shown as one


def usable_items(items: Sequence[PhotoItem]) -> list[PhotoItem]:
    """One item per content (exact copies are grouped apart), in time order."""
    seen: set[str] = set()
    out = []
    for item in sorted(items, key=lambda i: (i.capture_ts is None, i.capture_ts or 0.0, i.name, i.photo_id)):
        if item.embedding is None or item.content_hash in seen:
            continue
        seen.add(item.content_hash)
        out.append(item)
    return out


def candidate_pairs(usable: Sequence[PhotoItem], params: CandidateParams = CandidateParams()) -> np.ndarray:
    """(m, 3) array of (i, j, cosine*1e4) with i < j: each photo's best ``k``
    neighbours within its time block."""
    n = len(usable)
    if n < 2:
        return np.zeros((0, 3), np.int64)
    emb = _normalised([i.embedding for i in usable])
    words, has_hash = _hash_words([i.dhash for i in usable])
    ts = np.array([i.capture_ts if i.capture_ts is not None else 0.0 for i in usable], np.float64)
    cuts = np.flatnonzero(np.diff(ts) > params.window_s) + 1
    starts = np.concatenate([[0], cuts])
    stops = np.concatenate([cuts, [n]])
    found: list[np.ndarray] = []
    half = params.slice_size // 2
    for start, stop in zip(starts, stops):
        # Long blocks: overlapping slices, so every photo sees half a slice on each side.
        lo = start
        while lo < stop - 1:
            hi = min(stop, lo + params.slice_size)
            block = emb[lo:hi]
            sim = block @ block.T
            np.fill_diagonal(sim, -1.0)
            near = np.abs(ts[lo:hi, None] - ts[None, lo:hi]) <= params.window_s
            sim[~near] = -1.0
            k = min(params.k, hi - lo - 1)
            top = np.argpartition(-sim, k - 1, axis=1)[:, :k] if k > 0 else np.zeros((hi - lo, 0), int)
            rows = np.repeat(np.arange(hi - lo), top.shape[1])
            cols = top.ravel()
            s = sim[rows, cols]
            keep = s >= params.min_candidate
            # A photo with no candidate at all (a sideways copy without an
            # orientation tag measured 0.44-0.74 to its original, and at most
            # 0.38 to anything else) still gets its nearest neighbour checked.
            orphan = ~np.bincount(rows[keep], minlength=hi - lo).astype(bool)
            nearest = np.zeros(len(rows), bool)
            if top.shape[1]:
                best_col = top[np.arange(hi - lo), np.argmax(sim[np.arange(hi - lo)[:, None], top], axis=1)]
                nearest = (cols == best_col[rows]) & orphan[rows] & (s >= params.min_orphan)
            keep |= nearest
            a, b = rows[keep] + lo, cols[keep] + lo
            found.append(np.stack([np.minimum(a, b), np.maximum(a, b), np.round(s[keep] * 1e4)], axis=1)
                         .astype(np.int64))
            found.append(_hash_candidates(words[lo:hi], has_hash[lo:hi], near, sim, lo, params))
            if hi == stop:
                break
            lo += half
    # Each photo and the next one in time (or name) order: a long burst of
    # near-identical frames otherwise splits into cliques of look-alikes whose
    # k nearest are all inside the clique (5,000 frames gave 3 series).
    nxt = np.einsum("ij,ij->i", emb[:-1], emb[1:])
    chain = np.flatnonzero((nxt >= params.min_candidate) & (np.diff(ts) <= params.window_s))
    found.append(np.stack([chain, chain + 1, np.round(nxt[chain] * 1e4)], axis=1).astype(np.int64))
    pairs = np.concatenate(found)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    first = np.ones(len(pairs), bool)
    first[1:] = (pairs[1:, 0] != pairs[:-1, 0]) | (pairs[1:, 1] != pairs[:-1, 1])
    return pairs[first]


def _hash_candidates(words: np.ndarray, present: np.ndarray, near: np.ndarray, sim: np.ndarray, lo: int,
                     params: CandidateParams) -> np.ndarray:
    """Each photo's ``k_hash`` nearest by dHash (Hamming distance at most
    ``max_hash_distance``): a blurred or dark copy whose embedding drifted
    towards other blurred or dark photos keeps its original's low-frequency
    layout."""
    m = len(words)
    if m < 2 or not present.any() or params.k_hash < 1:
        return np.zeros((0, 3), np.int64)
    ham = _popcount(np.bitwise_xor(words[:, None], words[None, :]).ravel()).reshape(m, m)
    ham[~(present[:, None] & present[None, :]) | ~near] = 64
    np.fill_diagonal(ham, 64)
    k = min(params.k_hash, m - 1)
    top = np.argpartition(ham, k - 1, axis=1)[:, :k]
    rows = np.repeat(np.arange(m), k)
    cols = top.ravel()
    keep = ham[rows, cols] <= params.max_hash_distance
    a, b = rows[keep], cols[keep]
    return np.stack([np.minimum(a, b) + lo, np.maximum(a, b) + lo, np.round(sim[a, b] * 1e4)], axis=1).astype(np.int64)


class _Sets:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.parent)):
            out[self.find(i)].append(i)
        return out


def verify_ordered(hashes: Sequence[str], ordered: np.ndarray, verifier: Verifier) -> list[str]:
    """Verdicts of the pairs ``ordered`` ((m, 2) indices into ``hashes``),
    verified in that order. A pair whose two photos are already linked as
    redundant through others is not verified again (a burst of n frames
    costs about n verifications, not n^2) and is called redundant: whatever
    its true verdict, it would change no group (see ``verify_pool``)."""
    verdicts = []
    linked = _Sets(len(hashes))
    for i, j in ordered.tolist():
        if linked.find(i) == linked.find(j):
            verdicts.append("redundant")
            continue
        evidence = verifier(hashes[i], hashes[j])
        v = "different" if evidence is None else verdict(evidence)
        verdicts.append(v)
        if v == "redundant":
            linked.union(i, j)
    return verdicts


def verify_pairs(usable: Sequence[PhotoItem], pairs: np.ndarray, verifier: Verifier,
                 parallel: Optional["Parallel"] = None) -> dict[tuple[int, int], str]:
    """Verdicts of the candidate pairs, most similar first; in a pool of
    processes (``verify_pool``) when ``parallel`` is given and the pairs are
    many enough to pay for it (the same groups either way)."""
    if not len(pairs):
        return {}
    ordered = pairs[np.argsort(-pairs[:, 2], kind="stable")][:, :2]
    hashes = [u.content_hash for u in usable]
    found = None
    if parallel is not None and parallel.wanted(len(ordered)):
        from concurrent.futures.process import BrokenProcessPool

        try:
            found = parallel.run(hashes, ordered, absorb=getattr(verifier, "absorb", None))
        except (BrokenProcessPool, OSError) as exc:  # a worker killed (memory), no processes left
            log.warning("series: verification workers failed (%s); verifying in this process", exc)
    if found is None:
        found = verify_ordered(hashes, ordered, verifier)
    return {(i, j): v for (i, j), v in zip(ordered.tolist(), found)}


def build_groups(usable: Sequence[PhotoItem], verdicts: dict[tuple[int, int], str],
                 params: CandidateParams = CandidateParams()) -> list[Group]:
    n = len(usable)
    redundant = _Sets(n)
    scene = _Sets(n)
    for (i, j), v in verdicts.items():
        if v == "redundant":
            redundant.union(i, j)
        if v in ("redundant", "similar"):
            scene.union(i, j)
    groups = []
    for idxs in redundant.groups().values():
        if len(idxs) >= 2:
            idxs.sort()
            groups.append(Group("series", [usable[i].photo_id for i in idxs], anchor=usable[idxs[0]].content_hash))
    for idxs in scene.groups().values():
        units = {redundant.find(i) for i in idxs}
        if len(units) < 2 or len(idxs) > params.max_stack:
            continue
        idxs.sort()
        groups.append(Group("similar", [usable[i].photo_id for i in idxs], anchor=usable[idxs[0]].content_hash))
    groups.sort(key=lambda g: (g.kind, g.members[0]))
    return groups


def group_verified(items: Sequence[PhotoItem], verifier: Verifier, params: CandidateParams = CandidateParams(),
                   parallel: Optional["Parallel"] = None) -> list[Group]:
    """Redundant groups and similar-moment stacks (exact duplicates apart:
    ``grouping.exact_duplicates``)."""
    from threadpoolctl import threadpool_limits

    # The products are small: one BLAS thread is as fast, and several spin
    # against each other on a busy machine (measured 20x slower).
    with threadpool_limits(1):
        usable = usable_items(items)
        pairs = candidate_pairs(usable, params)
        return build_groups(usable, verify_pairs(usable, pairs, verifier, parallel), params)


def grouping_window(params: GroupingParams) -> CandidateParams:
    return CandidateParams(window_s=params.window_s)

"""Verifying candidate pairs on every core.

Verification (``local.compare``, about 0.6 ms a pair) is most of the time
of grouping a large library. It spends much of it in Python and numpy glue
between short native calls, holding the GIL: threads measured slower than
one thread. Processes work, so large batches go to a pool of them.

Why the groups are exactly those of the single-process loop
(``verified.verify_pairs``): that loop skips a pair whose photos are already
linked through redundant verdicts and calls it redundant. Such a pair
changes neither the redundant groups nor the similar stacks, whatever its
true verdict: both its photos are already in one redundant group (and so in
one stack). So the pairs may be verified in independent batches, each
skipping on its own; only the number of verifications can change, never the
groups. Batches are whole connected components of the candidate graph (no
skip crosses a component: there the verdicts are exactly the single
process's), packed to about ``BATCH`` pairs; a component larger than
``MAX_PIECE`` pairs is cut in time order.

Workers start with 'spawn' (the window runs stages in a thread, and fork
with threads is unsafe), one per core, only for work that pays for their
start-up (``MIN_PAIRS``). Each reads keypoints itself: from the catalog
(read-only, with the pair evidence already stored there), or from packed
arrays handed over once (benchmarks, tests). New evidence comes back to the
parent, the catalog's only writer.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Optional, Sequence

import numpy as np

from . import local

MIN_PAIRS = 3000  # about 2 s of verification: below it, starting the workers costs more than it saves
BATCH = 512  # pairs per task: enough to amortise the hand-over, small enough to share the work evenly
MAX_PIECE = 2048  # a component larger than this is cut (a 5,000-frame burst, a library without dates)


@dataclass(frozen=True)
class CatalogKeypoints:
    """Keypoints and stored pair evidence read from a catalog file."""

    path: str

    def open(self):
        from ..catalog import open_catalog
        from .evidence import PairEvidence

        return PairEvidence(open_catalog(self.path, readonly=True), autoflush=False)


@dataclass(frozen=True)
class PackedKeypoints:
    """Packed keypoints (``local.extract``) in memory, by content hash."""

    packed: tuple
    index_of: dict  # content hash -> index into packed

    def open(self):
        return _PackedVerifier(self)


class _PackedVerifier:
    def __init__(self, source: PackedKeypoints) -> None:
        self.features = [local.unpack(p) for p in source.packed]
        self.index_of = source.index_of
        self.computed = 0
        self.new: list[tuple] = []

    def __call__(self, ha: str, hb: str) -> Optional[local.Evidence]:
        ia, ib = self.index_of.get(ha), self.index_of.get(hb)
        if ia is None or ib is None:
            return None
        self.computed += 1
        return local.compare(self.features[ia], self.features[ib])


def plan_batches(n: int, ordered: np.ndarray, batch: int = BATCH,
                 max_piece: int = MAX_PIECE) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Batches of the pairs ``ordered`` ((m, 2) photo indices, in the order
    they are to be verified): (positions in ``ordered``, ascending; the
    batch's photos; its pairs as indices into those photos)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    m = len(ordered)
    if m == 0:
        return []
    graph = coo_matrix((np.ones(m, np.int8), (ordered[:, 0], ordered[:, 1])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    first = np.full(label.max() + 1, n)
    np.minimum.at(first, label, np.arange(n))
    component = first[label[ordered[:, 0]]]  # a component named by its first photo in time order
    seq = np.lexsort((np.arange(m), ordered[:, 0], component))  # by component, then time
    comp_sorted = component[seq]
    starts = np.concatenate([[0], np.flatnonzero(np.diff(comp_sorted)) + 1])
    stops = np.concatenate([starts[1:], [m]])
    cuts = []
    open_from = 0
    for start, stop in zip(starts.tolist(), stops.tolist()):
        for piece in range(start, stop, max_piece):
            end = min(stop, piece + max_piece)
            if end - open_from >= batch:
                cuts.append((open_from, end))
                open_from = end
    if open_from < m:
        cuts.append((open_from, m))
    out = []
    for a, b in cuts:
        positions = np.sort(seq[a:b])
        pairs = ordered[positions]
        photos = np.unique(pairs)
        out.append((positions, photos, np.searchsorted(photos, pairs)))
    return out


_verifier = None


def _start_worker(source) -> None:
    global _verifier
    import cv2
    from threadpoolctl import threadpool_limits

    cv2.setNumThreads(1)
    threadpool_limits(1)  # small products: one BLAS thread each (see verified.group_verified)
    _verifier = source.open()


def _run_batch(hashes: list[str], pairs: np.ndarray) -> tuple[list[str], int, list[tuple]]:
    from .verified import verify_ordered

    before = _verifier.computed
    verdicts = verify_ordered(hashes, pairs, _verifier)
    rows, _verifier.new = _verifier.new, []
    return verdicts, _verifier.computed - before, rows, (os.getpid(), _peak_memory_mb(), time.process_time())


def _peak_memory_mb() -> float:
    """This process's peak resident memory (VmHWM: since its exec, unlike
    ru_maxrss, which counts the parent's pages a spawned child started from)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Parallel:
    """How to verify in a pool; ``computed`` holds the verifications done."""

    source: object  # CatalogKeypoints | PackedKeypoints: opened once in every worker
    workers: int = 0  # 0: one per core (never more than the cores)
    min_pairs: int = MIN_PAIRS
    batch: int = BATCH
    cancel: object = None  # a CancelToken, checked after each batch
    computed: int = 0
    worker_peak_mb: dict = field(default_factory=dict)  # worker pid -> its peak resident memory
    worker_cpu_s: dict = field(default_factory=dict)  # worker pid -> its CPU time (start-up included)

    def size(self) -> int:
        cores = os.cpu_count() or 1
        return min(self.workers or cores, cores)  # more processes than cores only fight

    def wanted(self, pairs: int) -> bool:
        return self.size() >= 2 and pairs >= self.min_pairs

    def run(self, hashes: Sequence[str], ordered: np.ndarray, absorb=None) -> list[str]:
        """Verdicts of ``ordered`` (indices into ``hashes``), as the single
        process gives them up to skipped pairs (see the module's note);
        ``absorb(rows)`` receives new pair evidence to store."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        batches = plan_batches(len(hashes), ordered, self.batch, max(self.batch, MAX_PIECE))
        verdicts: list[str] = [""] * len(ordered)
        pool = ProcessPoolExecutor(min(self.size(), len(batches)) or 1, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_worker, initargs=(self.source,))
        try:
            futures = [pool.submit(_run_batch, [hashes[i] for i in photos], pairs) for _, photos, pairs in batches]
            for (positions, _, _), future in zip(batches, futures):
                got, computed, rows, (pid, peak, cpu) = future.result()
                self.worker_peak_mb[pid] = max(peak, self.worker_peak_mb.get(pid, 0.0))
                self.worker_cpu_s[pid] = max(cpu, self.worker_cpu_s.get(pid, 0.0))
                for p, v in zip(positions.tolist(), got):
                    verdicts[p] = v
                self.computed += computed
                if rows and absorb is not None:
                    absorb(rows)
                if self.cancel is not None:
                    self.cancel.raise_if_cancelled()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return verdicts

"""Batching helpers: fixed-size chunks and a prefetching map for decode work."""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import Callable, Iterable, Iterator, Sequence, TypeVar

import numpy as np

T = TypeVar("T")
R = TypeVar("R")


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def prefetch_map(fn: Callable[[T], R], items: Iterable[T], workers: int, ahead: int = 64) -> Iterator[R]:
    """``map(fn, items)`` in order, computed by ``workers`` threads at most
    ``ahead`` items in advance. Decoding (Pillow) and ONNX Runtime both release
    the GIL, so threads overlap decode with inference without copying images
    between processes."""
    if workers <= 1:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="prefetch") as pool:
        pending: deque = deque()
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def run_batched(fn: Callable[[np.ndarray], dict[str, np.ndarray]], array: np.ndarray,
                size: int) -> dict[str, np.ndarray]:
    """Apply a model to ``array`` in slices of ``size`` rows and concatenate."""
    parts: dict[str, list[np.ndarray]] = {}
    for start in range(0, len(array), size):
        for name, value in fn(array[start:start + size]).items():
            parts.setdefault(name, []).append(value)
    return {name: np.concatenate(values) for name, values in parts.items()}


def stack(arrays: Sequence[np.ndarray]) -> np.ndarray:
    return np.stack(arrays) if arrays else np.zeros((0,), np.float32)

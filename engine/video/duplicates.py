"""Near-duplicate videos: the same clip twice (re-encoded, resized) or a
trimmed copy. Each video keeps a difference hash of every sampled frame;
two videos are near-duplicates when the shorter one's hashes line up with a
stretch of the longer one's (at the offset that fits best) for most of its
samples - the video form of the photo duplicates' dhash test."""

from __future__ import annotations

from typing import Optional

import numpy as np

MATCH_BITS = 12  # of 64: frames this close are "the same picture"
MIN_SHARE = 0.8  # of the shorter video's samples
MIN_SAMPLES = 3
SAME_LENGTH_S = 0.5


def _bits(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamming distances between rows of (n, 8) and (n, 8) uint8."""
    return np.unpackbits(np.bitwise_xor(a, b), axis=1).sum(axis=1)


def match(sig_a: np.ndarray, times_a: list[float], sig_b: np.ndarray, times_b: list[float]) -> Optional[dict]:
    """{"share", "offset_s", "kind"} when b and a are the same footage, else None."""
    if sig_a is None or sig_b is None or min(len(sig_a), len(sig_b)) < MIN_SAMPLES:
        return None
    short, long_, ts, tl = (sig_a, sig_b, times_a, times_b) if len(sig_a) <= len(sig_b) else (sig_b, sig_a, times_b, times_a)
    ts, tl = np.asarray(ts), np.asarray(tl)
    best = (0.0, 0.0)
    # Candidate offsets: each long-sample time minus the short one's first sample time.
    for off in tl - ts[0]:
        pos = np.searchsorted(tl, ts + off)
        pos = np.clip(pos, 0, len(tl) - 1)
        prev = np.clip(pos - 1, 0, len(tl) - 1)
        nearer = np.where(np.abs(tl[prev] - (ts + off)) < np.abs(tl[pos] - (ts + off)), prev, pos)
        inside = (ts + off) <= tl[-1] + 1.0
        d = _bits(short, long_[nearer])
        share = float(((d <= MATCH_BITS) & inside).mean())
        if share > best[0]:
            best = (share, float(off))
    if best[0] < MIN_SHARE:
        return None
    same_length = abs(len(sig_a) - len(sig_b)) <= max(1, 0.05 * max(len(sig_a), len(sig_b)))
    return {"share": round(best[0], 3), "offset_s": round(best[1], 2), "kind": "same clip" if same_length else "trimmed copy"}


def find_duplicates(videos: list[tuple[int, np.ndarray, list[float], float]]) -> list[dict]:
    """videos: (id, signature, times, duration). Pairs with their match; the
    shorter (or later id) is the copy."""
    out = []
    for i in range(len(videos)):
        for j in range(i + 1, len(videos)):
            a, b = videos[i], videos[j]
            m = match(a[1], a[2], b[1], b[2])
            if m:
                # The kind by the lengths (sample counts differ with the sampling:
                # keyframes in one file, seeks in its re-encoded copy).
                same = abs(a[3] - b[3]) <= max(SAME_LENGTH_S, 0.03 * max(a[3], b[3]))
                m["kind"] = "same clip" if same else "trimmed copy"
                if same:
                    copy, original = (a, b) if a[0] > b[0] else (b, a)  # the later one is the copy
                else:
                    copy, original = (a, b) if a[3] < b[3] else (b, a)
                out.append({"video_id": copy[0], "duplicate_of": original[0], **m})
    return out


__all__ = ["find_duplicates", "match"]

"""Cutting a video into segments: shot boundaries from frame differences
between consecutive samples, then fixed-length segments within long shots.

A hard cut changes both the colours (histogram distance) and the layout
(difference of the small grey frames) at once, far more than the motion
between neighbouring samples of the same shot; the threshold adapts to the
video's own level of change (median + k * MAD), so a shaky shot, whose every
sample differs, does not become a string of cuts. Dark stretches are compared
after normalising brightness, so a fade is not a cut either.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cues import colour_histogram, small_grey

SEGMENT_S = 5.0  # CoVieW's segment length: what the importance scores are given for
MIN_SEGMENT_S = 1.0
PEAK_RATIO = 1.4


@dataclass
class Segment:
    start: float
    end: float
    shot: int  # index of the shot it belongs to
    samples: tuple[int, int]  # [first, last) indices into the sampled frames

    @property
    def duration(self) -> float:
        return self.end - self.start


def change_scores(frames: np.ndarray) -> np.ndarray:
    """(T,) change between sample i-1 and i (0 for the first)."""
    scores = np.zeros(len(frames), np.float32)
    prev_h = prev_g = None
    for i, f in enumerate(frames):
        h = colour_histogram(f)
        g = small_grey(f)
        g = (g - g.mean()) / (g.std() + 4.0)
        if prev_h is not None:
            hist_d = 0.5 * float(np.abs(h - prev_h).sum())  # total variation, 0..1
            layout_d = float(np.abs(g - prev_g).mean()) / 1.6  # about 0..1
            scores[i] = np.sqrt(max(0.0, hist_d) * max(0.0, layout_d))
        prev_h, prev_g = h, g
    return scores


def find_cuts(times: list[float], frames: np.ndarray, k: float = 6.0, floor: float = 0.22,
              ceiling: float = 0.45) -> list[float]:
    """Times of hard cuts: the midpoint between the two samples around each."""
    if len(frames) < 2:
        return []
    s = change_scores(frames)
    body = s[1:]
    med = float(np.median(body))
    mad = float(np.median(np.abs(body - med))) + 1e-3
    # A change this large is a cut whatever the rest of the video does (a few
    # samples give a poor MAD); the adaptive part guards shaky videos below it.
    thr = max(floor, min(med + k * mad, ceiling))
    cuts = []
    for i in range(1, len(s)):
        # a local peak above the threshold that stands out from its
        # neighbours (a cut is one jump; a shaking camera jumps at every sample)
        around = max(s[i - 1] if i > 1 else 0.0, s[i + 1] if i + 1 < len(s) else 0.0)
        if s[i] >= thr and s[i] >= PEAK_RATIO * around:
            cuts.append(round(0.5 * (times[i - 1] + times[i]), 3))
    return cuts


def make_segments(duration: float, times: list[float], cuts: list[float], length: float = SEGMENT_S) -> list[Segment]:
    """Shots from the cuts, each split into pieces of about ``length`` s."""
    bounds = [0.0] + [c for c in cuts if MIN_SEGMENT_S <= c <= duration - MIN_SEGMENT_S] + [max(duration, 0.0)]
    t = np.asarray(times, np.float64)
    out: list[Segment] = []
    for shot, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        if b - a < 1e-3:
            continue
        pieces = max(1, int(round((b - a) / length)))
        edges = np.linspace(a, b, pieces + 1)
        for s0, s1 in zip(edges[:-1], edges[1:]):
            first = int(np.searchsorted(t, s0, side="left"))
            last = int(np.searchsorted(t, s1, side="left"))
            if last <= first:  # no sample inside: borrow the nearest one
                near = int(np.clip(np.searchsorted(t, 0.5 * (s0 + s1)), 0, max(0, len(t) - 1)))
                first, last = near, near + 1
            out.append(Segment(round(float(s0), 3), round(float(s1), 3), shot, (first, min(last, len(t)))))
    return out


def match_cuts(found: list[float], truth: list[float], tolerance: float) -> tuple[int, int, int]:
    """(true positives, false positives, missed) with one-to-one matching."""
    used = set()
    tp = 0
    for c in found:
        best = None
        for j, t in enumerate(truth):
            if j not in used and abs(c - t) <= tolerance and (best is None or abs(c - t) < abs(c - truth[best])):
                best = j
        if best is not None:
            used.add(best)
            tp += 1
    return tp, len(found) - tp, len(truth) - tp


__all__ = ["MIN_SEGMENT_S", "SEGMENT_S", "Segment", "change_scores", "find_cuts", "make_segments", "match_cuts"]

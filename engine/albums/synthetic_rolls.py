"""Synthetic camera rolls with known event boundaries, for testing and
measuring the time segmentation (tests/test_albums_segment.py,
tests/bench/bench_albums.py).

A roll is a person's sequence of events. Each person has a shooting habit
(seconds between photos at an event: a burst shooter, a moderate one, a
sparse one, or a mix that changes by event), each event a length, a rhythm
drawn around that habit, a place (GPS on some rolls) and a pause before the
next event (an hour to days).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .segment import PhotoPoint

HABITS = {  # median seconds between photos at an event
    "burst": 8.0,
    "moderate": 90.0,
    "sparse": 900.0,
}


@dataclass
class Roll:
    points: list[PhotoPoint]
    boundaries: list[int]  # index of the first photo of every event but the first
    habit: str


def make_roll(seed: int, habit: str = "mixed", events: int = 25, gps: bool = True,
              start_ts: float = 1_500_000_000.0) -> Roll:
    rng = np.random.default_rng(seed)
    t = start_ts
    points: list[PhotoPoint] = []
    boundaries: list[int] = []
    home = (rng.uniform(-50, 60), rng.uniform(-120, 140))
    pid = 0
    for e in range(events):
        h = habit if habit != "mixed" else rng.choice(list(HABITS))
        rhythm = HABITS[h] * float(np.exp(rng.normal(0, 0.4)))
        n = int(np.clip(np.exp(rng.normal(np.log(25 if h != "sparse" else 10), 0.8)), 2, 300))
        far = rng.random() < 0.3
        centre = (home[0] + rng.normal(0, 1.0 if far else 0.05), home[1] + rng.normal(0, 1.0 if far else 0.05))
        if e:
            # The pause before the event: 20 minutes to a few days, and at
            # least ten times the event's rhythm (else nobody would call it a new event).
            pause = float(np.exp(rng.uniform(np.log(20 * 60), np.log(4 * 86400))))
            t += max(pause, 10 * rhythm)
            boundaries.append(len(points))
        for i in range(n):
            if i:
                t += float(rng.exponential(rhythm))
            lat = centre[0] + rng.normal(0, 0.003)
            lon = centre[1] + rng.normal(0, 0.003)
            points.append(PhotoPoint(pid, t, lat if gps else None, lon if gps else None, "roll", f"h{seed}-{pid}"))
            pid += 1
    return Roll(points, boundaries, habit)


def found_boundaries(groups) -> list[int]:
    """Indices (in time order) where each group after the first starts."""
    out, index = [], 0
    for g in groups[:-1]:
        index += len(g.photos)
        out.append(index)
    return out

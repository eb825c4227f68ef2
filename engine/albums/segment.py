"""Grouping photos into albums: by folder, by time (events in a camera roll),
or automatically (folders that look like albums stay albums; dump folders such
as DCIM, Camera Roll or Downloads are cut into events by time).

Time segmentation is adaptive to how densely the person shoots: a gap splits
two events when it is long *relative to the shooting rhythm around it* (the
median gap of the neighbouring photos), not longer than one fixed duration. A
burst shooter's 25-minute pause between a ceremony and a dinner is a break; a
hiker's 25 minutes between two views is not. A jump in GPS position (travel)
adds evidence. Pure functions on plain records: no catalog, no I/O.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Iterable, Optional, Sequence


@dataclass(frozen=True)
class PhotoPoint:
    id: int
    ts: Optional[float]  # capture time, seconds
    lat: Optional[float] = None
    lon: Optional[float] = None
    folder: str = ""
    content_hash: str = ""
    day: str = ""  # local calendar day of a real capture date ("2013-05-12"); "" when unknown


@dataclass(frozen=True)
class SegmentParams:
    window: int = 8              # neighbouring gaps on each side that set the local rhythm
    ratio: float = 8.0           # a gap this many times the local typical gap is a boundary
    min_gap_s: float = 20 * 60   # ...but never shorter than this
    typical_floor_s: float = 60  # bursts (1 s apart) do not make every minute a boundary
    max_gap_s: float = 24 * 3600 # always a boundary (nobody's event has a day without a photo... mostly)
    jump_km: float = 20.0        # travelled this far between two photos: a new place
    jump_min_gap_s: float = 15 * 60  # with at least this much time (photos from a moving car stay together)


@dataclass
class Group:
    """A proposed album: its photos in capture order and where it came from."""

    source: str  # "folder" | "time" | "trip" (time events on consecutive days away from home)
    folder: str
    photos: list[PhotoPoint] = field(default_factory=list)

    @property
    def key(self) -> str:
        if self.source == "folder":
            return f"folder:{self.folder}"
        first = self.photos[0] if self.photos else None
        return f"{self.source}:{first.content_hash or first.id}" if first else f"{self.source}:empty"


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def _median(values: Sequence[float]) -> float:
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


def boundary_flags(points: Sequence[PhotoPoint], params: SegmentParams = SegmentParams()) -> list[bool]:
    """For time-sorted ``points`` (all with a time): whether a new event starts
    between point i and i+1 (len(points) - 1 flags)."""
    n = len(points)
    if n < 2:
        return []
    gaps = [max(0.0, points[i + 1].ts - points[i].ts) for i in range(n - 1)]
    # The last known position before each photo (GPS is often on some photos only).
    last_pos: list[Optional[tuple[float, float, float]]] = []
    pos = None
    for p in points:
        if p.lat is not None and p.lon is not None:
            pos = (p.lat, p.lon, p.ts)
        last_pos.append(pos)
    flags = []
    for i, gap in enumerate(gaps):
        # The rhythm on each side, separately: the slower side sets the bar, so
        # a hike's 20-minute gaps are not judged by the burst-shot party before it.
        left = gaps[max(0, i - params.window):i]
        right = gaps[i + 1:i + 1 + params.window]
        sides = [_median(side) for side in (left, right) if side]
        typical = max(max(sides) if sides else gap, params.typical_floor_s)
        split = gap >= params.max_gap_s or (gap >= params.min_gap_s and gap >= params.ratio * typical)
        if not split and gap >= params.jump_min_gap_s:
            q = points[i + 1]
            before = last_pos[i]
            if before is not None and q.lat is not None and q.lon is not None:
                split = haversine_km(before[0], before[1], q.lat, q.lon) >= params.jump_km
        flags.append(split)
    return flags


def segment_by_time(points: Iterable[PhotoPoint], params: SegmentParams = SegmentParams(),
                    folder: str = "") -> list[Group]:
    """Events of a camera roll: photos sorted by time, cut at the boundaries.
    Photos without a capture time form one "undated" group at the end."""
    points = list(points)
    dated = sorted((p for p in points if p.ts is not None), key=lambda p: (p.ts, p.id))
    undated = sorted((p for p in points if p.ts is None), key=lambda p: p.id)
    groups: list[Group] = []
    if dated:
        current = Group("time", folder, [dated[0]])
        for p, split in zip(dated[1:], boundary_flags(dated, params)):
            if split:
                groups.append(current)
                current = Group("time", folder, [])
            current.photos.append(p)
        groups.append(current)
    if undated:
        groups.append(Group("time", folder, undated))
    return groups


# Folder names of cameras, phones and downloads: photos dumped there are a
# camera roll, not an album someone made.
DUMP_NAME = re.compile(
    r"^(dcim|camera|camera ?roll|camera uploads|mobile uploads|downloads?|pictures|photos|images|"
    r"my pictures|my photos|screenshots?|whatsapp images|telegram images|icloud photos|google photos|"
    r"takeout|photos from .*|unsorted|misc|new folder|import(ed)?|\d{3}[a-z_]{5}|\d{3}_?\d{4}|"
    r"\d{3}apple|\d{3}media|\d{3}andro|dcim_\w+)$",
    re.IGNORECASE,
)
DUMP_SPAN_DAYS = 21.0   # a big folder spanning more than this...
DUMP_MIN_EVENTS = 3     # ...and holding at least this many events is a dump too
DUMP_MIN_PHOTOS = 40    # (a small named folder is someone's selection, whatever its dates)


def is_dump_folder(folder: str, points: Sequence[PhotoPoint], params: SegmentParams = SegmentParams()) -> bool:
    """Whether a folder looks like a camera roll rather than an album."""
    name = PurePath(folder).name if folder else ""
    if DUMP_NAME.match(name.strip()):
        return True
    times = [p.ts for p in points if p.ts is not None]
    if len(times) < DUMP_MIN_PHOTOS or (max(times) - min(times)) < DUMP_SPAN_DAYS * 86400:
        return False
    return len(segment_by_time(points, params)) >= DUMP_MIN_EVENTS


def group_photos(points: Sequence[PhotoPoint], mode: str, params: SegmentParams = SegmentParams()) -> list[Group]:
    """Albums for ``mode``: "folders" (one per folder), "time" (events over the
    whole library) or "auto" (folders, time segmentation inside dumps)."""
    if mode not in ("folders", "time", "auto"):
        raise ValueError(f"mode must be folders, time or auto, not {mode!r}")
    if mode == "time":
        return segment_by_time(points, params)
    by_folder: dict[str, list[PhotoPoint]] = {}
    for p in points:
        by_folder.setdefault(p.folder, []).append(p)
    groups: list[Group] = []
    for folder in sorted(by_folder):
        members = by_folder[folder]
        if mode == "auto" and is_dump_folder(folder, members, params):
            groups.extend(segment_by_time(members, params, folder))
        else:
            ordered = sorted(members, key=lambda p: (p.ts is None, p.ts or 0.0, p.id))
            groups.append(Group("folder", folder, ordered))
    return groups


def boundary_scores(truth: Sequence[int], found: Sequence[int], tolerance: int = 0) -> dict[str, float]:
    """Precision / recall / F1 of event boundaries (indices of the first photo
    of each new event, the first event excluded)."""
    truth_set, found_set = set(truth), set(found)
    if tolerance:
        hit = {f for f in found_set if any(abs(f - t) <= tolerance for t in truth_set)}
        matched = {t for t in truth_set if any(abs(f - t) <= tolerance for f in found_set)}
    else:
        hit = matched = truth_set & found_set
    precision = len(hit) / len(found_set) if found_set else 1.0
    recall = len(matched) / len(truth_set) if truth_set else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "true": len(truth_set), "found": len(found_set)}

"""The runner of per-photo stages: one pass over the photos for all of them.

For the stages given: the to-do (contents with no finished run at the
stage's version), jobs of a few photos each run by ``worker.run_job`` in a
process pool sized to the machine (``pool``), results written in the main
process (the catalog's one writer) as jobs finish, progress per photo,
cancel between jobs (what finished is written), failures per photo with
their reason. Returns a summary per stage.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import Optional

from ..pipeline import PhotoStage
from ..progress import CancelToken, ProgressCallback, ProgressMeter
from ..runtime import batches
from ..settings import Settings
from .worker import FAILED, Job, JobResult, run_job

log = logging.getLogger(__name__)

JOB_PHOTOS = 8  # photos per job: the batch of the ONNX models, the unit of progress
MAX_FAILURES_LISTED = 20


def _todo(catalog, stages: list[PhotoStage]) -> tuple[list, dict[str, tuple[str, ...]]]:
    """Photos (one per content, in capture order) and the stages each needs."""
    pending: dict[str, list[str]] = {}
    photos: dict[str, object] = {}
    for s in stages:
        for p in catalog.photos_needing_stage(s.name, s.version):
            photos.setdefault(p.content_hash, p)
            pending.setdefault(p.content_hash, []).append(s.name)
    order = sorted(photos.values(), key=lambda p: (p.capture_ts is None, p.capture_ts or 0, p.id))
    names = [s.name for s in stages]
    return order, {h: tuple(n for n in names if n in v) for h, v in pending.items()}


def _make_job(catalog, stages: list[PhotoStage], photos: list, pending: dict, settings: Settings) -> Job:
    loaded: list[dict] = [{} for _ in photos]
    for s in stages:
        if s.load is None:
            continue
        mine = [p for p in photos if s.name in pending[p.content_hash]]
        if not mine:
            continue
        values = s.load(catalog, mine) or {}
        for i, p in enumerate(photos):
            if p.content_hash in values:
                loaded[i][s.name] = values[p.content_hash]
    return Job(tuple(s.name for s in stages), photos, [pending[p.content_hash] for p in photos], loaded, settings,
               list(stages))


def run_photo_stages(catalog, settings: Settings, stages: list[PhotoStage], progress: ProgressCallback,
                     cancel: CancelToken, workers: Optional[int] = None) -> dict[str, dict]:
    from .pool import JobPool

    started = time.monotonic()
    photos, pending = _todo(catalog, stages)
    summaries: dict[str, dict] = {s.name: {"photos": 0, "failed": 0} for s in stages}
    meter = ProgressMeter("+".join(s.name for s in stages), progress, total=len(photos))
    meter.emit("analysing photos")
    if not photos:
        for s in summaries.values():
            s["seconds"] = 0.0
        return summaries
    active = [s for s in stages if any(s.name in v for v in pending.values())]
    for s in active:
        if s.prepare is not None:
            s.prepare(settings)  # exports models once, before any worker loads them
    seconds: dict[str, float] = {}
    failures: dict[str, list] = {s.name: [] for s in stages}
    by_name = {s.name: s for s in stages}
    jobs = batches(photos, JOB_PHOTOS)
    with JobPool(settings, len(photos), JOB_PHOTOS, workers) as pool:
        in_flight: deque = deque()
        for chunk in jobs:
            cancel.raise_if_cancelled()
            in_flight.append((chunk, pool.submit(_make_job(catalog, active, chunk, pending, settings))))
            while len(in_flight) >= pool.depth:
                _write(catalog, by_name, *_take(in_flight, pool), summaries, failures, seconds, meter)
                cancel.raise_if_cancelled()
        while in_flight:
            _write(catalog, by_name, *_take(in_flight, pool), summaries, failures, seconds, meter)
            cancel.raise_if_cancelled()
    meter.emit("done")
    wall = time.monotonic() - started
    total_cpu = sum(seconds.values()) or 1.0
    for name, s in summaries.items():
        if failures[name]:
            s["failures"] = failures[name]
        # Each stage's share of the pass (worker time, decoding shared pro rata).
        s["seconds"] = round(wall * seconds.get(name, 0.0) / total_cpu, 2)
        s["compute_seconds"] = round(seconds.get(name, 0.0), 2)
    first = summaries[stages[0].name]
    first["pass"] = {"photos": len(photos), "wall_seconds": round(wall, 2), "workers": pool.workers,
                     "decode_seconds": round(seconds.get("decode", 0.0), 2)}
    return summaries


def _take(in_flight: deque, pool) -> tuple[list, JobResult]:
    chunk, handle = in_flight.popleft()
    return chunk, pool.result(handle, chunk)


def _write(catalog, by_name: dict[str, PhotoStage], chunk: list, result: JobResult, summaries: dict,
           failures: dict, seconds: dict, meter: ProgressMeter) -> None:
    for name, value in result.seconds.items():
        seconds[name] = seconds.get(name, 0.0) + value
    for name, stage in by_name.items():
        done, failed = [], []
        for photo, per_photo in zip(chunk, result.results):
            if name not in per_photo:
                continue
            status, value = per_photo[name]
            if status == FAILED:
                failed.append((photo, value))
            else:
                done.append((photo, value))
        if done:
            counts = stage.write(catalog, done) or {}
            for key, n in counts.items():
                summaries[name][key] = summaries[name].get(key, 0) + n
            catalog.mark_stage([p.content_hash for p, _ in done], name, stage.version)
        for photo, reason in failed:
            log.warning("%s: %s: %s", name, photo.display_path, reason)
            catalog.mark_stage([photo.content_hash], name, stage.version, FAILED, reason)
            if len(failures[name]) < MAX_FAILURES_LISTED:
                failures[name].append({"path": photo.display_path, "reason": reason})
        summaries[name]["photos"] += len(done) + len(failed)
        summaries[name]["failed"] += len(failed)
    meter.advance(len(chunk), chunk[-1].display_path[-60:])


__all__ = ["JOB_PHOTOS", "run_job", "run_photo_stages"]

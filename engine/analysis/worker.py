"""What a worker process does with a job: a few photos through every pending
per-photo stage, each file decoded once (``imaging.decoded``).

Runs in the process pool (``analysis.pool``) or, for small jobs, in the
main process; only results go back (keys starting with ``_`` stay here).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any, Optional

from ..errors import DecodeError
from ..pipeline import Need, PhotoInput, PhotoStage, stage_named
from ..settings import Settings

FAILED = "failed"


@dataclass
class Job:
    stages: tuple[str, ...]  # pending per-photo stages, in run order
    photos: list  # catalog Photo objects
    pending: list[tuple[str, ...]]  # per photo: the stages it needs
    loaded: list[dict[str, Any]]  # per photo: stage name -> what its ``load`` read
    settings: Settings
    # The stage objects themselves when the job runs in this process (a
    # stage changed for a benchmark); workers look stages up by name.
    stage_objects: Optional[list] = None


@dataclass
class JobResult:
    # per photo: stage name -> ("ok", result) | ("failed", reason)
    results: list[dict[str, tuple[str, Any]]]
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, and "decode"


def reason_of(exc: BaseException, path: str) -> str:
    """The one-line reason a photo failed, stored with its stage state."""
    if isinstance(exc, (DecodeError, FileNotFoundError)) and not os.path.exists(path):
        return "file not found (moved or deleted since the scan)"
    if isinstance(exc, DecodeError):
        return str(exc)
    if isinstance(exc, (OSError, ValueError)) and not isinstance(exc, FileNotFoundError):
        return f"cannot read image: {exc}"
    return f"{type(exc).__name__}: {exc}"


def _needs(stages: list[PhotoStage], photo, names: tuple[str, ...]) -> list[tuple[str, Need]]:
    """(stage, need) of the stages of ``names`` that need pixels; sizes that
    depend on the file use the catalog's upright size of the photo."""
    from ..imaging.decode import is_raw

    w, h = photo.width or 0, photo.height or 0
    jpeg = (photo.format or "").upper() in ("JPEG", "JPG") and not is_raw(photo.path)
    out = []
    for s in stages:
        if s.name in names:
            need = s.need_for(w, h, jpeg)
            if need is not None:
                out.append((s.name, need))
    return out


def run_job(job: Job) -> JobResult:
    from ..imaging.decoded import DecodedPhoto

    stages = job.stage_objects or [stage_named(n) for n in job.stages]
    seconds: dict[str, float] = {}
    results: list[dict[str, tuple[str, Any]]] = [{} for _ in job.photos]
    decoded: list[DecodedPhoto] = []
    needs: list[dict[str, Need]] = []
    for photo, names in zip(job.photos, job.pending):
        wanted = dict(_needs(stages, photo, names))
        # Decoded when a stage first asks (a stage may not: embed reads the thumbnail).
        decoded.append(DecodedPhoto(photo.path, list(wanted.values()), job.settings.prefs.max_megapixels))
        needs.append(wanted)
    for stage in stages:
        t0 = time.perf_counter()
        decode_before = sum(dp.decode_seconds for dp in decoded)
        inputs, where = [], []
        for i, (photo, names) in enumerate(zip(job.photos, job.pending)):
            if stage.name not in names:
                continue
            upstream = {r: results[i][r][1] for r in stage.reads if results[i].get(r, (FAILED,))[0] == "ok"}
            need = needs[i].get(stage.name)
            image = (lambda dp=decoded[i], n=need: dp.image(n)) if need is not None else None
            inputs.append(PhotoInput(photo, job.settings, upstream, job.loaded[i].get(stage.name), image))
            where.append(i)
        if stage.compute_batch is not None and inputs:
            try:
                outs = stage.compute_batch(inputs)
            except Exception:  # noqa: BLE001 - the batch failed: try each photo alone
                outs = []
                for inp in inputs:
                    try:
                        outs.append(stage.compute_batch([inp])[0])
                    except Exception as one:  # noqa: BLE001
                        outs.append(one)
        else:
            outs = []
            for inp in inputs:
                try:
                    outs.append(stage.compute(inp))
                except Exception as exc:  # noqa: BLE001 - one bad photo must not stop the stage
                    outs.append(exc)
        for i, out in zip(where, outs):
            if isinstance(out, BaseException):
                results[i][stage.name] = (FAILED, reason_of(out, job.photos[i].path))
            else:
                results[i][stage.name] = ("ok", out)
        decode_spent = sum(dp.decode_seconds for dp in decoded) - decode_before
        seconds["decode"] = seconds.get("decode", 0.0) + decode_spent
        seconds[stage.name] = seconds.get(stage.name, 0.0) + time.perf_counter() - t0 - decode_spent
    for dp in decoded:
        dp.release()
    # Only what the main process writes travels back.
    for per_photo in results:
        for name, (status, value) in per_photo.items():
            if status == "ok" and isinstance(value, dict):
                per_photo[name] = (status, {k: v for k, v in value.items() if not str(k).startswith("_")})
    return JobResult(results, seconds)

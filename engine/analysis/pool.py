"""The process pool of the per-photo pass, sized to the machine.

Decoding and the CPU models (dlib, OCR, ONNX on the CPU) hold Python's GIL
for long stretches or use one core each, so the work runs in worker
processes, one per core (fewer when memory is short: each holds its models,
~1.2 GB), every library inside single-threaded so that the workers do not
fight over the cores. Workers start by ``spawn`` (no fork of a process that
holds SQLite connections and threads). A job that kills its worker (a
decoder crash) is run again photo by photo, so that only the photo that
crashes fails, with that reason. Small jobs (a few photos, or one worker)
run in the calling process: starting workers costs seconds.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import Optional

from ..settings import Settings
from .worker import FAILED, Job, JobResult, run_job

log = logging.getLogger(__name__)

WORKER_MEMORY_BYTES = 1300 * 2**20  # measured: ~1.2 GB per worker with every model loaded (12 MP photos)
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
CRASH_REASON = "analysis crashed on this file (a decoder or model fault); it is not tried again until it changes"


def _available_memory() -> Optional[int]:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def pool_size(settings: Settings, photos: int, job_photos: int) -> int:
    workers = max(1, settings.workers)
    memory = _available_memory()
    if memory is not None:
        workers = min(workers, max(1, memory // WORKER_MEMORY_BYTES))
    jobs = -(-photos // job_photos)
    return max(1, min(workers, jobs))


def _init_worker() -> None:
    # Ctrl-C reaches the whole process group: the main process cancels at
    # the next job; a worker interrupted mid-photo would look like a crash.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for var in THREAD_VARS:
        os.environ[var] = "1"
    import cv2

    cv2.setNumThreads(1)


class JobPool:
    """``submit(job)`` / ``result(handle, photos)``; in-process when one worker suffices."""

    def __init__(self, settings: Settings, photos: int, job_photos: int, workers: Optional[int] = None) -> None:
        self.workers = workers or pool_size(settings, photos, job_photos)
        self._executor: Optional[ProcessPoolExecutor] = None
        # Jobs in flight: enough to keep every worker busy while results are written.
        self.depth = 2 * self.workers

    def __enter__(self) -> "JobPool":
        if self.workers > 1:
            self._start()
        return self

    def _start(self) -> None:
        self._executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_init_worker)

    def __exit__(self, *exc) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def submit(self, job: Job):
        if self._executor is None:
            return job  # run when its result is asked for, in this process
        # One thread per library inside a worker: the pool is the parallelism.
        future = self._executor.submit(run_job, replace(job, settings=replace(job.settings, workers=1),
                                                        stage_objects=None))
        future.job = job  # type: ignore[attr-defined]  # to run again after a crash
        return future

    def result(self, handle, photos: list) -> JobResult:
        if isinstance(handle, Job):
            return run_job(handle)
        assert isinstance(handle, Future)
        try:
            return handle.result()
        except BrokenProcessPool:
            return self._after_crash(handle, photos)

    def _after_crash(self, handle: Future, photos: list) -> JobResult:
        log.warning("a worker process crashed; its photos are analysed again one by one")
        job: Job = handle.job  # type: ignore[attr-defined]
        self.__exit__(None, None, None)
        self._start()
        results, seconds = [], {}
        for i in range(len(job.photos)):
            one = replace(job, photos=job.photos[i:i + 1], pending=job.pending[i:i + 1], loaded=job.loaded[i:i + 1],
                          settings=replace(job.settings, workers=1), stage_objects=None)
            try:
                out = self._executor.submit(run_job, one).result()
                results += out.results
                for k, v in out.seconds.items():
                    seconds[k] = seconds.get(k, 0.0) + v
            except BrokenProcessPool:
                results.append({name: (FAILED, CRASH_REASON) for name in job.pending[i]})
                self.__exit__(None, None, None)
                self._start()
        return JobResult(results, seconds)

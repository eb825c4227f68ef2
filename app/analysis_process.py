"""Runs analysis in a child process (``analysis_child``) from a worker lane,
turning its JSON lines into progress and its end into a result.

The catalog allows one writing process; the window lends its lock to its own
child for the time of the run (``lock.release`` / ``lock.acquire``, the same
calls the catalog makes when it opens and closes) and takes it back after.
If the child still finds the catalog locked (another catalog object of this
process holds it too, as in tests), analysis runs in this process instead.
"""

from __future__ import annotations

import json
import logging
import os
import select
import signal
import subprocess
import sys
import time
from typing import Callable, Optional

from photoorg.engine.catalog import lock
from photoorg.engine.errors import PhotoOrgError
from photoorg.engine.pipeline import run_stages
from photoorg.engine.progress import CancelToken, Progress

from .analysis_child import LOCKED_EXIT, progress_from

log = logging.getLogger(__name__)
CANCEL_GRACE_S = 20.0


class AnalysisFailed(PhotoOrgError):
    pass


def run_analysis(catalog, settings, token: CancelToken, progress: Callable[[Progress], None],
                 only: Optional[list[str]] = None, *, in_process: bool = False) -> list[dict]:
    """Outcomes as JSON dicts (``StageOutcome.to_json``); runs on a worker thread."""
    if in_process:
        return [o.to_json() for o in run_stages(catalog, settings, progress, token, only)]
    lock.release(catalog.path)
    try:
        code, outcomes, error, stderr = _run_child(catalog.path, settings.workers, token, progress, only)
    finally:
        lock.acquire(catalog.path)
    if code == LOCKED_EXIT:
        log.info("analysis child found the catalog locked; running in this process")
        return [o.to_json() for o in run_stages(catalog, settings, progress, token, only)]
    if outcomes is not None:
        return outcomes
    if token.cancelled:
        return []
    reason = error or (stderr.strip().splitlines()[-1] if stderr.strip() else f"exit status {code}")
    raise AnalysisFailed(f"the analysis process stopped: {reason}")


def _run_child(path, workers: int, token: CancelToken, progress, only):
    cmd = [sys.executable, "-m", "photoorg.app.analysis_child", str(path), "--workers", str(workers)]
    if only:
        cmd += ["--only", *only]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    outcomes, error = None, None
    buffers = {child.stdout.fileno(): b"", child.stderr.fileno(): b""}
    stderr_tail: list[str] = []
    cancel_sent: Optional[float] = None
    open_fds = list(buffers)
    while open_fds:
        if token.cancelled and cancel_sent is None:
            cancel_sent = time.monotonic()
            try:
                child.send_signal(signal.SIGINT)
            except ProcessLookupError:
                pass
        if cancel_sent is not None and time.monotonic() - cancel_sent > CANCEL_GRACE_S:
            child.kill()
        ready, _, _ = select.select(open_fds, [], [], 0.2)
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                open_fds.remove(fd)
                continue
            data = buffers[fd] + chunk
            *lines, buffers[fd] = data.split(b"\n")
            for raw in lines:
                line = raw.decode("utf-8", "replace")
                if fd == child.stderr.fileno():
                    stderr_tail = (stderr_tail + [line])[-50:]
                    continue
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                if "progress" in msg:
                    progress(progress_from(msg["progress"]))
                elif "outcomes" in msg:
                    outcomes = msg["outcomes"]
                elif "error" in msg:
                    error = msg["error"]
    code = child.wait()
    for pipe in (child.stdin, child.stdout, child.stderr):
        try:
            pipe.close()
        except OSError:
            pass
    return code, outcomes, error, "\n".join(stderr_tail)

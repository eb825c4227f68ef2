"""Reading a video (probe + sampled frames) in a child process with a time
limit: a decoder that hangs or crashes on a hostile file costs that file,
never the analysis. The child stays up between files (starting one costs
about a second); it is replaced after a timeout or a crash."""

from __future__ import annotations

import multiprocessing as mp
import time
from typing import Optional

DEFAULT_TIME_LIMIT_S = 120.0


def read_job(path: str, mtime_ns: Optional[int], interval: float, budget_s: float) -> dict:
    """Probe and sample one file (runs in the child; also callable directly)."""
    import numpy as np

    from .frames import read_frames, read_keyframes, refine_cut, sample_times
    from .segments import find_cuts
    from .probe import VideoUnreadable, probe

    try:
        info = probe(path, mtime_ns)
    except VideoUnreadable as exc:
        return {"skip": str(exc)}
    out = {"info": info.to_json(), "times": [], "frames": None, "problems": list(info.problems), "decoded": 0}
    if not info.has_video or info.duration_s <= 0 and "no frame" in " ".join(info.problems):
        return out
    deadline = time.monotonic() + budget_s
    sampled = read_keyframes(path, info.duration_s, rotation=info.rotation, deadline=deadline)
    out["sampling"] = "keyframes"
    if sampled is None:
        times = sample_times(info.duration_s if info.duration_s > 0 else 1.0, interval)
        sampled = read_frames(path, times, rotation=info.rotation, deadline=deadline)
        out["sampling"] = "seek"
    if len(sampled.frames) > 1:
        # Cuts between samples, placed on the exact frame (one GOP decoded per cut).
        stack = sampled.stack()
        out["cuts"] = []
        for c in find_cuts(sampled.times, stack):
            i = int(np.searchsorted(sampled.times, c))
            exact = refine_cut(path, sampled.times[i - 1], sampled.times[i], rotation=info.rotation, deadline=deadline)
            out["cuts"].append(exact if exact is not None else c)
    out.update(times=sampled.times, frames=sampled.stack() if sampled.frames else None,
               problems=out["problems"] + sampled.problems, decoded=sampled.decoded)
    return out


def check_job(path: str) -> dict:
    """The scan's look at a new video (runs in the child): {"skip": reason}
    when no picture can be read (empty, not a container, a container that
    declares pictures it does not hold, sound only, no frame); {"note":
    reason} when the pictures stop before the announced end (truncated: it is
    catalogued with what can be read); {} when it plays."""
    from .frames import read_frames
    from .probe import VideoUnreadable, probe

    try:
        info = probe(path)
    except VideoUnreadable as exc:
        return {"skip": str(exc)}
    if not info.has_video:
        return {"skip": info.problems[0] if info.problems else "no video stream (sound only)"}
    if info.duration_s <= 0 and any("no frame" in p for p in info.problems):
        return {"skip": next(p for p in info.problems if "no frame" in p)}
    deadline = time.monotonic() + CHECK_BUDGET_S
    first = read_frames(path, [min(0.1, max(0.0, info.duration_s / 2))], rotation=info.rotation, width=64,
                        deadline=deadline)
    if not first.frames:
        return {"skip": "no picture could be decoded" + (f": {first.problems[0]}" if first.problems else "")}
    if info.duration_s > 2.0:
        last = read_frames(path, [info.duration_s * 0.95], rotation=info.rotation, width=64, deadline=deadline)
        if not last.frames or last.times[-1] < info.duration_s * 0.5:
            return {"note": f"truncated: the pictures stop before the end of its {info.duration_s:.0f} s; "
                            "catalogued with what can be read"}
    return {}


CHECK_BUDGET_S = 10.0


def _serve(conn) -> None:
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            conn.send(check_job(*job[1:]) if job[0] == "check" else read_job(*job))
        except Exception as exc:  # noqa: BLE001 - reported as this file's reason
            conn.send({"skip": f"not a readable video ({exc.__class__.__name__}: {exc})"})


class IsolatedReader:
    def __init__(self, time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> None:
        self.time_limit_s = time_limit_s
        self._ctx = mp.get_context("spawn")
        self._proc = None
        self._conn = None

    def _start(self) -> None:
        parent, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(target=_serve, args=(child,), daemon=True, name="photoorg-video-reader")
        self._proc.start()
        child.close()
        self._conn = parent

    def _stop(self) -> None:
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join(5)
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None

    def read(self, path: str, mtime_ns: Optional[int] = None, interval: float = 0.5) -> dict:
        # The child stops sampling by itself at 80 % of the limit and returns
        # what it has; the hard limit only catches a decoder that hangs.
        return self._ask((path, mtime_ns, interval, 0.8 * self.time_limit_s), self.time_limit_s + 10.0)

    def check(self, path: str) -> dict:
        """check_job in the child, with the scan's time limit per file."""
        return self._ask(("check", path), self.time_limit_s)

    def _ask(self, request: tuple, wait_s: float) -> dict:
        """Send one request to the child and wait for its answer; a crash or
        a hang stops the child and becomes the file's skip reason."""
        if self._proc is None or not self._proc.is_alive():
            self._start()
        self._conn.send(request)
        if self._conn.poll(wait_s):
            try:
                return self._conn.recv()
            except (EOFError, OSError):
                self._stop()
                return {"skip": "the video decoder crashed on this file"}
        self._stop()
        return {"skip": f"reading took longer than {self.time_limit_s:.0f} s (the time limit per file)"}

    def close(self) -> None:
        if self._conn is not None and self._proc is not None and self._proc.is_alive():
            try:
                self._conn.send(None)
            except OSError:
                pass
        self._stop()

    def __enter__(self) -> "IsolatedReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["DEFAULT_TIME_LIMIT_S", "IsolatedReader", "check_job", "read_job"]

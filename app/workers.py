"""Engine work off the GUI thread, with every outcome delivered on it.

The idea is Picard's ``util/thread.py``: a task runs on a worker thread and
always reports exactly one outcome back on the GUI thread: its result, its
error (as a sentence a person can read), or that it was cancelled. Nothing
is left hanging when a task raises, so no progress display can get stuck.

Tasks run in named lanes, one thread per lane, in submission order: "edit"
(the user's small catalog writes, never reordered), "query" (grid and view
reads), "work" (scan, analysis, curation: long, cancellable), "preview" (full
size images). A task submitted with a ``key`` replaces a queued, not yet
started task of the same key (a newer grid query makes the older pointless).
Closing the window calls ``shutdown``: every token is cancelled and the lanes
are joined with a time limit.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from PySide6.QtCore import QObject, Qt, Signal, Slot

from photoorg.engine.errors import Cancelled, PhotoOrgError
from photoorg.engine.progress import CancelToken, Progress

log = logging.getLogger(__name__)

TaskFn = Callable[[CancelToken, Callable[[Progress], None]], Any]


def lower_priority(step: int = 8) -> None:
    """Make the calling (background) thread yield the CPU to the GUI thread:
    on a busy machine the window then keeps painting while work goes on.
    Linux schedules threads as tasks, so a thread can be niced alone."""
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, current + step))
    except (AttributeError, OSError):
        pass


def describe_error(exc: BaseException) -> str:
    """A one-line, readable reason (domain errors carry their own)."""
    if isinstance(exc, PhotoOrgError):
        return " ".join(str(exc).split())
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.strerror or type(exc).__name__}: {exc.filename}"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@dataclass(eq=False)
class Task:
    """A handle on submitted work; callbacks run on the GUI thread."""

    name: str
    fn: TaskFn
    lane: str
    key: Optional[str] = None
    on_done: Optional[Callable[[Any], None]] = None
    on_error: Optional[Callable[[str], None]] = None
    on_progress: Optional[Callable[[Progress], None]] = None
    on_cancelled: Optional[Callable[[], None]] = None
    token: CancelToken = field(default_factory=CancelToken)
    state: str = "queued"  # queued | running | done | failed | cancelled
    error: Optional[str] = None
    details: Optional[str] = None
    result: Any = None
    started_at: Optional[float] = None
    last_progress: Optional[Progress] = None
    _pending_progress: Optional[Progress] = None
    _progress_posted: bool = False

    def cancel(self) -> None:
        self.token.cancel()

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed", "cancelled")


class _Relay(QObject):
    """Lives on the GUI thread; worker threads post outcomes to it (queued)."""

    posted = Signal(object, str, object)

    def __init__(self, runner: "TaskRunner") -> None:
        super().__init__(runner)
        self._runner = runner
        self.posted.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(object, str, object)
    def _deliver(self, task: Task, kind: str, payload: Any) -> None:
        self._runner._deliver(task, kind, payload)


class _Lane:
    def __init__(self, name: str, runner: "TaskRunner") -> None:
        self.name = name
        self.queue: "queue.Queue[Optional[Task]]" = queue.Queue()
        self.runner = runner
        self.current: Optional[Task] = None
        self.thread = threading.Thread(target=self._loop, name=f"photoorg-{name}", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        lower_priority()
        while True:
            task = self.queue.get()
            if task is None:
                return
            if task.token.cancelled:
                self.runner._post(task, "cancelled", None)
                continue
            self.current = task
            task.started_at = time.monotonic()
            self.runner._post(task, "started", None)
            try:
                result = task.fn(task.token, lambda p, t=task: self.runner._post_progress(t, p))
            except (Cancelled, KeyboardInterrupt):
                self.runner._post(task, "cancelled", None)
            except BaseException as exc:  # noqa: BLE001 - every failure must reach the GUI
                # A domain error is the user's to read, not a bug: no traceback in the log.
                log.warning("task %s failed: %s", task.name, describe_error(exc),
                            exc_info=not isinstance(exc, PhotoOrgError))
                self.runner._post(task, "failed", (describe_error(exc), traceback.format_exc()))
            else:
                if task.token.cancelled and result is None:
                    self.runner._post(task, "cancelled", None)
                else:
                    self.runner._post(task, "done", result)
            finally:
                self.current = None


class TaskRunner(QObject):
    """Submits engine calls to worker lanes; signals describe their life."""

    task_started = Signal(object)  # Task
    task_progress = Signal(object)  # Task (its last_progress updated)
    task_finished = Signal(object)  # Task (state done | failed | cancelled)

    def __init__(self, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self._relay = _Relay(self)
        self._lanes: dict[str, _Lane] = {}
        self._tasks: list[Task] = []
        self._guard = threading.Lock()
        self._closed = False

    # -- submitting ------------------------------------------------------------
    def submit(self, name: str, fn: TaskFn, *, lane: str = "work", key: Optional[str] = None,
               on_done=None, on_error=None, on_progress=None, on_cancelled=None) -> Task:
        task = Task(name, fn, lane, key, on_done, on_error, on_progress, on_cancelled)
        if self._closed:
            task.state = "cancelled"
            return task
        with self._guard:
            if key is not None:
                for old in self._tasks:
                    if old.key == key and old.state == "queued":
                        old.cancel()
            self._tasks.append(task)
            lane_obj = self._lanes.get(lane) or self._lanes.setdefault(lane, _Lane(lane, self))
        lane_obj.queue.put(task)
        return task

    def call(self, name: str, fn: Callable[[], Any], **kwargs) -> Task:
        """Submit a plain function that needs no token or progress."""
        return self.submit(name, lambda token, progress: fn(), **kwargs)

    def active(self, lane: Optional[str] = None) -> list[Task]:
        with self._guard:
            return [t for t in self._tasks if not t.finished and (lane is None or t.lane == lane)]

    def idle(self) -> bool:
        return not self.active()

    # -- from worker threads -------------------------------------------------------
    def _post(self, task: Task, kind: str, payload: Any) -> None:
        if not self._closed:
            self._relay.posted.emit(task, kind, payload)
        elif kind in ("done", "failed", "cancelled"):
            task.state = "cancelled" if kind == "cancelled" else kind

    def _post_progress(self, task: Task, progress: Progress) -> None:
        # Coalesced: at most one progress event per task waits in the queue.
        task._pending_progress = progress
        if not task._progress_posted:
            task._progress_posted = True
            self._post(task, "progress", None)

    # -- on the GUI thread -----------------------------------------------------------
    def _deliver(self, task: Task, kind: str, payload: Any) -> None:
        if self._closed:
            return
        if kind == "started":
            task.state = "running"
            self.task_started.emit(task)
            return
        if kind == "progress":
            task._progress_posted = False
            task.last_progress = task._pending_progress
            if task.last_progress is not None:
                if task.on_progress:
                    self._safe(task, task.on_progress, task.last_progress)
                self.task_progress.emit(task)
            return
        with self._guard:
            if task in self._tasks:
                self._tasks.remove(task)
        if kind == "done":
            task.state = "done"
            task.result = payload
            if task.on_done:
                self._safe(task, task.on_done, payload)
        elif kind == "failed":
            task.state = "failed"
            task.error, task.details = payload
            if task.on_error:
                self._safe(task, task.on_error, task.error)
        else:
            task.state = "cancelled"
            if task.on_cancelled:
                self._safe(task, task.on_cancelled)
        self.task_finished.emit(task)

    def _safe(self, task: Task, fn, *args) -> None:
        """A callback's own bug is logged and shown, never lost in the event loop."""
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001
            log.exception("callback of task %s failed", task.name)
            if task.state == "done":
                task.state = "failed"
                task.error = f"showing the result failed: {describe_error(exc)}"

    # -- closing -----------------------------------------------------------------
    def cancel_all(self) -> None:
        for task in self.active():
            task.cancel()

    def shutdown(self, timeout_s: float = 10.0) -> bool:
        """Cancel everything and wait for the lanes; True if all stopped in time."""
        self.cancel_all()
        self._closed = True
        lanes = list(self._lanes.values())
        for lane in lanes:
            lane.queue.put(None)
        deadline = time.monotonic() + timeout_s
        for lane in lanes:
            lane.thread.join(max(0.0, deadline - time.monotonic()))
        return all(not lane.thread.is_alive() for lane in lanes)

"""XMP sidecars for the window's edits (ratings, flags, series picks, the
keepers of a clean-up), when the user opted in (``Preferences.xmp_write``).

Edits ask for the sidecars of some photos; the ids are gathered and one task
on the "xmp" lane writes them all through the engine
(``engine.xmp.write.write_photo_sidecar``, which merges into what other tools
wrote). Culling fast through a folder makes one task, not one per key press,
and the GUI thread never touches a file. A sidecar that cannot be written is
reported once per batch, with the reason.
"""

from __future__ import annotations

import threading
from typing import Iterable, Optional

from .workers import Task

LANE = "xmp"


class SidecarWriter:
    def __init__(self, session) -> None:
        self.session = session
        self._pending: set[int] = set()
        self._guard = threading.Lock()
        self._task: Optional[Task] = None
        self._scheduled = False  # a task is queued that has not taken the pending ids yet
        self.written = 0  # sidecars written this session

    def enabled(self) -> bool:
        return bool(self.session.settings.prefs.xmp_write)

    def request(self, photo_ids: Iterable[int]) -> Optional[Task]:
        """Write the sidecars of these photos soon. Called once the edit is
        in the catalog (from its task's ``on_done``): the sidecar is made
        from the catalog's state."""
        if not self.enabled() or self.session.closed:
            return None
        with self._guard:
            self._pending.update(int(p) for p in photo_ids if p is not None)
            if not self._pending or self._scheduled:
                return self._task
            self._scheduled = True
        self._task = self.session.runner.submit("write XMP sidecars", self._work, lane=LANE,
                                                on_done=self._done, on_error=self._failed,
                                                on_cancelled=self._cancelled)
        return self._task

    def _work(self, token, progress) -> dict:
        from photoorg.engine.xmp.write import write_photo_sidecar

        with self._guard:
            ids, self._pending = sorted(self._pending), set()
            self._scheduled = False
        catalog, settings = self.session.catalog, self.session.settings
        written, failed = [], []
        for i, pid in enumerate(ids):
            if token.cancelled:
                with self._guard:
                    self._pending.update(ids[i:])
                break
            try:
                path = write_photo_sidecar(catalog, settings, pid)
            except Exception as exc:  # noqa: BLE001 - one bad sidecar must not stop the others
                failed.append(f"{exc}")
                continue
            if path:
                written.append(path)
        return {"written": written, "failed": failed}

    def flush(self) -> int:
        """Write what is still pending, on the calling thread (the session
        calls this while closing, once its lanes have stopped). Returns how
        many sidecars were written."""
        from photoorg.engine.progress import CancelToken

        with self._guard:
            if not self._pending:
                return 0
            self._scheduled = True
        result = self._work(CancelToken(), lambda _p: None)
        self.written += len(result["written"])
        return len(result["written"])

    def _done(self, result: dict) -> None:
        self._reschedule()
        self.written += len(result["written"])
        if result["failed"]:
            n = len(result["failed"])
            self.session.error.emit(f"{n} XMP sidecar{'s were' if n != 1 else ' was'} not written: "
                                    f"{result['failed'][0]}")

    def _reschedule(self) -> None:
        """Ids left by a cancelled batch (or added meanwhile) get a new task."""
        with self._guard:
            left = bool(self._pending) and not self._scheduled
        if left and not self.session.closed:
            self.request(())

    def _cancelled(self) -> None:
        with self._guard:
            self._scheduled = False

    def _failed(self, message: str) -> None:
        self._cancelled()
        self.session.error.emit(f"XMP sidecars were not written: {message}")

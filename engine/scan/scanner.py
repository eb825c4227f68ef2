"""The scan stage: folders in, an up-to-date catalog out.

- Unchanged files (same size and modification time, and same sidecar time)
  cost a stat, never a read.
- New or changed files are read in worker processes (``extract``); results are
  written in batched transactions, so thumbnails and rows appear while the scan
  runs and an interruption keeps everything finished so far.
- A new path whose content matches a catalogued photo that is no longer on disk
  is a move: the photo keeps its id and therefore all its analysis.
- Only a complete walk marks photos missing (never deleted from the catalog);
  a cancelled scan marks nothing.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from ..errors import Cancelled
from ..paths import display
from ..progress import CancelToken, ProgressCallback, ProgressMeter, no_progress
from ..settings import Settings
from .extract import ExtractConfig, Extracted, FileTask, Skipped, extract
from .walker import FileEntry, WalkProblem, walk

BATCH_SECONDS = 0.5
BATCH_SIZE = 200


@dataclass
class ScanSummary:
    scan_id: int
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: int = 0
    missing: int = 0
    found_again: int = 0
    videos: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    cancelled: bool = False
    elapsed_s: float = 0.0

    def counts(self) -> dict[str, int]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "moved": self.moved, "missing": self.missing, "skipped": len(self.skipped)}

    def to_json(self) -> dict[str, Any]:
        return {"scan_id": self.scan_id, **self.counts(), "found_again": self.found_again,
                "videos": self.videos, "cancelled": self.cancelled,
                "elapsed_s": round(self.elapsed_s, 3), "skipped": self.skipped}


def _worker_init() -> None:
    # Ctrl-C goes to the parent, which cancels cleanly; workers just finish.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Inline:
    """A stand-in executor that runs tasks in this process (workers=0)."""

    def submit(self, fn, *args) -> Future:
        fut: Future = Future()
        fut.set_result(fn(*args))
        return fut

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


class Scanner:
    def __init__(self, catalog, settings: Settings, progress: ProgressCallback = no_progress,
                 cancel: Optional[CancelToken] = None) -> None:
        self.catalog = catalog
        self.settings = settings
        self.cancel = cancel or CancelToken()
        self.meter = ProgressMeter("scan", progress)
        self.config = ExtractConfig(str(settings.thumbs_dir), settings.thumbnail_px,
                                    settings.prefs.max_megapixels)

    def run(self, roots: Iterable[str]) -> ScanSummary:
        started = time.monotonic()
        roots = [os.path.abspath(os.path.expanduser(r)) for r in roots]
        scan_id = self.catalog.start_scan_run(roots)
        summary = self._summary = ScanSummary(scan_id)
        self._seen: set[int] = set()
        self._claimed_moves: set[int] = set()
        self._reskipped: set[str] = set()
        self._pending_rows: list[tuple] = []
        self._last_flush = time.monotonic()
        self._executor_obj = None
        inflight: dict[Future, FileTask] = {}
        status, error = "done", ""
        try:
            entries = self._list(roots)
            known = self.catalog.known_photos_under(roots)
            known_skipped = self.catalog.known_skipped_under(roots)
            known_videos = self.catalog.known_videos_under(roots)
            seen_skipped: set[str] = set()
            seen_videos: set[int] = set()
            found_again: list[int] = []
            to_read: list[FileTask] = []
            for item in entries:
                if item.kind == "video":
                    video = known_videos.get(item.path)
                    if video:
                        seen_videos.add(video[0])
                    if not video or (video[1], video[2]) != (item.size, item.mtime_ns):
                        self._pending_rows.append(("video", item, video[0] if video else None))
                    summary.videos += 1
                    continue
                old = known.get(item.path)
                if old and (old.size, old.mtime_ns, old.sidecar_mtime_ns) == (
                    item.size, item.mtime_ns, item.sidecar_mtime_ns
                ):
                    self._seen.add(old.id)
                    summary.unchanged += 1
                    if old.status == "missing":
                        found_again.append(old.id)
                    continue
                prior = known_skipped.get(item.path)
                if prior and (prior[0], prior[1]) == (item.size, item.mtime_ns):
                    seen_skipped.add(item.path)
                    summary.skipped.append({"path": display(item.path), "reason": prior[2]})
                    continue
                if old:
                    self._seen.add(old.id)
                to_read.append(FileTask(item.path, item.size, item.mtime_ns, item.sidecar, item.sidecar_mtime_ns))
            del entries

            self.meter = ProgressMeter("read", self.meter.callback, total=len(to_read))
            self.meter.emit(f"{summary.unchanged} unchanged, {len(to_read)} to read")
            if to_read:
                self._executor_obj = self._executor(len(to_read))
            max_inflight = max(4, 4 * self.settings.workers)
            for task in to_read:
                self.cancel.raise_if_cancelled()
                inflight[self._executor_obj.submit(extract, task, self.config)] = task
                while len(inflight) >= max_inflight:
                    self._drain(inflight, known, block=True)
            while inflight:
                self.cancel.raise_if_cancelled()
                self._drain(inflight, known, block=True)
            self._flush(force=True)

            # The walk was complete: what was catalogued and not found is missing.
            missing = {k.id for k in known.values() if k.id not in self._seen and k.id not in self._claimed_moves}
            gone_videos = [vid for vid, *_ in known_videos.values() if vid not in seen_videos]
            gone_skipped = [p for p in known_skipped if p not in seen_skipped and p not in self._reskipped]
            self.catalog.mark_missing(missing, gone_videos, gone_skipped)
            self.catalog.mark_found(found_again)
            summary.missing = sum(1 for k in known.values() if k.id in missing and k.status == "ok")
            summary.found_again = len(found_again)
        except (Cancelled, KeyboardInterrupt):
            status = "cancelled"
            summary.cancelled = True
            for fut in inflight:
                fut.cancel()
            self._flush(force=True)
        except BaseException as exc:
            status, error = "failed", f"{type(exc).__name__}: {exc}"
            self._flush(force=True)
            raise
        finally:
            if self._executor_obj is not None:
                self._executor_obj.shutdown(wait=True, cancel_futures=True)
            summary.elapsed_s = time.monotonic() - started
            self.catalog.finish_scan_run(scan_id, status, summary.counts(), error)
            self.meter.emit("cancelled" if summary.cancelled else "done")
        return summary

    def _list(self, roots: list[str]) -> list[FileEntry]:
        """Phase one: every media file under the roots (so progress has a total)."""
        meter = ProgressMeter("list", self.meter.callback)
        entries: list[FileEntry] = []
        for root in roots:
            for item in walk(root):
                self.cancel.raise_if_cancelled()
                if isinstance(item, WalkProblem):
                    self._summary.skipped.append({"path": display(item.path), "reason": item.reason})
                else:
                    entries.append(item)
                    meter.advance()
        meter.emit(f"{len(entries)} files found")
        return entries

    def _executor(self, n_tasks: int):
        # Starting worker processes costs about a second; not worth it for a few files.
        if self.settings.workers <= 1 or n_tasks < 8:
            return _Inline()
        return ProcessPoolExecutor(
            max_workers=self.settings.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
        )

    def _drain(self, inflight: dict[Future, FileTask], known: dict, block: bool) -> None:
        if not inflight:
            return
        done, _ = wait(list(inflight), timeout=None if block else 0, return_when=FIRST_COMPLETED)
        for fut in done:
            task = inflight.pop(fut)
            try:
                result = fut.result()
            except BrokenProcessPool:
                # A decoder crashed a worker (a native library bug on a bad
                # file). Every task in flight failed with it: replace the pool
                # and retry them one at a time to find the culprit.
                orphans = [task] + list(inflight.values())
                inflight.clear()
                self._executor_obj.shutdown(wait=False, cancel_futures=True)
                for orphan in orphans:
                    self._pending_rows.append(("file", self._isolated(orphan), known))
                self._executor_obj = self._executor(len(orphans))
                break
            self._pending_rows.append(("file", result, known))
        self._flush()

    def _isolated(self, task: FileTask):
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_worker_init)
        try:
            return pool.submit(extract, task, self.config).result()
        except BrokenProcessPool:
            return Skipped(task, "the image decoder crashed on this file (damaged or unsupported data)")
        finally:
            pool.shutdown(wait=True)

    def _flush(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self._pending_rows or not (
            force or len(self._pending_rows) >= BATCH_SIZE or now - self._last_flush >= BATCH_SECONDS
        ):
            return
        rows, self._pending_rows = self._pending_rows, []
        self._last_flush = now
        with self.catalog.write():
            for row in rows:
                if row[0] == "video":
                    _, entry, video_id = row
                    self.catalog.record_video(entry.path, entry.size, entry.mtime_ns, self._summary.scan_id, video_id)
                else:
                    self._record(row[1], row[2])

    def _record(self, result, known: dict) -> None:
        summary = self._summary
        task = result.task
        self.meter.advance(message=display(os.path.basename(task.path)))
        if isinstance(result, Skipped):
            self._reskipped.add(task.path)
            self.catalog.record_skipped(task.path, task.size, task.mtime_ns, result.reason, summary.scan_id)
            summary.skipped.append({"path": display(task.path), "reason": result.reason})
            return
        assert isinstance(result, Extracted)
        old = known.get(task.path)
        if old:
            self.catalog.record_photo(task.path, result.fields, summary.scan_id, old.id)
            summary.updated += 1
        else:
            moved_from = self._moved_from(result.fields["content_hash"])
            if moved_from is not None:
                self._claimed_moves.add(moved_from)
                self.catalog.record_photo(task.path, result.fields, summary.scan_id, moved_from)
                summary.moved += 1
            else:
                self.catalog.record_photo(task.path, result.fields, summary.scan_id)
                summary.added += 1

    def _moved_from(self, content_hash: str) -> Optional[int]:
        """The catalogued photo with this content whose file is gone, if any."""
        for candidate in self.catalog.photos_with_hash(content_hash):
            if candidate.id in self._seen or candidate.id in self._claimed_moves:
                continue
            if not os.path.lexists(candidate.path):
                return candidate.id
        return None


def scan(catalog, roots: Iterable[str], settings: Settings, progress: ProgressCallback = no_progress,
         cancel: Optional[CancelToken] = None) -> ScanSummary:
    return Scanner(catalog, settings, progress, cancel).run(roots)

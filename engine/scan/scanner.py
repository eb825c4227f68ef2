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

import logging
import multiprocessing
import os
import signal
import sqlite3
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from ..errors import Cancelled, PhotoOrgError
from ..paths import display
from ..progress import CancelToken, ProgressCallback, ProgressMeter, no_progress
from ..settings import Settings
from .extract import ExtractConfig, Extracted, FileTask, Skipped, extract
from ..walls import Walls
from .skip_kinds import kind_of
from .walker import FileEntry, WalkProblem, WalkState, walk

log = logging.getLogger(__name__)

BATCH_SECONDS = 0.5
BATCH_SIZE = 200
# How often a wait for workers looks at the cancel token.
CANCEL_POLL_S = 0.25


class NothingToScan(PhotoOrgError):
    """None of the folders given to a scan exists."""


class ScanStopped(PhotoOrgError):
    """A fault that is not about one file (the thumbnail cache cannot be
    written) stopped the scan; what was read before it is kept."""


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
    # Folders asked for that do not exist: refused, never stored as roots.
    refused: list[str] = field(default_factory=list)
    cancelled: bool = False
    elapsed_s: float = 0.0

    def counts(self) -> dict[str, int]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "moved": self.moved, "missing": self.missing, "skipped": len(self.skipped)}

    def to_json(self) -> dict[str, Any]:
        return {"scan_id": self.scan_id, **self.counts(), "found_again": self.found_again,
                "videos": self.videos, "cancelled": self.cancelled, "refused": list(self.refused),
                "elapsed_s": round(self.elapsed_s, 3),
                # Each with its kind: the product's classification, stable
                # across decoder versions (the reason may quote a decoder).
                "skipped": [{**item, "kind": kind_of(item["reason"])} for item in self.skipped]}


def normalise_roots(roots: Iterable[str]) -> list[str]:
    """Absolute roots, each once, none inside another (a nested root would
    list its files twice)."""
    out: list[str] = []
    for root in sorted({os.path.abspath(os.path.expanduser(os.fsdecode(r))) for r in roots}):
        if not any(root == o or root.startswith(o.rstrip(os.sep) + os.sep) for o in out):
            out.append(root)
    return out


def _worker_init() -> None:
    # Ctrl-C goes to the parent, which cancels cleanly; workers just finish.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start_pool(workers: int) -> ProcessPoolExecutor:
    """A pool whose workers are all started now with Ctrl-C blocked, so that a
    Ctrl-C on the terminal (sent to every process of the group) cannot kill a
    worker while it is still starting up, before ``_worker_init`` runs."""
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_init)
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        for _ in range(workers):  # with spawn, each submit starts one process
            pool.submit(int)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    return pool


class _Inline:
    """A stand-in executor that runs tasks in this process (workers=1)."""

    def submit(self, fn, *args) -> Future:
        fut: Future = Future()
        fut.set_result(fn(*args))
        return fut

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


class _Unseen:
    """Paths the walk could not look into: their catalogued photos are not
    declared missing (an unreadable folder is not an empty one)."""

    def __init__(self) -> None:
        self.folders: list[str] = []
        self.files: set[str] = set()

    def add(self, problem: WalkProblem) -> None:
        if problem.is_folder:
            self.folders.append(problem.path.rstrip(os.sep) + os.sep)
        else:
            self.files.add(problem.path)

    def covers(self, path: str) -> bool:
        return path in self.files or any(path.startswith(f) for f in self.folders)


VIDEO_CHECK_LIMIT_S = 20.0  # a header and two frames; more means a decoder that hangs


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
        roots = normalise_roots(roots)
        # A folder that does not exist is refused before anything is stored:
        # a mistyped path must not become a library root.
        # (A library folder already known but not there now, an unplugged
        # disk, is skipped: its photos are not marked missing.)
        absent = [r for r in roots if not os.path.isdir(r)]
        roots = [r for r in roots if r not in absent]
        if absent and not roots:
            raise NothingToScan(f"no such folder: {', '.join(display(r) for r in absent)}; nothing was added")
        known = set(self.catalog.roots())
        scan_id = self.catalog.start_scan_run(roots)
        summary = self._summary = ScanSummary(scan_id, refused=[display(r) for r in absent if r not in known])
        summary.skipped += [{"path": display(r), "reason": "folder not found"} for r in absent]
        self._seen: set[int] = set()
        self._claimed_moves: set[int] = set()
        self._reskipped: set[str] = set()
        self._vanished: set[int] = set()
        self._pending_rows: list[tuple] = []
        self._last_flush = time.monotonic()
        self._executor_obj = None
        self._video_reader = None  # a child process, started at the first new video
        self._unseen = _Unseen()
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
                        if self._unreadable_video(item, known_skipped, seen_skipped):
                            continue
                        self._pending_rows.append(("video", item, video[0] if video else None))
                    summary.videos += 1
                    continue
                old = known.get(item.path)
                if old and (old.size, old.mtime_ns, old.sidecar_mtime_ns) == (
                    item.size, item.mtime_ns, item.sidecar_mtime_ns
                ):
                    self._seen.add(old.id)
                    summary.unchanged += 1
                    if old.status != "ok":  # missing, or sent to the trash and put back
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
                    self._drain(inflight, known)
            while inflight:
                self._drain(inflight, known)
            self._flush(force=True)

            # The walk was complete: what was catalogued, not found, and not in
            # a folder that could not be looked into is missing.
            missing = [
                k.id for k in known.values()
                if k.status == "ok" and (k.id in self._vanished or (
                    k.id not in self._seen and k.id not in self._claimed_moves and not self._unseen.covers(k.path)))
            ]
            gone_videos = [vid for path, (vid, *_) in known_videos.items()
                           if vid not in seen_videos and not self._unseen.covers(path)]
            gone_skipped = [p for p in known_skipped
                            if p not in seen_skipped and p not in self._reskipped and not self._unseen.covers(p)]
            self.catalog.mark_missing(missing, gone_videos, gone_skipped)
            self.catalog.mark_found(found_again)
            summary.missing = len(missing)
            summary.found_again = len(found_again)
        except (Cancelled, KeyboardInterrupt):
            status = "cancelled"
            summary.cancelled = True
            for fut in inflight:
                fut.cancel()
            self._flush(force=True)
        except BaseException as exc:
            status, error = "failed", f"{type(exc).__name__}: {exc}"
            try:
                self._flush(force=True)  # keep what was read, if the catalog can still be written
            except PhotoOrgError as flush_exc:
                log.info("scan: %s", flush_exc)
            raise
        finally:
            if self._video_reader is not None:
                self._video_reader.close()
            if self._executor_obj is not None:
                self._executor_obj.shutdown(wait=True, cancel_futures=True)
            summary.elapsed_s = time.monotonic() - started
            try:
                self.catalog.finish_scan_run(scan_id, status, summary.counts(), error)
            except PhotoOrgError as finish_exc:  # a full disk: the first error is the one to report
                if status == "done":
                    raise
                log.info("scan: %s", finish_exc)
            self.meter.emit("cancelled" if summary.cancelled else "done")
        return summary

    def _list(self, roots: list[str]) -> list[FileEntry]:
        """Phase one: every media file under the roots (so progress has a total)."""
        meter = ProgressMeter("list", self.meter.callback)
        entries: list[FileEntry] = []
        # Links are followed only into the library: the folders of this scan
        # and those scanned before (a link to another root is not an escape).
        state = WalkState(walls=Walls(list(roots) + self.catalog.roots()))
        for root in roots:
            for item in walk(root, state):
                self.cancel.raise_if_cancelled()
                if isinstance(item, WalkProblem):
                    if item.kind != "outside":  # a link out is not part of the library
                        self._unseen.add(item)
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
        return _start_pool(self.settings.workers)

    def _drain(self, inflight: dict[Future, FileTask], known: dict) -> None:
        """Wait for at least one result (looking at the cancel token meanwhile)
        and queue the finished ones for writing."""
        done: set = set()
        while not done:
            self.cancel.raise_if_cancelled()
            done, _ = wait(list(inflight), timeout=CANCEL_POLL_S, return_when=FIRST_COMPLETED)
        stop: Optional[str] = None
        for fut in done:
            task = inflight.pop(fut)
            try:
                result = fut.result()
                if isinstance(result, Skipped) and result.fatal:
                    stop = result.reason  # after the others of this round are kept
                    continue
            except BrokenProcessPool:
                # A decoder crashed a worker (a native library bug on a bad
                # file). Every task in flight failed with it: replace the pool
                # and retry them one at a time to find the culprit.
                orphans = [task] + list(inflight.values())
                inflight.clear()
                self._executor_obj.shutdown(wait=False, cancel_futures=True)
                for result in self._isolated(orphans):
                    self._pending_rows.append(("file", result, known))
                self._executor_obj = self._executor(len(orphans))
                break
            self._pending_rows.append(("file", result, known))
        self._flush()
        if stop is not None:
            raise ScanStopped(stop)

    def _isolated(self, tasks: list[FileTask]):
        """Results of ``tasks`` read one at a time in one worker, so that a
        crash names its file; a new worker is started only after a crash
        (not one per file: starting one costs about a second)."""
        pool = None
        try:
            for task in tasks:
                self.cancel.raise_if_cancelled()
                pool = pool or _start_pool(1)
                try:
                    yield pool.submit(extract, task, self.config).result()
                except BrokenProcessPool:
                    pool.shutdown(wait=True)
                    pool = None
                    yield Skipped(task, "the image decoder crashed on this file (damaged or unsupported data)")
        finally:
            if pool is not None:
                pool.shutdown(wait=True)

    def _unreadable_video(self, item, known_skipped: dict, seen_skipped: set) -> bool:
        """A new or changed video whose pictures cannot be read is skipped with
        its reason, as an unreadable photo is (one unchanged since it was
        skipped is not looked at again); a truncated one is catalogued and
        named with the skipped files. Read in a child process with a time
        limit per file (video/reader.py): a hostile file cannot hang the scan."""
        from ..video.reader import IsolatedReader

        prior = known_skipped.get(item.path)
        if prior and (prior[0], prior[1]) == (item.size, item.mtime_ns):
            seen_skipped.add(item.path)
            self._summary.skipped.append({"path": display(item.path), "reason": prior[2]})
            return True
        if self._video_reader is None:
            self._video_reader = IsolatedReader(VIDEO_CHECK_LIMIT_S)
        got = self._video_reader.check(item.path)
        if got.get("skip"):
            self.catalog.record_skipped(item.path, item.size, item.mtime_ns, got["skip"], self._summary.scan_id)
            self._reskipped.add(item.path)
            self._summary.skipped.append({"path": display(item.path), "reason": got["skip"]})
            return True
        if got.get("note"):
            self._summary.skipped.append({"path": display(item.path), "reason": got["note"]})
        return False

    def _flush(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self._pending_rows or not (
            force or len(self._pending_rows) >= BATCH_SIZE or now - self._last_flush >= BATCH_SECONDS
        ):
            return
        rows, self._pending_rows = self._pending_rows, []
        self._last_flush = now
        folders: dict[str, int] = {}  # folder ids, valid within this transaction
        with self.catalog.write():
            for row in rows:
                if row[0] == "video":
                    _, entry, video_id = row
                    self.catalog.record_video(entry.path, entry.size, entry.mtime_ns, self._summary.scan_id,
                                              video_id, folder_ids=folders)
                else:
                    self._record(row[1], row[2], folders)

    def _record(self, result, known: dict, folders: dict[str, int]) -> None:
        summary = self._summary
        task = result.task
        self.meter.advance(message=display(os.path.basename(task.path)))
        old = known.get(task.path)
        if isinstance(result, Skipped):
            if result.gone:
                if old is not None:
                    self._vanished.add(old.id)
                return
            if not result.transient:
                self.catalog.record_skipped(task.path, task.size, task.mtime_ns, result.reason, summary.scan_id)
            self._reskipped.add(task.path)
            summary.skipped.append({"path": display(task.path), "reason": result.reason})
            return
        assert isinstance(result, Extracted)
        try:
            if old:
                self.catalog.record_photo(task.path, result.fields, summary.scan_id, old.id, folder_ids=folders)
                summary.updated += 1
                self._note(result)
                return
            moved_from = self._moved_from(result.fields["content_hash"])
            self.catalog.record_photo(task.path, result.fields, summary.scan_id, moved_from, folder_ids=folders)
        except sqlite3.IntegrityError as exc:
            # Only the failed statement is undone; the batch goes on.
            summary.skipped.append({"path": display(task.path), "reason": f"cannot be stored in the catalog: {exc}"})
            return
        if moved_from is not None:
            self._claimed_moves.add(moved_from)
            summary.moved += 1
        else:
            summary.added += 1
        self._note(result)

    def _note(self, result: Extracted) -> None:
        """What was ignored while a photo was read (its sidecar), listed
        with the skipped files: the photo is in, that file is not."""
        for path, why in result.notes:
            self._summary.skipped.append({"path": display(path), "reason": why})

    def _moved_from(self, content_hash: str) -> Optional[int]:
        """The catalogued photo with this content whose file is gone, if any."""
        for candidate in self.catalog.photos_with_hash(content_hash):
            if candidate.id in self._seen or candidate.id in self._claimed_moves or \
                    self._unseen.covers(candidate.path):
                continue
            if not os.path.lexists(candidate.path):
                return candidate.id
        return None


def scan(catalog, roots: Iterable[str], settings: Settings, progress: ProgressCallback = no_progress,
         cancel: Optional[CancelToken] = None) -> ScanSummary:
    return Scanner(catalog, settings, progress, cancel).run(roots)

"""Applying a plan: a journaled transaction that never loses a file.

1. Every file's path, size, modification time, content hash and destination
   are written to the catalog in one commit (synchronous=FULL: on disk) before
   the first file moves.
2. Each file is checked again (size, mtime, hash; the photo kept in its place
   still there), then moved: system trash (.trashinfo reserved first, with
   O_EXCL) or the quarantine folder, by an atomic no-replace rename or a
   verified copy (``fileops``).
3. States ("moved", the photo's status 'trashed', the 'trash' decision) are
   committed in batches after the folders are synced. They are a record, not
   the source of truth: undo and recovery look at the disk, so a kill between
   a move and its commit loses nothing.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import time
from typing import Optional

from ..errors import PhotoOrgError
from ..paths import display
from ..progress import CancelToken, ProgressCallback, ProgressMeter, no_progress
from ..settings import Settings
from . import trash as fdo
from .errors import CurationError, UnfinishedTransaction
from .fileops import file_hash, fsync_dir, move_file
from .guard import destination_reason, library_walls
from .plan import Plan
from .results import FileOutcome, TransactionResult
from .testhooks import crash_point
from ..video.cleanup import mark_trashed

# Errors after which trying the next file is pointless.
STOP_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_MESSAGES = {
    errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the folder is on a read-only file system", errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted", errno.ENOENT: "the file or a folder disappeared",
    errno.EIO: "input/output error",
}
FLUSH_SECONDS = 0.5
FLUSH_ITEMS = 64


def describe(exc: OSError) -> str:
    base = _MESSAGES.get(exc.errno or 0, exc.strerror or str(exc))
    where = exc.filename
    return f"{base} ({display(os.fsdecode(where))})" if where else base


def check_unchanged(path: str, size: int, mtime_ns: int, content_hash: str) -> Optional[str]:
    """None if the file is as analysed, else why it must not be touched."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "no longer at its path"
    except OSError as exc:
        return f"cannot be checked: {describe(exc)}"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file any more"
    if st.st_size != size or st.st_mtime_ns != mtime_ns:
        return "changed since it was analysed (size or modification time); rescan first"
    try:
        if file_hash(path) != content_hash:
            return "its content changed since it was analysed; rescan first"
    except OSError as exc:
        return f"cannot be read: {describe(exc)}"
    return None


def _destinations(catalog, settings: Settings, plan: Plan):
    """(mode, quarantine folder factory, items factory) for the journal."""
    prefs = settings.prefs
    if prefs.trash_mode == "quarantine":
        if not prefs.quarantine_dir:
            raise CurationError("the quarantine mode needs a quarantine folder: choose one in Preferences")
        base = os.path.abspath(os.path.expanduser(prefs.quarantine_dir))
        for root in catalog.roots():
            if os.path.commonpath([base, os.path.abspath(root)]) == os.path.abspath(root):
                # A rescan would take the quarantined files for new photos.
                raise CurationError(f"the quarantine folder {display(base)} is inside the scanned folder "
                                    f"{display(root)}; choose one outside the library")
        stamp = time.strftime("%Y%m%d-%H%M%S")
        folder_for = lambda txn: os.path.join(base, f"photoorg-{txn}-{stamp}")  # noqa: E731

        def items_for(txn: int) -> list[dict]:
            folder = folder_for(txn)
            return [dict(photo_id=i.photo_id, series_id=i.series_id, path=i.path, size=i.size,
                         mtime_ns=i.mtime_ns, content_hash=i.content_hash, kept_by=i.kept_by,
                         dest=os.path.join(folder, os.path.abspath(i.path).lstrip(os.sep)), info_path=None)
                    for i in plan.items]
        return "quarantine", folder_for, items_for

    locator = fdo.TrashLocator()
    trash_of: dict[str, fdo.TrashDir] = {}
    for item in plan.items:
        try:
            trash_of[item.path] = locator.for_file(item.path)
        except OSError as exc:
            raise CurationError(f"cannot use the trash for {display(item.path)}: {describe(exc)}") from None

    def items_for(txn: int) -> list[dict]:
        taken: dict[str, set[str]] = {}
        out = []
        for i in plan.items:
            t = trash_of[i.path]
            if t.root not in taken:
                taken[t.root] = catalog.curation_dest_names(t.files)
            name = fdo.free_name(t, os.path.basename(i.path), taken[t.root])
            taken[t.root].add(name)
            out.append(dict(photo_id=i.photo_id, series_id=i.series_id, path=i.path, size=i.size,
                            mtime_ns=i.mtime_ns, content_hash=i.content_hash, kept_by=i.kept_by,
                            dest=t.file_path(name), info_path=t.info_path(name)))
        return out
    return "system", None, items_for


class _Mover:
    """Moves journaled items and commits their states in batches."""

    def __init__(self, catalog, txn: int, progress: ProgressCallback, cancel: CancelToken, total: int,
                 keepers: dict[int, tuple[str, int]]) -> None:
        self.catalog = catalog
        self.txn = txn
        self.walls = library_walls(catalog)
        info = catalog.curation_transaction(txn)
        self.quarantine_dir = info.quarantine_dir if info is not None else None
        self.keepers = keepers  # photo id -> (path, size) of the photos that must stay
        self.cancel = cancel
        self.meter = ProgressMeter("curate", progress, total=total)
        self.updates: list[tuple[int, str, Optional[str], Optional[str]]] = []
        self.trashed: list[tuple[int, Optional[int]]] = []  # (photo id, series id)
        self.videos: list[int] = []  # journal items of videos moved (video/cleanup.py)
        self.dirs: set[str] = set()
        self.last_flush = time.monotonic()

    def flush(self, force: bool = False) -> None:
        if not self.updates or not (force or len(self.updates) >= FLUSH_ITEMS
                                    or time.monotonic() - self.last_flush >= FLUSH_SECONDS):
            return
        for folder in self.dirs:  # the renames are durable before we say so
            fsync_dir(folder)
        self.dirs.clear()
        with self.catalog.write():
            self.catalog.set_item_states(self.updates)
            self.catalog.set_photo_status([pid for pid, _ in self.trashed if pid is not None], "trashed",
                                          only_from="ok")
            for pid, sid in self.trashed:
                if pid is not None:
                    self.catalog.record_decision("trash", photo_id=pid, series_id=sid, value={"transaction": self.txn})
            mark_trashed(self.catalog, self.videos)  # items without a photo: videos
        self.updates, self.trashed, self.videos = [], [], []
        self.last_flush = time.monotonic()

    def _keeper_gone(self, item) -> Optional[str]:
        """A photo is trashed only while one that justifies it is still there."""
        if not item.kept_by:
            return None
        for pid in item.kept_by:
            path, size = self.keepers.get(pid, (None, None))
            try:
                if path and os.stat(path).st_size == size:
                    return None
            except OSError:
                pass
        return "the photo kept in its place is no longer on disk; nothing was moved"

    def _outside(self, item, dest: Optional[str] = None, info: Optional[str] = None) -> Optional[str]:
        """Why the move must not happen when the file's real path is outside
        the library or its destination is not a trash / the quarantine
        folder (a tampered catalog, a link), else None."""
        return self.walls.reason(item.path, "moved") or destination_reason(
            dest or item.dest, info if dest else item.info_path, self.quarantine_dir)

    def _reserve(self, item, content: bytes) -> tuple[str, str]:
        """Create the item's .trashinfo; a name taken meanwhile gets a new one,
        journaled before the move. Returns (destination, info file)."""
        dest, info = item.dest, item.info_path
        while True:
            try:
                fdo.reserve(info, content)
                return dest, info
            except FileExistsError:
                if fdo.original_path_in(info) == item.path and not os.path.lexists(dest):
                    return dest, info  # ours, from an interrupted run of this transaction
                trash = fdo.TrashDir(os.path.dirname(os.path.dirname(info)), None)
                name = fdo.free_name(trash, os.path.basename(item.path), self.catalog.curation_dest_names(trash.files))
                dest, info = trash.file_path(name), trash.info_path(name)
                self.catalog.set_item_destination(item.id, dest, info)

    def move(self, item, trash_dirs: dict[str, fdo.TrashDir]) -> tuple[FileOutcome, bool]:
        """Move one item; returns its outcome and whether to stop (disk full)."""
        reason = self._outside(item) or check_unchanged(item.path, item.size, item.mtime_ns, item.content_hash) \
            or self._keeper_gone(item)
        if reason:
            return FileOutcome(item.photo_id, item.path, item.dest, item.size, "skipped", reason), False
        folder = os.path.dirname(item.path)
        if not os.access(folder, os.W_OK | os.X_OK):
            why = "the folder is read-only: the file cannot be moved out of it"
            return FileOutcome(item.photo_id, item.path, item.dest, item.size, "failed", why), False
        dest, info = item.dest, item.info_path
        try:
            if info:
                trash = trash_dirs.setdefault(os.path.dirname(os.path.dirname(info)), _trash_for_info(info))
                dest, info = self._reserve(item, fdo.info_text(item.path, trash))
            else:
                os.makedirs(os.path.dirname(dest), exist_ok=True)
            crash_point("reserved")
            outside = self._outside(item, dest, info)  # the last look, right before the move
            if outside:
                if info:
                    _remove_quietly(info)
                return FileOutcome(item.photo_id, item.path, dest, item.size, "skipped", outside), False

            def before_copy() -> None:
                self.flush(force=True)
                self.catalog.set_item_states([(item.id, "copying", None, None)])

            method = move_file(item.path, dest, item.content_hash, before_copy)
        except OSError as exc:
            if info and not os.path.lexists(dest):
                _remove_quietly(info)  # the reservation of a file that did not move
            outcome = FileOutcome(item.photo_id, item.path, dest, item.size, "failed", describe(exc))
            return outcome, exc.errno in STOP_ERRNOS
        crash_point("moved")
        self.dirs.update({os.path.dirname(dest), folder})
        return FileOutcome(item.photo_id, item.path, dest, item.size, "moved", method), False


def _trash_for_info(info: str) -> fdo.TrashDir:
    root = os.path.dirname(os.path.dirname(info))
    if os.path.abspath(root) == os.path.abspath(fdo.home_trash_root()):
        return fdo.TrashDir(root, None)
    parent = os.path.dirname(root)
    top = os.path.dirname(parent) if os.path.basename(parent) == ".Trash" else parent
    return fdo.TrashDir(root, top)


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def run_items(catalog, txn: int, items, result: TransactionResult,
              progress: ProgressCallback = no_progress, cancel: Optional[CancelToken] = None) -> None:
    """Move journaled ``items`` of transaction ``txn``, filling ``result``."""
    cancel = cancel or CancelToken()
    keeper_ids = {k for i in items for k in i.kept_by}
    keepers = {pid: (p.path, p.size) for pid, p in catalog.curation_photos(keeper_ids).items()}
    mover = _Mover(catalog, txn, progress, cancel, len(items), keepers)
    trash_dirs: dict[str, fdo.TrashDir] = {}
    stop: Optional[str] = None
    try:
        for item in items:
            if stop or cancel.cancelled:
                outcome = FileOutcome(item.photo_id, item.path, item.dest, item.size, "not_moved",
                                      "not moved: " + (stop or "cancelled"))
                result.not_moved.append(outcome)
                mover.updates.append((item.id, "skipped", outcome.reason, None))
                continue
            outcome, must_stop = mover.move(item, trash_dirs)
            if outcome.state == "moved":
                result.moved.append(outcome)
                mover.updates.append((item.id, "moved", None, None))
                mover.trashed.append((item.photo_id, item.series_id))
                if item.photo_id is None:
                    mover.videos.append(item.id)
            else:
                (result.skipped if outcome.state == "skipped" else result.failed).append(outcome)
                mover.updates.append((item.id, outcome.state, outcome.reason, None))
                if must_stop:
                    stop = outcome.reason
                    result.error = (f"stopped: {outcome.reason}; {len(result.moved)} files were moved "
                                    f"(undo with 'photoorg undo {txn}'), the rest were not touched")
            mover.meter.advance(message=display(os.path.basename(item.path)))
            mover.flush()
        result.cancelled = cancel.cancelled and not stop
        mover.meter.emit("cancelled" if result.cancelled else "done")
    finally:
        mover.flush(force=True)


def apply_plan(catalog, settings: Settings, plan: Plan, progress: ProgressCallback = no_progress,
               cancel: Optional[CancelToken] = None) -> TransactionResult:
    """Send the plan's files to the trash (or the quarantine folder) as one
    journaled transaction; ``undo`` reverses it, also after a crash."""
    unfinished = catalog.curation_transactions(states=("applying", "undoing"))
    if unfinished:
        t = unfinished[0]
        raise UnfinishedTransaction(
            f"curation {t.id} was interrupted; run 'photoorg undo {t.id}' to put its files back "
            f"or 'photoorg clean-series --resume' to finish it first")
    mode = settings.prefs.trash_mode
    if not plan.items:
        return TransactionResult(None, mode)
    mode, folder_for, items_for = _destinations(catalog, settings, plan)
    txn = catalog.journal_transaction(mode, plan.keep, items_for, folder_for)
    crash_point("journaled")
    info = catalog.curation_transaction(txn)
    result = TransactionResult(txn, mode, info.quarantine_dir if info else None)
    try:
        run_items(catalog, txn, catalog.curation_items(txn), result, progress, cancel)
        finish(catalog, txn, result, plan)
    except (PhotoOrgError, OSError, sqlite3.Error) as exc:
        raise stopped(txn, exc, len(result.moved)) from None
    return result


def stopped(txn: int, exc: BaseException, moved: int) -> CurationError:
    """A clean-up stopped by a fault (a full disk, a catalog that cannot be
    written) as a sentence that says how to finish or undo it. The journal
    was on disk before the first move, so both always work."""
    reason = describe(exc) if isinstance(exc, OSError) else " ".join(str(exc).split())
    return CurationError(
        f"clean-up {txn} stopped: {reason}; {moved} files were moved before it stopped. "
        f"'photoorg undo {txn}' puts them back, or 'photoorg clean-series --resume' finishes it "
        "once the problem is fixed")


def finish(catalog, txn: int, result: TransactionResult, plan: Optional[Plan] = None) -> None:
    summary = {"moved": len(result.moved), "skipped": len(result.skipped), "failed": len(result.failed),
               "not_moved": len(result.not_moved), "bytes_freed": result.bytes_freed,
               "cancelled": result.cancelled, "error": result.error}
    with catalog.write():
        if plan is not None and result.moved:
            touched = {o.photo_id for o in result.moved}
            series_done = {i.series_id for i in plan.items if i.photo_id in touched}
            for k in plan.kept:
                if k.series_id in series_done:
                    catalog.record_decision("keep", photo_id=k.photo_id, series_id=k.series_id,
                                            value={"transaction": txn})
        catalog.set_transaction_state(txn, "applied", summary, finished=True)

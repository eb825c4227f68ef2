"""Undo and crash recovery: read the journal, look at the disk, put files back.

The journal's item states are a record; the file system is the truth. For
each file the journal says where it was (path, size, hash) and where it was
sent (dest); undo finds it in one of these places and makes the original path
hold those bytes again:

- only at dest: moved there -> move it back (no-replace; verified copy across
  file systems) and remove its .trashinfo;
- at both, same bytes as journaled: an interrupted copy or restore left a
  duplicate -> remove the copy at dest;
- at both, another file now at the path: restore beside it as
  "NAME (restored).EXT" and say so;
- only at the path: never moved -> remove a .trashinfo reserved for it;
- nowhere: the trash was emptied -> reported as lost, never guessed.

Every step is idempotent, so an undo killed half-way is finished by running
it again.
"""

from __future__ import annotations

import os
import sqlite3
import time
from typing import Optional

from ..errors import PhotoOrgError
from ..paths import display
from ..progress import CancelToken, ProgressCallback, ProgressMeter, no_progress
from ..video.cleanup import mark_restored, mark_trashed
from ..settings import Settings
from . import trash as fdo
from .apply import FLUSH_ITEMS, FLUSH_SECONDS, describe, finish, run_items
from .errors import CurationError, NothingToUndo
from ..walls import OutsideLibrary, Walls
from .fileops import PART_SUFFIX, file_hash, fsync_dir, move_file
from .guard import destination_reason, library_walls
from .results import FileOutcome, TransactionInfo, TransactionResult, UndoResult
from .testhooks import crash_point

ACTIVE_STATES = ("pending", "copying", "moved")


def _remove_quietly(path: Optional[str]) -> None:
    if path:
        try:
            os.unlink(path)
        except OSError:
            pass


def _hash_or_none(path: str) -> Optional[str]:
    try:
        return file_hash(path)
    except OSError:
        return None


def _ours(item, path: str) -> bool:
    """Is the file at ``path`` the one this item sent there? Same bytes, and
    no .trashinfo naming another original (an empty one is accepted)."""
    if _hash_or_none(path) != item.content_hash:
        return False
    if item.info_path and os.path.lexists(item.info_path):
        recorded = fdo.original_path_in(item.info_path)
        return recorded is None or recorded == item.path
    return True


def _remove_info(item) -> None:
    if item.info_path and fdo.original_path_in(item.info_path) in (item.path, None):
        _remove_quietly(item.info_path)


def _beside(path: str) -> str:
    stem, ext = os.path.splitext(path)
    n = 1
    while True:
        candidate = f"{stem} (restored{'' if n == 1 else f' {n}'}){ext}"
        if not os.path.lexists(candidate):
            return candidate
        n += 1


def _guard(item, walls: Optional[Walls], quarantine_dir: Optional[str], target: Optional[str] = None) -> None:
    """Raise ``OutsideLibrary`` when the journal sends a file back to a place
    outside the library, or takes it from a place no curation sends files to."""
    if walls is None:
        return
    why = walls.reason(target or item.path, "restored") or destination_reason(item.dest, item.info_path,
                                                                              quarantine_dir)
    if why:
        raise OutsideLibrary(f"{display(target or item.path)}: {why}")


def restore_item(item, walls: Optional[Walls] = None, quarantine_dir: Optional[str] = None) -> FileOutcome:
    """Put one journaled file back; idempotent. Raises OSError when the move
    back fails (the file stays where it is), ``OutsideLibrary`` when
    ``walls`` are given and the journal points outside them (nothing is
    touched)."""
    src, dest = item.path, item.dest
    out = lambda state, reason=None, to=None: FileOutcome(  # noqa: E731
        item.photo_id, src, dest, item.size, state, reason, to)
    _guard(item, walls, quarantine_dir)
    dest_ours = os.path.lexists(dest) and _ours(item, dest)
    # Leftovers of an interrupted copy (to the trash, or back from it).
    if os.path.lexists(dest + PART_SUFFIX) and os.path.lexists(src):
        _remove_quietly(dest + PART_SUFFIX)
    if os.path.lexists(src + PART_SUFFIX) and dest_ours:
        _remove_quietly(src + PART_SUFFIX)
    src_there = os.path.lexists(src)
    if dest_ours and not src_there:
        os.makedirs(os.path.dirname(src), exist_ok=True)
        _guard(item, walls, quarantine_dir)  # the last look, right before the move
        move_file(dest, src, item.content_hash)
        _remove_info(item)
        return out("restored")
    if dest_ours:
        if os.path.samefile(src, dest) or _hash_or_none(src) == item.content_hash:
            # The same bytes in both places: the copy in the trash is redundant.
            os.unlink(dest)
            fsync_dir(os.path.dirname(dest))
            _remove_info(item)
            return out("restored", "an interrupted copy was cleaned up")
        alt = _beside(src)
        _guard(item, walls, quarantine_dir, alt)
        move_file(dest, alt, item.content_hash)
        fsync_dir(os.path.dirname(alt))
        _remove_info(item)
        return out("restored", f"another file now has its name; restored as {display(alt)}", alt)
    if src_there:
        if not os.path.lexists(dest):
            _remove_info(item)  # a reservation made just before a crash
        if item.state == "moved":
            return out("restored", "already back at its path")
        return out("not_moved", "it was never moved")
    return out("lost", "not found in the trash nor at its path (was the trash emptied?)")


class _UndoBatch:
    """Item states, photo statuses and decisions of an undo, committed in
    batches once the folders the files went back to are synced (the disk is
    the truth; a kill before a commit only means the next undo finds those
    files already back)."""

    def __init__(self, catalog, txn: int) -> None:
        self.catalog, self.txn = catalog, txn
        self.rows: list[tuple] = []
        self.dirs: set[str] = set()
        self.last = time.monotonic()

    def add(self, item, outcome: FileOutcome) -> None:
        self.rows.append((item, outcome))
        if outcome.state == "restored":
            self.dirs.add(os.path.dirname(outcome.restored_to or item.path))

    def flush(self, force: bool = False) -> None:
        if not self.rows or not (force or len(self.rows) >= FLUSH_ITEMS
                                 or time.monotonic() - self.last >= FLUSH_SECONDS):
            return
        for folder in self.dirs:
            fsync_dir(folder)
        states = {"restored": "restored", "not_moved": "skipped", "lost": "lost"}
        with self.catalog.write():
            self.catalog.set_item_states([(i.id, states[o.state], o.reason, o.restored_to)
                                          for i, o in self.rows if o.state in states])
            restored = [(i, o) for i, o in self.rows if o.state == "restored" and i.photo_id is not None]
            self.catalog.set_photo_status([i.photo_id for i, _ in restored], "ok", only_from="trashed")
            lost = [i.photo_id for i, o in self.rows if o.state == "lost" and i.photo_id is not None]
            self.catalog.set_photo_status(lost, "missing", only_from="trashed")
            for i, _ in restored:
                self.catalog.record_decision("keep", photo_id=i.photo_id, series_id=i.series_id,
                                             value={"transaction": self.txn, "undo": True})
            # Items without a photo are videos (video/cleanup.py).
            mark_restored(self.catalog, [i.id for i, o in self.rows if o.state == "restored" and i.photo_id is None])
            mark_restored(self.catalog, [i.id for i, o in self.rows if o.state == "lost" and i.photo_id is None],
                          "missing")
        self.rows, self.dirs, self.last = [], set(), time.monotonic()


def _pick_transaction(catalog, transaction_id: Optional[int]):
    if transaction_id is None:
        for t in catalog.curation_transactions():
            if t.state != "undone" and any(t.counts.get(s) for s in ACTIVE_STATES):
                return t
        raise NothingToUndo("nothing to undo: no curation has moved files that are not back already")
    t = catalog.curation_transaction(transaction_id)
    if t is None:
        raise CurationError(f"no curation transaction {transaction_id}; 'photoorg undo --list' shows them")
    if t.state == "undone":
        raise NothingToUndo(f"curation {transaction_id} was already undone")
    return t


def undo(catalog, settings: Optional[Settings] = None, transaction_id: Optional[int] = None,
         progress: ProgressCallback = no_progress, cancel: Optional[CancelToken] = None) -> UndoResult:
    """Restore every file of a transaction (the latest one by default) to its
    original path; works on finished, interrupted and half-undone ones."""
    t = _pick_transaction(catalog, transaction_id)
    catalog.set_transaction_state(t.id, "undoing")
    items = list(reversed(catalog.curation_items(t.id, states=ACTIVE_STATES)))
    result = UndoResult(t.id)
    meter = ProgressMeter("undo", progress, total=len(items))
    cancel = cancel or CancelToken()
    batch = _UndoBatch(catalog, t.id)
    walls = library_walls(catalog)
    try:
        _restore_all(items, walls, t, result, meter, cancel, batch)
    except (PhotoOrgError, OSError, sqlite3.Error) as exc:
        reason = describe(exc) if isinstance(exc, OSError) else " ".join(str(exc).split())
        raise CurationError(
            f"undo of clean-up {t.id} stopped: {reason}; {len(result.restored)} files were put back before it "
            f"stopped. Run 'photoorg undo {t.id}' again once the problem is fixed to put back the rest") from None
    meter.emit("done" if result.complete else "cancelled")
    if result.failed:
        result.complete = False
    if t.quarantine_dir:
        _prune_empty(t.quarantine_dir)
    state = "undone" if result.complete else "applied"
    summary = {**t.summary, "undo": {"restored": len(result.restored), "lost": len(result.lost),
                                     "failed": len(result.failed), "complete": result.complete}}
    catalog.set_transaction_state(t.id, state, summary, finished=True)
    return result


def _restore_all(items, walls, t, result: UndoResult, meter, cancel, batch: "_UndoBatch") -> None:
    try:
        for item in items:
            if cancel.cancelled:
                result.complete = False
                break
            try:
                outcome = restore_item(item, walls, t.quarantine_dir)
            except OSError as exc:
                outcome = FileOutcome(item.photo_id, item.path, item.dest, item.size, "failed",
                                      f"could not be put back: {describe(exc)}")
            except OutsideLibrary as exc:
                outcome = FileOutcome(item.photo_id, item.path, item.dest, item.size, "failed",
                                      f"refused: {exc}")
            crash_point("restored")
            batch.add(item, outcome)
            {"restored": result.restored, "not_moved": result.not_moved, "lost": result.lost,
             "failed": result.failed}[outcome.state].append(outcome)
            meter.advance(message=display(os.path.basename(item.path)))
            batch.flush()
    finally:
        batch.flush(force=True)


def _prune_empty(folder: str) -> None:
    """Remove the quarantine folder's empty sub-folders (never a file)."""
    for root, dirs, files in os.walk(folder, topdown=False):
        if not files:
            try:
                os.rmdir(root)
            except OSError:
                pass


def _info(t) -> TransactionInfo:
    moved = t.bytes_by_state.get("moved", 0) + t.bytes_by_state.get("copying", 0)
    return TransactionInfo(t.id, t.created_at, t.state, t.mode, t.quarantine_dir, dict(t.counts), moved,
                           t.state in ("applying", "undoing"))


def transactions(catalog, limit: Optional[int] = 50) -> list[TransactionInfo]:
    """Recent curation transactions, newest first."""
    return [_info(t) for t in catalog.curation_transactions(limit=limit)]


def unfinished_transactions(catalog) -> list[TransactionInfo]:
    """Transactions a crash (or a still running process) left half-done."""
    return [_info(t) for t in catalog.curation_transactions(states=("applying", "undoing"))]


def recover(catalog, settings: Settings, transaction_id: int, action: str = "rollback",
            progress: ProgressCallback = no_progress,
            cancel: Optional[CancelToken] = None) -> UndoResult | TransactionResult:
    """Settle an interrupted transaction: ``rollback`` puts every file back
    (``undo``); ``complete`` finishes moving the files it had not moved yet
    (an interrupted undo is completed by undoing)."""
    t = catalog.curation_transaction(transaction_id)
    if t is None or t.state not in ("applying", "undoing"):
        raise CurationError(f"curation {transaction_id} is not unfinished")
    if action == "rollback" or t.state == "undoing":
        return undo(catalog, settings, transaction_id, progress, cancel)
    if action != "complete":
        raise ValueError(f"action must be 'rollback' or 'complete', not {action!r}")
    result = TransactionResult(t.id, t.mode, t.quarantine_dir)
    todo, settled = [], []
    for item in catalog.curation_items(t.id, states=("pending", "copying")):
        src_there = os.path.lexists(item.path)
        dest_ours = os.path.lexists(item.dest) and _ours(item, item.dest)
        if dest_ours and not src_there:  # moved just before the crash
            settled.append((item.id, "moved", None, None))
            if item.photo_id is None:  # a video (video/cleanup.py)
                mark_trashed(catalog, [item.id])
            else:
                catalog.set_photo_status([item.photo_id], "trashed", only_from="ok")
                catalog.record_decision("trash", photo_id=item.photo_id, series_id=item.series_id,
                                        value={"transaction": t.id})
            result.moved.append(FileOutcome(item.photo_id, item.path, item.dest, item.size, "moved"))
            continue
        if dest_ours and src_there:  # an interrupted copy: start again
            restore_item(item, library_walls(catalog), t.quarantine_dir)
        elif src_there:
            _remove_quietly(item.dest + PART_SUFFIX)
        todo.append(item)
    if settled:
        catalog.set_item_states(settled)
    run_items(catalog, t.id, todo, result, progress, cancel)
    finish(catalog, t.id, result)
    return result

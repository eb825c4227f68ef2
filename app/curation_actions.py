"""Series picks and clean-ups as undoable commands, over the engine's calls:
``catalog.set_series_pick`` (logged for learning) and ``photoorg.engine.curation``
(``make_plan`` / ``apply_plan`` / ``undo`` / ``transactions``).

A clean-up is pushed on the undo stack once it has run; Ctrl+Z puts the
files back through the curation journal. After a restart the stack is empty,
so ``undo_last_curation`` asks the journal for the latest clean-up that
still has files out (the window's Ctrl+Z falls back to it).
"""

from __future__ import annotations

from photoorg.engine.wording import count
import datetime as dt
from typing import Callable, Optional

from PySide6.QtGui import QUndoCommand

from .changes import CLEANED, Change
from .session import Session, format_bytes
from .workers import Task



def push_pick(session: Session, series_id: int, photo_id: int):
    """The user keeps ``photo_id`` as the best of a series: one journalled
    action (undo restores the series' pick, its "your pick" mark and the
    decision log the interest model reads)."""
    from photoorg.engine.catalog.user_commands import set_series_pick

    from .actions import push_action

    return push_action(session, set_series_pick(series_id, photo_id), Change.SERIES | Change.FLAGS)


def describe_result(result) -> str:
    where = "the quarantine folder" if result.mode == "quarantine" else "the trash"
    text = f"Moved {len(result.moved)} photo{'s' if len(result.moved) != 1 else ''} " \
           f"({format_bytes(result.bytes_freed)}) to {where}"
    if result.skipped:
        text += f"; left {len(result.skipped)} that changed since analysis"
    if result.failed:
        text += f"; {len(result.failed)} could not be moved"
    if result.cancelled:
        text += " (cancelled: the rest stay)"
    if result.error:
        text += f" — stopped: {result.error}"
    return text


class CleanupCommand(QUndoCommand):
    """A clean-up that has run (transaction ``txn``); undo puts the files back,
    redo plans and applies the same series again."""

    def __init__(self, session: Session, txn: int, series_ids: Optional[list[int]], keep: int,
                 text: str) -> None:
        super().__init__(text)
        self.session, self.txn, self.series_ids, self.keep = session, txn, series_ids, keep
        self._first = True

    def redo(self) -> None:
        if self._first:  # already applied when pushed
            self._first = False
            return

        def done(result) -> None:
            if result.transaction_id is not None:
                self.txn = result.transaction_id

        run_cleanup(self.session, self.series_ids, self.keep, on_done=done, push=False)

    def undo(self) -> None:
        undo_curation(self.session, self.txn)


def plan_cleanup(session: Session, series_ids: Optional[list[int]], keep: int,
                 on_done: Callable, lane: str = "query") -> Task:
    from photoorg.engine.curation import make_plan

    catalog, settings = session.catalog, session.settings
    return session.runner.call(
        "plan clean-up", lambda: make_plan(catalog, settings, series_ids=series_ids, keep=keep), lane=lane,
        key="plan", on_done=on_done, on_error=lambda msg: session.error.emit(f"Could not plan the clean-up: {msg}"))


def run_cleanup(session: Session, series_ids: Optional[list[int]], keep: int, *, plan=None,
                on_done: Optional[Callable] = None, push: bool = True) -> Task:
    """Plan (unless given) and apply on the "work" lane, with progress; the
    result is pushed on the undo stack."""
    from photoorg.engine.curation import apply_plan, make_plan

    catalog, settings = session.catalog, session.settings

    keepers: list[int] = []

    def work(token, progress):
        p = plan if plan is not None else make_plan(catalog, settings, series_ids=series_ids, keep=keep)
        keepers.extend(k.photo_id for k in p.kept if k.photo_id is not None)  # None: a video
        return apply_plan(catalog, settings, p, progress, token)

    def done(result) -> None:
        if result.moved:
            session.sidecars.request(keepers)  # the keepers' sidecars say "Best shot"
        text = describe_result(result)
        if push and result.transaction_id is not None and result.moved:
            session.undo.push(CleanupCommand(session, result.transaction_id, series_ids, keep, "Clean up series"))
        session.message.emit(text + (" · Ctrl+Z puts them back" if result.moved else ""))
        session.notify(CLEANED)
        if on_done:
            on_done(result)

    return session.runner.submit(
        "Cleaning up series", work, lane="work", on_done=done,
        on_error=lambda msg: (session.error.emit(f"Clean-up stopped: {msg}"), session.notify(CLEANED)))


def undo_curation(session: Session, txn: Optional[int], on_done: Optional[Callable] = None) -> Task:
    """Put back the files of ``txn`` (None: the latest clean-up with files out)."""
    from photoorg.engine.curation import undo

    catalog, settings = session.catalog, session.settings

    def done(result) -> None:
        text = f"Put back {len(result.restored)} photo{'s' if len(result.restored) != 1 else ''}"
        if result.lost:
            text += f"; {len(result.lost)} were no longer in the trash"
        if result.failed:
            text += f"; {len(result.failed)} could not be put back now (try Undo again)"
        session.message.emit(text)
        session.notify(CLEANED)
        if on_done:
            on_done(result)

    return session.runner.submit(
        "Putting photos back", lambda token, progress: undo(catalog, settings, txn, progress, token), lane="work",
        on_done=done, on_error=lambda msg: session.error.emit(f"Undo: {msg}"))


def latest_curation(session: Session):
    """The latest clean-up that still has files out, or None."""
    from photoorg.engine.curation import transactions

    return next((t for t in transactions(session.catalog, limit=20)
                 if t.state != "undone" and (t.counts.get("moved") or t.counts.get("copying"))), None)


def undo_last_curation(session: Session) -> Optional[Task]:
    """Ctrl+Z with an empty undo stack (e.g. after a restart)."""
    latest = latest_curation(session)
    if latest is None:
        session.message.emit("Nothing to undo")
        return None
    when = dt.datetime.fromtimestamp(latest.created_at).strftime("%d %b %H:%M")
    session.message.emit(f"Undoing the clean-up of {when} ({count(latest.counts.get('moved', 0), 'photo')})…")
    return undo_curation(session, latest.id)


def unfinished_notice(session: Session) -> Optional[str]:
    """A sentence about a clean-up a crash left half-done, if any."""
    from photoorg.engine.curation import unfinished_transactions

    items = unfinished_transactions(session.catalog)
    if not items:
        return None
    t = items[0]
    return (f"A clean-up from {dt.datetime.fromtimestamp(t.created_at):%d %b %H:%M} did not finish "
            f"({count(t.counts.get('moved', 0), 'photo')} moved). Edit ▸ Undo (Ctrl+Z) puts them back.")

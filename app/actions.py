"""One undoable command for every user action in the window.

``push_action`` puts an engine action (``engine.catalog.user_commands``) on
the session's undo stack: redo runs it as a journalled action on the "edit"
lane (the first time) or re-applies the journalled rows (after an undo);
undo writes back every row it changed. Each says which kinds of things
changed, so the views that show them reload. After a restart the stack is
empty: ``undo_last`` undoes the latest journalled action or clean-up,
whichever came last.
"""

from __future__ import annotations

from photoorg.engine.wording import count
import datetime as dt
from typing import Any, Callable, Optional

from PySide6.QtGui import QUndoCommand

from photoorg.engine.catalog.user_commands import Action, perform

from .changes import Change


class ActionCommand(QUndoCommand):
    def __init__(self, session, action: Action, kinds: Change, photo_ids: tuple = (),
                 on_done: Optional[Callable[[Any], None]] = None,
                 on_failed: Optional[Callable[[str], None]] = None) -> None:
        super().__init__(action.label)
        self.session, self.action, self.kinds = session, action, kinds
        self.photo_ids = list(photo_ids)
        self.on_done, self.on_failed = on_done, on_failed
        self.action_id: Optional[int] = None
        self.result: Any = None
        self.failed = False

    def redo(self) -> None:
        catalog = self.session.catalog
        if self.action_id is None:
            def work():
                self.action_id, self.result = perform(catalog, self.action)
                return self.result
            self._call(self.text(), work, self.on_done)
        else:
            self._call(self.text(), lambda: catalog.redo_action(self.action_id))

    def undo(self) -> None:
        catalog = self.session.catalog

        def work():
            if self.action_id is None:  # it failed: nothing to put back
                return None
            return catalog.undo_action(self.action_id)
        self._call(f"undo {self.text()}", work)

    def _call(self, name: str, work: Callable[[], Any], then: Optional[Callable[[Any], None]] = None) -> None:
        session = self.session

        def done(result) -> None:
            if then:
                then(result)
            self.announce()

        def failed(message: str) -> None:
            self.failed = True
            if self.on_failed:
                self.on_failed(message)
            session.error.emit(f"{self.text()} was not saved: {message}")
            self.announce()

        session.runner.call(name, work, lane="edit", on_done=done, on_error=failed)

    def announce(self) -> None:
        if self.photo_ids:
            self.session.photos_changed.emit(self.photo_ids)
            self.session.sidecars.request(self.photo_ids)
        self.session.notify(self.kinds)


def push_action(session, action: Action, kinds: Change, photo_ids=(), **kwargs) -> ActionCommand:
    command = ActionCommand(session, action, kinds, tuple(photo_ids), **kwargs)
    session.undo.push(command)  # runs redo()
    return command


def undo_last(session) -> None:
    """Ctrl+Z with an empty undo stack (after a restart): the latest of the
    journalled actions and the clean-ups, whichever came last."""
    from .curation_actions import latest_curation, undo_curation

    catalog = session.catalog
    action = catalog.last_action()
    cleanup = latest_curation(session)
    if cleanup is not None and (action is None or cleanup.created_at >= action.created_at):
        when = dt.datetime.fromtimestamp(cleanup.created_at).strftime("%d %b %H:%M")
        session.message.emit(f"Undoing the clean-up of {when} ({count(cleanup.counts.get('moved', 0), 'photo')})…")
        undo_curation(session, cleanup.id)
        return
    if action is None:
        session.message.emit("Nothing to undo")
        return

    def done(_drifted) -> None:
        session.message.emit(f"Undone: {action.label}")
        session.notify(~Change.none() & ~Change.PROGRESS)

    session.runner.call(f"undo {action.label}", lambda: catalog.undo_action(action.id), lane="edit", on_done=done,
                        on_error=lambda msg: session.error.emit(f"Could not undo “{action.label}”: {msg}"))

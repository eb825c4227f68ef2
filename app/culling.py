"""Culling edits (pick / reject flags, star ratings) as undoable commands.

An edit shows at once (the grid row is patched), is written on the "edit"
lane as one journalled action (``user_commands.set_flag`` / ``set_rating``,
which also log the decision for learning), and is undone with Ctrl+Z by
writing back every row it changed: the photos' previous values and the
decision log, so the interest that reads that log is what it was. A write that fails puts the old values back on screen
and says why. Once written, the photos' XMP sidecars follow (when the user
opted in; ``sidecars``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Optional

from PySide6.QtGui import QUndoCommand

from photoorg.engine.catalog import user_commands

from .changes import Change
from .session import Session

FIELDS = {"flag": user_commands.set_flag, "rating": user_commands.set_rating}


def _describe(field: str, value: Any, n: int) -> str:
    what = f"{n} photo" + ("s" if n != 1 else "")
    if field == "flag":
        return {"pick": f"Pick {what}", "reject": f"Reject {what}", None: f"Unflag {what}"}[value]
    return f"Rate {what} {value}★" if value else f"Clear rating of {what}"


class EditCommand(QUndoCommand):
    """Set ``field`` to ``value`` on photos whose previous values are ``old``."""

    def __init__(self, session: Session, field: str, old: dict[int, Any], value: Any,
                 patch: Callable[[list[int], str, Any], None],
                 settle: Optional[Callable[[list[int]], None]] = None) -> None:
        super().__init__(_describe(field, value, len(old)))
        self.session = session
        self.field = field
        self.old = old
        self.value = value
        self.patch = patch
        self.settle = settle or (lambda ids: None)
        self.action_id: Optional[int] = None

    def redo(self) -> None:
        catalog, ids, value = self.session.catalog, list(self.old), self.value

        def write() -> None:
            if self.action_id is None:
                self.action_id, _ = user_commands.perform(catalog, FIELDS[self.field](ids, value))
            else:
                catalog.redo_action(self.action_id)
        self._write({pid: self.value for pid in self.old}, revert_to=self.old, write=write)

    def undo(self) -> None:
        catalog = self.session.catalog
        self._write(self.old, revert_to={pid: self.value for pid in self.old},
                    write=lambda: catalog.undo_action(self.action_id) if self.action_id is not None else None)

    def _write(self, values: dict[int, Any], revert_to: dict[int, Any], write: Callable[[], Any]) -> None:
        groups: dict[Any, list[int]] = defaultdict(list)
        for pid, value in values.items():
            groups[value].append(pid)
        for value, ids in groups.items():
            self.patch(ids, self.field, value)

        ids = list(values)

        def done(_result) -> None:
            self.settle(ids)
            self.session.photos_changed.emit(ids)
            self.session.sidecars.request(ids)
            self.session.notify(Change.FLAGS)

        def failed(message: str) -> None:
            for pid, value in revert_to.items():
                self.patch([pid], self.field, value)
            self.settle(ids)  # this write
            self.settle(ids)  # the revert just shown (nothing to write: the catalog kept it)
            self.session.error.emit(f"{self.text()} was not saved: {message}")

        self.session.runner.call(self.text(), write, lane="edit", on_error=failed, on_done=done)


def push_edit(session: Session, field: str, rows: list, value: Any,
              patch: Callable[[list[int], str, Any], None],
              settle: Optional[Callable[[list[int]], None]] = None) -> Optional[EditCommand]:
    """Push an undoable edit of ``field`` for the given grid rows (skips no-ops)."""
    if field == "rating" and value == 0:
        value = None
    old = {row.id: getattr(row, field) for row in rows if getattr(row, field) != value}
    if not old:
        return None
    command = EditCommand(session, field, old, value, patch, settle)
    session.undo.push(command)  # runs redo()
    return command

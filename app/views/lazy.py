"""The base of every view that shows catalog data: reload only for the kinds
of change it shows, and only while visible. A hidden view marks itself dirty
and reloads when it is shown again (``activate`` or its show event)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ..changes import Change


class LazyView(QWidget):
    #: the kinds of change this view shows (subclasses set it)
    watches: Change = Change.none()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.loaded = False          # True once the first data arrived
        self._dirty = True           # what is shown may be out of date
        self.pending = Change.none()  # the kinds seen since the last reload
        self.reloads = 0             # how many times the view reloaded (tests, diagnostics)

    def listen(self, session) -> None:
        session.changed.connect(self.on_change)

    def on_change(self, kinds: Change) -> None:
        if not kinds & self.watches:
            return
        self.pending |= kinds
        self._dirty = True
        if self.isVisible():
            self.activate()

    def activate(self) -> None:
        """Shown (or told of a change while shown): reload if out of date."""
        if self._dirty:
            kinds, self.pending = self.pending, Change.none()
            self._dirty = False
            self.reloads += 1
            self.reload(kinds)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self.activate()

    def refresh(self) -> None:
        """Reload now, whatever changed."""
        self._dirty, self.pending = False, Change.none()
        self.reloads += 1
        self.reload(Change.none())

    def reload(self, kinds: Change) -> None:  # pragma: no cover - subclasses
        raise NotImplementedError

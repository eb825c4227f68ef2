"""The thin status strip: the keys of the current view (a compact hint that
gives way to messages while they show), the latest message, the running
background job with its progress and a cancel button, and how many photos
are shown."""

from __future__ import annotations

from photoorg.engine.wording import count
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QToolButton

from ..session import Session, progress_text
from ..theme import icon
from ..workers import Task

# Lanes whose tasks the strip shows with progress and a cancel button: the
# long jobs (scan, analysis, curation) and the story panel's choosing and rendering.
SHOWN_LANES = ("work", "story")

CULLING_KEYS = "P pick · X reject · U unflag · 0–5 stars · Space preview · ←→ move · Ctrl+Z undo · F1 keys"
# The keys and clicks of each view, shown at the left of the strip.
VIEW_HINTS = {
    "library": (CULLING_KEYS, "Keys act on the selected photos, in the grid and in the preview. "
                              "Ctrl+1…5 switch views; Ctrl+I shows or hides the inspector."),
    "series": ("Click a shot to keep it · double-click a strip to cull it in the grid · Ctrl+Z undo",
               "The ranking model orders each series; your click overrides it and teaches it."),
    "albums": ("Choose another event if the model is wrong · Make a story… for a slideshow · Ctrl+Z undo", ""),
    "people": ("Ctrl+Z undo · F1 keys", ""),
}


class StatusStrip(QStatusBar):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        # A normal (not permanent) widget: a message covers it while it shows.
        self.hint = QLabel("")
        self.hint.setObjectName("Hint")
        self.addWidget(self.hint, 1)
        self.job_label = QLabel("")
        self.job_label.setMinimumWidth(260)
        self.bar = QProgressBar()
        self.bar.setFixedWidth(180)
        self.bar.setTextVisible(False)
        self.cancel_button = QToolButton()
        self.cancel_button.setIcon(icon("cancel"))
        self.cancel_button.setToolTip("Cancel the running job (work done so far is kept)")
        self.cancel_button.setAutoRaise(True)
        self.cancel_button.clicked.connect(self._cancel)
        self.count_label = QLabel("")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for w in (self.job_label, self.bar, self.cancel_button):
            self.addPermanentWidget(w)
        self.addPermanentWidget(self.count_label)
        self._task: Optional[Task] = None
        self._session: Optional[Session] = None
        self._show_job(None)

    def bind(self, session: Session) -> None:
        self._session = session
        session.runner.task_started.connect(self._started)
        session.runner.task_progress.connect(self._progress)
        session.runner.task_finished.connect(self._finished)
        session.message.connect(lambda text: self.showMessage(text, 15000))

    def set_hint(self, text: str, tooltip: str = "") -> None:
        self.hint.setText(text)
        self.hint.setToolTip(tooltip)

    def show_view_hint(self, view: str) -> None:
        self.set_hint(*VIEW_HINTS.get(view, ("", "")))

    def set_count(self, shown: int, total: Optional[int] = None) -> None:
        self.count_label.setText(count(shown, 'photo') if total in (None, shown) else f"{shown:,} of {count(total, 'photo')}")

    # -- the running job (tasks of SHOWN_LANES: scans, analysis, curation, stories) ------------
    def _started(self, task: Task) -> None:
        if task.lane in SHOWN_LANES:
            self._task = task
            self._show_job(task)

    def _progress(self, task: Task) -> None:
        if task is self._task:
            self._show_job(task)

    def _finished(self, task: Task) -> None:
        if task is self._task:
            self._task = None
            nxt = [t for t in (self._session.runner.active() if self._session else [])
                   if t.lane in SHOWN_LANES and t.state == "running"]
            self._show_job(None)
            if task.state == "failed":
                self.showMessage(f"{task.name} failed: {task.error}", 30000)
            elif task.state == "cancelled":
                self.showMessage(f"{task.name}: cancelled", 10000)
            if nxt:
                self._task = nxt[0]
                self._show_job(nxt[0])

    def _show_job(self, task: Optional[Task]) -> None:
        visible = task is not None
        for w in (self.job_label, self.bar, self.cancel_button):
            w.setVisible(visible)
        if not task:
            return
        p = task.last_progress
        self.job_label.setText(f"{task.name}: {progress_text(p)}" if p else task.name)
        self.job_label.setToolTip(self.job_label.text())
        if p and p.total:
            self.bar.setRange(0, p.total)
            self.bar.setValue(min(p.done, p.total))
        else:
            self.bar.setRange(0, 0)  # busy

    def _cancel(self) -> None:
        if self._task:
            self._task.cancel()
            self.job_label.setText(f"{self._task.name}: cancelling…")

    @property
    def current_task(self) -> Optional[Task]:
        return self._task

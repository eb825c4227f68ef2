"""The progress panel over the grid while folders are scanned and analysed:
stage, counts, rate, time left and a cancel button. Never modal: the grid
under it fills with thumbnails as the scanner commits them."""

from __future__ import annotations

from typing import Optional

import os

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout

from ..session import Session, format_duration
from ..workers import Task

STAGE_NAMES = {
    "list": "Finding photos", "scan": "Scanning", "read": "Reading photos and making thumbnails",
}


class ProgressPanel(QFrame):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("ProgressPanel")
        self.title = QLabel("")
        self.title.setObjectName("ProgressTitle")
        self.detail = QLabel("")
        self.detail.setObjectName("Hint")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop now; everything done so far is kept and the next run continues")
        self.cancel_button.clicked.connect(self._cancel)
        self.close_button = QPushButton("Hide")
        self.close_button.clicked.connect(self.hide)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title)
        text.addWidget(self.detail)
        text.addWidget(self.bar)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 12, 8)
        row.addLayout(text, 1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.close_button)
        self._task: Optional[Task] = None
        # A finished job's panel goes away by itself after a while (not a failed one).
        self._hide_timer = QTimer(self, singleShot=True, interval=12_000)
        self._hide_timer.timeout.connect(self.hide)
        self.hide()

    def bind(self, session: Session) -> None:
        session.runner.task_started.connect(self._started)
        session.runner.task_progress.connect(self._progress)
        session.runner.task_finished.connect(self._finished)

    @property
    def task(self) -> Optional[Task]:
        return self._task

    def _started(self, task: Task) -> None:
        if task.lane != "work":
            return
        self._task = task
        self._hide_timer.stop()
        self.title.setText(task.name)
        self.detail.setText("starting…")
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.show()

    def _progress(self, task: Task) -> None:
        if task is not self._task or task.last_progress is None:
            return
        p = task.last_progress
        stage = STAGE_NAMES.get(p.stage, p.stage.replace("_", " ").capitalize())
        counts = f"{p.done:,}" + (f" of {p.total:,}" if p.total else "")
        bits = [f"{stage}: {counts}"]
        if p.rate >= 0.1:
            bits.append(f"{p.rate:,.1f} per second")
        if p.eta_s is not None and p.total and p.done < p.total:
            bits.append(f"about {format_duration(p.eta_s)} left")
        if p.message:
            bits.append(p.message)
        self.detail.setText(" · ".join(bits))
        if p.total:
            self.bar.setRange(0, p.total)
            self.bar.setValue(min(p.done, p.total))
        else:
            self.bar.setRange(0, 0)

    def _finished(self, task: Task) -> None:
        if task is not self._task:
            return
        self._task = None
        self.cancel_button.hide()
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        verdict = {"done": "done", "failed": "failed", "cancelled": "cancelled — what was done is kept"}[task.state]
        self.title.setText(f"{task.name}: {verdict}")
        if task.state == "failed":
            self.detail.setText(task.error or "")
            return
        skipped = getattr(task.result, "skipped", None)
        if task.state == "done" and hasattr(task.result, "counts"):
            counts = task.result.counts()
            self.detail.setText(f"{counts['added']:,} added · {counts['updated']:,} updated · "
                                f"{counts['unchanged']:,} unchanged · {counts['missing']:,} missing · "
                                f"{counts['skipped']:,} skipped" + (" (hover for why)" if skipped else ""))
            self.detail.setToolTip("\n".join(f"{os.path.basename(s['path'])}: {s['reason']}"
                                              for s in (skipped or [])[:40]))
        self._hide_timer.start()

    def _cancel(self) -> None:
        if self._task:
            self._task.cancel()
            self.cancel_button.setEnabled(False)
            self.detail.setText("cancelling after the current photo…")

"""Shows a clean-up plan before anything moves: how many photos go where,
the space freed, and each file with its reason. Inline, never modal."""

from __future__ import annotations

import os

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout

from ..session import format_bytes

MAX_LISTED = 500


class PlanPanel(QFrame):
    confirmed = Signal(object)  # the plan
    dismissed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("PlanPanel")
        self.title = QLabel("")
        self.title.setObjectName("PlanTitle")
        self.title.setWordWrap(True)
        self.items = QListWidget()
        self.items.setMaximumHeight(130)
        self.apply_button = QPushButton("Move to trash")
        self.apply_button.setObjectName("Danger")
        self.cancel_button = QPushButton("Cancel")
        self.apply_button.clicked.connect(self._confirm)
        self.cancel_button.clicked.connect(self._dismiss)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.items)
        layout.addLayout(buttons)
        self.plan = None
        self.hide()

    def show_plan(self, plan, destination: str, scope: str) -> None:
        self.plan = plan
        self.items.clear()
        if not plan.items:
            self.title.setText(f"Nothing to clean up in {scope}: every photo there is kept "
                               "(the best shots, and photos you rated or picked).")
            self.apply_button.hide()
            self.cancel_button.setText("Close")
            self.show()
            return
        series = len({i.series_id for i in plan.items})
        self.title.setText(
            f"Clean up {scope}: keep the best {plan.keep} of each, move {len(plan.items)} "
            f"photo{'s' if len(plan.items) != 1 else ''} from {series} series to {destination}, "
            f"freeing {format_bytes(plan.bytes_freed)}. Nothing is deleted; Ctrl+Z puts them back.")
        for item in plan.items[:MAX_LISTED]:
            self.items.addItem(f"{os.path.basename(item.path)}  —  {format_bytes(item.size)}  —  {item.reason}")
        if len(plan.items) > MAX_LISTED:
            self.items.addItem(f"… and {len(plan.items) - MAX_LISTED} more")
        self.apply_button.setText(f"Move {len(plan.items)} to {'quarantine' if 'quarantine' in destination else 'trash'}")
        self.apply_button.show()
        self.cancel_button.setText("Cancel")
        self.show()

    def _confirm(self) -> None:
        self.confirmed.emit(self.plan)

    def _dismiss(self) -> None:
        self.plan = None
        self.hide()
        self.dismissed.emit()

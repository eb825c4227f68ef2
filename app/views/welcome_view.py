"""First run: an empty catalog asks for folders (or another catalog)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from ..theme import icon


class WelcomeView(QWidget):
    add_folder = Signal()
    open_catalog = Signal()

    def __init__(self, catalog_path: str, parent=None) -> None:
        super().__init__(parent)
        title = QLabel("Welcome to Photo Organizer")
        title.setObjectName("ViewTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(
            "Choose the folders that hold your photos. They are read where they are (nothing is "
            "copied or moved), thumbnails appear as they are made, and then the photos are analysed "
            "in the background: series of similar shots, albums and events, people, the best shots.\n\n"
            "Everything stays on this computer."
        )
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setMaximumWidth(560)
        add = QPushButton(icon("add-folder"), "  Add a folder of photos…")
        add.setObjectName("Primary")
        add.setMinimumHeight(36)
        add.clicked.connect(self.add_folder)
        other = QPushButton("Open another catalog…")
        other.clicked.connect(self.open_catalog)
        where = QLabel(f"Catalog: {catalog_path}")
        where.setObjectName("Hint")
        where.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        for w in (title, text, add, other, where):
            layout.addWidget(w, 0, Qt.AlignmentFlag.AlignHCenter)
            layout.addSpacing(10)
        layout.addStretch(3)
        self.add_button = add
        self.open_button = other

"""The main window (first version: the library count; views come next)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow

from photoorg.engine.catalog import Catalog
from photoorg.engine.settings import Settings


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings, initial_paths: list[str] | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.catalog = Catalog(settings.catalog_path)
        self.setWindowTitle("Photo Organizer")
        self.setCentralWidget(QLabel(f"{self.catalog.photo_count()} photos in {settings.catalog_path}"))
        self.resize(1280, 800)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        self.catalog.close()
        super().closeEvent(event)

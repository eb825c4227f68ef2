"""Entry point of the window: ``photoorg gui``."""

from __future__ import annotations

import sys
from typing import Sequence

from photoorg.engine.settings import Settings


def run(settings: Settings, paths: Sequence[str] = ()) -> int:
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Photo Organizer")
    window = MainWindow(settings, initial_paths=list(paths))
    window.show()
    return app.exec()

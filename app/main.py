"""Entry point of the window: ``photoorg gui``."""

from __future__ import annotations

import sys
from typing import Sequence

from photoorg.engine.errors import PhotoOrgError
from photoorg.engine.settings import Settings


def run(settings: Settings, paths: Sequence[str] = ()) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from . import theme
    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Photo Organizer")
    app.setOrganizationName("photoorg")
    theme.apply(app)
    try:
        window = MainWindow(settings, initial_paths=list(paths))
    except PhotoOrgError as exc:
        # Nothing runs yet, so a plain message box is fine here.
        QMessageBox.critical(None, "Photo Organizer", " ".join(str(exc).split()))
        return 1
    window.show()
    return app.exec()

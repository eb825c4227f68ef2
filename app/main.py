"""Entry point of the window: ``photoorg gui``."""

from __future__ import annotations

import os
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
    if os.environ.get("PHOTOORG_STARTUP_PROBE"):
        _probe_startup(app, window)
    return app.exec()


def _probe_startup(app, window) -> None:
    """For tests/bench/bench_gui.py: report on stderr when the window shows
    and when the grid has its rows painted, then quit."""
    import json
    import time

    from PySide6.QtCore import QTimer

    shown = time.monotonic()
    total = window.session.catalog.photo_count()
    first: dict = {}
    timer = QTimer(window)

    def check() -> None:
        lib = window.shell.library
        if "painted" not in first and lib.loaded and lib.model.rowCount() and lib.grid.isVisible():
            lib.grid.viewport().repaint()
            first["painted"] = time.monotonic()
        if first and lib.model.rowCount() >= total:
            timer.stop()
            sys.stderr.write(json.dumps({"shown_monotonic": shown, "ready_monotonic": first["painted"],
                                         "all_rows_monotonic": time.monotonic(),
                                         "rows": lib.model.rowCount()}) + "\n")
            sys.stderr.flush()
            window.close()
            app.quit()

    timer.timeout.connect(check)
    timer.start(5)

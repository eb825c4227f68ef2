"""Entry point of the window: ``photoorg gui``."""

from __future__ import annotations

import os
import sys
from importlib import resources
from typing import Sequence

from photoorg.engine.errors import CatalogLocked, PhotoOrgError
from photoorg.engine.settings import Settings


def _window_libraries_missing() -> str:
    """Why Qt's X11 plugin cannot load here (else ""): Qt itself would abort
    with a message that names no package."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform not in ("", "xcb") or (not platform and os.environ.get("WAYLAND_DISPLAY")):
        return ""
    from photoorg.engine.doctor import check_window

    check = check_window()
    return "" if check.ok else f"{check.detail}; install with: {check.fix}"


def run(settings: Settings, paths: Sequence[str] = ()) -> int:
    problem = _window_libraries_missing()
    if problem:
        sys.stderr.write(f"photoorg: {problem}\n")
        return 1
    from PySide6.QtGui import QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication, QMessageBox

    from photoorg.engine.desktop import APP_ID

    from . import single_instance, theme
    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Photo Organizer")
    app.setOrganizationName("photoorg")
    # Ties the window to the installed desktop entry (its icon, its name).
    QGuiApplication.setDesktopFileName(APP_ID)
    app.setWindowIcon(QIcon(str(resources.files("photoorg.resources") / "desktop" / f"{APP_ID}-256.png")))
    # One window per catalog: a second launch hands its folders over.
    if single_instance.hand_over(settings.catalog_path, paths):
        sys.stderr.write("photoorg: the open window took over\n")
        return 0
    theme.apply(app)
    try:
        window = MainWindow(settings, initial_paths=list(paths))
    except CatalogLocked as exc:
        # Another window holds the catalog but was not listening yet (it is
        # still starting): wait for it, hand the folders over, bring it forward.
        if _hand_over_when_ready(single_instance, settings.catalog_path, paths):
            sys.stderr.write("photoorg: the open window took over\n")
            return 0
        QMessageBox.critical(None, "Photo Organizer", " ".join(str(exc).split()))
        return 1
    except PhotoOrgError as exc:
        # Nothing runs yet, so a plain message box is fine here.
        QMessageBox.critical(None, "Photo Organizer", " ".join(str(exc).split()))
        return 1

    def open_request(more: list[str]) -> None:
        if more:
            window.add_folders(more)
        single_instance.bring_forward(window)

    def listen() -> None:
        window.instance_server = single_instance.InstanceServer(settings.catalog_path, open_request, window)

    # Tests widen the gap between holding the catalog and listening (a slow start).
    delay_s = float(os.environ.get("PHOTOORG_TEST_LISTEN_DELAY_S") or 0)
    if delay_s > 0:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(int(delay_s * 1000), listen)
    else:
        listen()
    window.show()
    if os.environ.get("PHOTOORG_STARTUP_PROBE"):
        _probe_startup(app, window)
    return app.exec()


HAND_OVER_WAIT_S = 20.0  # how long a second launch waits for a starting window


def _hand_over_when_ready(single_instance, catalog_path, paths) -> bool:
    import time

    deadline = time.monotonic() + HAND_OVER_WAIT_S
    while time.monotonic() < deadline:
        if single_instance.hand_over(catalog_path, paths):
            return True
        time.sleep(0.25)
    return False


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

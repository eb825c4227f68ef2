"""Shared pieces of the GUI tests (pytest-qt, QT_QPA_PLATFORM=offscreen)."""

from __future__ import annotations

import shutil
from pathlib import Path

# A small real library: a nature album, two near-duplicate pairs (HDR on/off),
# a folder of people (faces), a two-person photo.
LIBRARY_PARTS = ["immich/albums/nature", "exif/jpg/hdr", "faces/knn_examples/train", "faces/knn_examples/test"]


def copy_library(shared: Path, dest: Path) -> Path:
    """Copies, because curation moves files: the shared photos are never touched."""
    for part in LIBRARY_PARTS:
        src = shared / part
        shutil.copytree(src, dest / part.replace("/", "_"), ignore=shutil.ignore_patterns("*.txt", "*.md"))
    return dest


def wait_idle(qtbot, window, timeout_ms: int = 60_000) -> None:
    """Until no task of the window's session is queued or running."""
    qtbot.waitUntil(lambda: window.session.runner.idle(), timeout=timeout_ms)


def make_window(qtbot, settings, **kwargs):
    from photoorg.app.main_window import MainWindow

    window = MainWindow(settings, **kwargs)
    qtbot.addWidget(window, before_close_func=lambda w: w.close())
    window.resize(1400, 900)
    window.show()
    return window

"""The main window: menus and shortcuts, the status strip, opening and
switching catalogs, and closing cleanly. The content for an open catalog is
a ``Shell`` over a ``Session``; this module only wires them."""

from __future__ import annotations

import gc
import logging
from pathlib import Path
from typing import Optional

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow

from photoorg.engine.errors import PhotoOrgError
from photoorg.engine.settings import Settings

from . import jobs
from .actions import undo_last
from .curation_actions import unfinished_notice
from .qtutil import guard_pyside_refcount_bug
from .qtutil import fit_popups
from .qtutil import slot as qslot
from .session import Session
from .shell import Shell
from .theme import icon
from .widgets.settings_dialog import SettingsDialog
from .widgets.status_strip import StatusStrip

log = logging.getLogger(__name__)

VIEW_SHORTCUTS = [("Library", "library", "Ctrl+1"), ("Series", "series", "Ctrl+2"), ("Albums", "albums", "Ctrl+3"),
                  ("People", "people", "Ctrl+4"), ("Insights", "insights", "Ctrl+5"),
                  ("Videos", "videos", "Ctrl+6")]


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings, initial_paths: Optional[list[str]] = None, *,
                 analyse_after_scan: bool = True) -> None:
        guard_pyside_refcount_bug()
        super().__init__()
        self.analyse_after_scan = analyse_after_scan
        self.setWindowTitle("Photo Organizer")
        self.resize(1440, 900)
        self.setAcceptDrops(True)  # folders dropped on the window are added
        self.status = StatusStrip()
        self.setStatusBar(self.status)
        self.session: Optional[Session] = None
        self.shell: Optional[Shell] = None
        self.settings_dialog: Optional[SettingsDialog] = None
        self._build_menus()
        self._open(settings)
        # What exists now (modules, Qt wrappers) lives as long as the window:
        # moved out of the collector's sight, a full collection (which holds
        # the GIL, whichever thread triggers it) scans far fewer objects and
        # no longer pauses the window for a tenth of a second.
        gc.freeze()
        if initial_paths:
            self.add_folders(initial_paths)

    # -- sessions --------------------------------------------------------------------
    def _open(self, settings: Settings) -> None:
        session = Session(settings, self)
        self.session = session
        self.shell = Shell(session)
        self.setCentralWidget(self.shell)
        self.status.bind(session)
        self.shell.library.count_changed.connect(lambda n: self.status.set_count(n, session.catalog.photo_count()))
        self.shell.welcome.add_folder.connect(self.choose_folder)
        self.shell.welcome.open_catalog.connect(self.choose_catalog)
        self.shell.view_changed.connect(self.status.show_view_hint)
        self.status.show_view_hint(self.shell.current_view)
        self.setWindowTitle(f"Photo Organizer — {settings.catalog_path.name}")
        session.undo.canUndoChanged.connect(lambda _: self._update_undo())
        session.undo.undoTextChanged.connect(lambda _: self._update_undo())
        self._update_undo()
        notice = unfinished_notice(session)
        if notice:
            session.error.emit(notice)

    def switch_catalog(self, path: str) -> bool:
        """Close this catalog (cancelling its work) and open ``path``."""
        old = self.session.settings
        if Path(path).expanduser().absolute() == old.catalog_path:
            return True
        self._close_session()
        try:
            self._open(Settings.for_catalog(path, workers=old.workers))
            return True
        except PhotoOrgError as exc:
            self._open(old)
            self.session.error.emit(f"Could not open {path}: {exc}")
            return False

    def _close_session(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session.deleteLater()
            self.session = None

    # -- menus -------------------------------------------------------------------------
    def _action(self, menu, text: str, slot, shortcut: Optional[str] = None, icon_name: Optional[str] = None) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if icon_name:
            action.setIcon(icon(icon_name))
        action.triggered.connect(qslot(slot))
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "Add folder…", self.choose_folder, "Ctrl+O", "add-folder")
        self._action(file, "Open or create catalog…", self.choose_catalog, "Ctrl+Shift+O")
        file.addSeparator()
        self._action(file, "Rescan all folders", self.rescan, "F5")
        self._action(file, "Analyse now", lambda: jobs.start_analysis(self.session), "Ctrl+R")
        self._action(file, "Cancel background work", lambda: self.session.runner.cancel_all(), "Ctrl+.")
        file.addSeparator()
        self._action(file, "Settings…", self.open_settings, "Ctrl+,", "settings")
        self._action(file, "Quit", self.close, "Ctrl+Q")
        edit = bar.addMenu("&Edit")
        self.undo_action = self._action(edit, "Undo", self.undo, "Ctrl+Z", "undo")
        self.redo_action = self._action(edit, "Redo", lambda: self.session.undo.redo(), "Ctrl+Shift+Z")
        view = bar.addMenu("&View")
        for title, name, key in VIEW_SHORTCUTS:
            self._action(view, title, lambda n=name: self.shell.show_view(n) if n != "library" else self._library(), key, name)
        view.addSeparator()
        self._action(view, "Show or hide the inspector", lambda: self.shell.inspector.setVisible(not self.shell.inspector.isVisible()), "Ctrl+I")
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "Keyboard shortcuts", self.show_keys, "F1")

    def _library(self) -> None:
        self.shell.show_view("library")
        self.shell.library.grid.setFocus()

    def show_keys(self) -> None:
        self.session.message.emit(
            "Grid and preview: arrows move · P pick · X reject · U unflag · 0–5 stars · Space preview · "
            "Ctrl+Z undo · Ctrl+1…5 views")

    # -- actions -----------------------------------------------------------------------
    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Add a folder of photos")
        if path:
            self.add_folders([path])

    def add_folders(self, paths: list[str]) -> None:
        self.shell.show_view("library")
        jobs.start_scan(self.session, paths, analyse=self.analyse_after_scan)

    def rescan(self) -> None:
        roots = self.session.catalog.roots()
        if roots:
            jobs.start_scan(self.session, roots, analyse=self.analyse_after_scan)
        else:
            self.session.message.emit("No folders yet: add one with File ▸ Add folder…")

    def choose_catalog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Open or create a catalog", str(self.session.settings.catalog_path.parent),
            "Catalogs (*.sqlite *.db);;All files (*)", options=QFileDialog.Option.DontConfirmOverwrite)
        if path:
            self.switch_catalog(path)

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.session.settings.prefs, self.session.catalog.roots(), self)
        fit_popups(dialog)
        dialog.add_folder.connect(self.choose_folder)
        dialog.rescan.connect(self.rescan)
        dialog.accepted.connect(qslot(self._save_settings, dialog))
        self.settings_dialog = dialog
        dialog.show()

    def _save_settings(self, dialog: SettingsDialog) -> None:
        if dialog.result_prefs is not None:
            self.session.save_prefs(dialog.result_prefs)

    def undo(self) -> None:
        """Ctrl+Z: the last edit of this session, else (after a restart) the
        last curation the engine can still undo."""
        if self.session.undo.canUndo():
            self.session.undo.undo()
        else:
            undo_last(self.session)

    def _update_undo(self) -> None:
        if self.session is None:
            return
        stack = self.session.undo
        self.undo_action.setText(f"Undo {stack.undoText()}" if stack.canUndo() else "Undo")
        self.redo_action.setEnabled(stack.canRedo())

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if any(url.isLocalFile() and Path(url.toLocalFile()).is_dir() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        folders = [url.toLocalFile() for url in event.mimeData().urls()
                   if url.isLocalFile() and Path(url.toLocalFile()).is_dir()]
        if folders:
            self.add_folders(folders)

    # -- closing -------------------------------------------------------------------------
    def closeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if self.session is not None and not self.session.runner.idle():
            self.status.showMessage("Stopping background work…")
        self._close_session()
        super().closeEvent(event)

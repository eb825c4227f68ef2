"""The window's content for one session: sidebar | views | inspector, the
progress panel and error banner above the views, the status strip below.

Views are created here by name (``VIEW_FACTORIES``); a view whose engine part
is not in this build shows what it will hold instead. The shell routes the
sidebar's destinations and the current photo to the inspector.
"""

from __future__ import annotations

import importlib
import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from .changes import Change
from .qtutil import fit_popups
from .session import Session
from .views.library_view import LibraryView
from .views.welcome_view import WelcomeView
from .widgets import inspector_sections
from .widgets.inspector import Inspector
from .widgets.progress_panel import ProgressPanel
from .widgets.sidebar import Sidebar

log = logging.getLogger(__name__)

# view name -> "module:Class" under photoorg.app.views (constructor: (session, shell))
VIEW_FACTORIES = {
    "series": "series_view:SeriesView",
    "albums": "albums_view:AlbumsView",
    "people": "people_view:PeopleView",
    "insights": "insights_view:InsightsView",
    "videos": "videos_view:VideosView",
}


class ErrorBanner(QFrame):
    """A readable error above the views; stays until dismissed, never modal."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("ErrorBanner")
        self.label = QLabel("")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dismiss = QPushButton("Dismiss")
        dismiss.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 12, 6)
        row.addWidget(self.label, 1)
        row.addWidget(dismiss)
        self.messages: list[str] = []
        self.hide()

    def show_error(self, message: str) -> None:
        self.messages.append(message)
        self.label.setText(message if len(self.messages) == 1 or self.isHidden()
                           else f"{message}\n(and {len(self.messages) - 1} earlier)")
        self.show()


class PlaceholderView(QWidget):
    def __init__(self, title: str, text: str, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        head = QLabel(title)
        head.setObjectName("ViewTitle")
        body = QLabel(text)
        body.setObjectName("Hint")
        body.setWordWrap(True)
        layout.addWidget(head)
        layout.addWidget(body)
        layout.addStretch(1)


class Shell(QWidget):
    view_changed = Signal(str)

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.sidebar = Sidebar()
        self.inspector = Inspector()
        self.inspector.bind(session.catalog)
        inspector_sections.install(self.inspector, session.settings.thumbs_dir, session)
        self.progress = ProgressPanel()
        self.progress.bind(session)
        self.banner = ErrorBanner()
        self.library = LibraryView(session)
        self.welcome = WelcomeView(str(session.settings.catalog_path))
        self.stack = QStackedWidget()
        self.views: dict[str, QWidget] = {"library": self.library, "welcome": self.welcome}
        self.stack.addWidget(self.library)
        self.stack.addWidget(self.welcome)
        center = QWidget()
        column = QVBoxLayout(center)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.progress)
        column.addWidget(self.stack, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for w in (self.sidebar, center, self.inspector):
            self.splitter.addWidget(w)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([210, 900, 290])
        self.splitter.setCollapsible(1, False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self.current_view = "library"
        session.error.connect(self.banner.show_error)
        session.changed.connect(self._changed)
        session.photos_changed.connect(self._photos_changed)
        self.sidebar.navigate.connect(self.navigate)
        self.sidebar.remove_folder_requested.connect(self.remove_folder)
        self.library.current_photo_changed.connect(self.inspector.show_photo)
        self.library.save_filter_requested.connect(self.save_filter)
        if session.catalog.photo_count() == 0 and not session.catalog.roots():
            self.show_view("welcome")
        self.refresh_sidebar()
        self.library.refresh(reset=True)
        fit_popups(self)

    # -- navigation ------------------------------------------------------------------
    def navigate(self, dest) -> None:
        kind = dest[0]
        if kind == "view":
            self.show_view(dest[1])
        elif kind == "filter":
            fields, title = dest[1], dest[2]
            sort = dest[3] if len(dest) > 3 else None
            self.show_view("library")
            self.library.show_filter(fields, title, sort)

    def show_view(self, name: str) -> QWidget:
        view = self.views.get(name) or self._make_view(name)
        self.stack.setCurrentWidget(view)
        self.current_view = name
        if name in VIEW_FACTORIES:
            self.sidebar.select_view(name)
        activate = getattr(view, "activate", None)
        if activate:
            activate()
        self.view_changed.emit(name)
        return view

    def _make_view(self, name: str) -> QWidget:
        spec = VIEW_FACTORIES.get(name)
        if spec:  # a view that fails to import is a bug to see, not a placeholder
            module_name, cls_name = spec.split(":")
            module = importlib.import_module(f"photoorg.app.views.{module_name}")
            view: QWidget = getattr(module, cls_name)(self.session, self)
        else:
            view = PlaceholderView(name.capitalize(), "This view is not available in this build.")
        self.views[name] = view
        self.stack.addWidget(view)
        fit_popups(view)
        return view

    def show_photo(self, photo_id: int) -> None:
        """Another view selected a photo: show it in the inspector."""
        self.inspector.show_photo(photo_id)

    # -- updates -----------------------------------------------------------------------
    def refresh_sidebar(self) -> None:
        catalog = self.session.catalog
        self.session.runner.call(
            "folders", catalog.folder_entries, lane="query", key="folders",
            on_done=self.sidebar.set_folders,
            on_error=lambda msg: self.session.error.emit(f"Could not list folders: {msg}"))
        self.sidebar.set_saved_filters(catalog.get_pref("saved_filters", []) or [])

    def _changed(self, kinds: Change) -> None:
        if kinds & Change.FOLDERS:  # the sidebar's folders and their counts
            self.refresh_sidebar()
            if self.current_view == "welcome" and self.session.catalog.photo_count():
                self.show_view("library")
        if kinds & ~(Change.FOLDERS | Change.PREFS):
            self.inspector.refresh()

    def _photos_changed(self, ids: list) -> None:
        if self.inspector.photo_id in ids:
            self.inspector.refresh()

    def remove_folder(self, path: str) -> None:
        """A library folder leaves the catalog (its files stay); Ctrl+Z brings it back."""
        from photoorg.engine.catalog.user_commands import NotALibraryFolder, library_root, remove_folder

        from .actions import push_action

        try:
            root = library_root(self.session.catalog, path)
        except NotALibraryFolder as exc:
            self.session.error.emit(str(exc))
            return
        session = self.session
        push_action(session, remove_folder(root), Change.PHOTOS | Change.FOLDERS | Change.SERIES | Change.ALBUMS
                    | Change.PEOPLE | Change.FLAGS,
                    on_done=lambda n: session.message.emit(
                        f"Removed {root} from the library ({n} photo{'s' if n != 1 else ''}; the files stay) "
                        "· Ctrl+Z puts it back"))

    def save_filter(self, fields: dict, sort: str) -> None:
        title = self.library.bar.title.text()
        extra = [self.library.bar.rating.currentText() if fields.get("min_rating") and "min_rating" not in self.library.base else "",
                 self.library.bar.flag.currentText() if fields.get("flag") and "flag" not in self.library.base else "",
                 f"“{fields['text']}”" if fields.get("text") else ""]
        name = " · ".join([title, *[e for e in extra if e]])
        saved = list(self.session.catalog.get_pref("saved_filters", []) or [])
        saved = [s for s in saved if s.get("name") != name] + [{"name": name, "filter": fields, "sort": sort}]
        self.sidebar.set_saved_filters(saved)
        self.session.runner.call("save filter", lambda: self.session.catalog.set_pref("saved_filters", saved),
                                 lane="edit", on_error=self.session.error.emit)
        self.session.message.emit(f"Saved the filter “{name}” in the sidebar")

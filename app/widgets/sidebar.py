"""The sidebar: the library's sections, its folders and the saved filters.

Every item carries a destination: ("view", name) for Series, Albums, People,
Insights; ("filter", {BrowseFilter fields}) for Library entries, folders and
saved filters. ``navigate`` fires with it.
"""

from __future__ import annotations

import os
from typing import Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QMenu, QTreeWidget, QTreeWidgetItem

from ..theme import icon

DEST = Qt.ItemDataRole.UserRole + 1

LIBRARY_ENTRIES = [
    ("All photos", "library", {}),
    ("Picks", "pick", {"flag": "pick"}),
    ("Rejected", "reject", {"flag": "reject"}),
    ("Rated ★★★ and up", "star", {"min_rating": 3}),
    ("In a series", "stack", {"in_series": True}),
    ("Private", "lock", {"private": True}),
    ("Blurry or badly exposed", "quality", {"quality": "poor"}),
]
VIEW_ENTRIES = [("Series", "series"), ("Albums", "albums"), ("People", "people"), ("Insights", "insights"),
                ("Videos", "videos")]


class Sidebar(QTreeWidget):
    navigate = Signal(object)  # ("view", name) | ("filter", dict, title)
    remove_folder_requested = Signal(str)  # a library folder's path (right-click ▸ Remove)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("Sidebar")
        self.setHeaderHidden(True)
        self.setIndentation(12)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumWidth(190)
        self._section_font = QFont()
        self._section_font.setPointSizeF(8.5)
        self._section_font.setBold(True)
        self.library = self._section("LIBRARY")
        for title, icon_name, filt in LIBRARY_ENTRIES:
            self._item(self.library, title, icon_name, ("filter", filt, title))
        self.views = self._section("VIEWS")
        self.view_items: dict[str, QTreeWidgetItem] = {}
        for title, name in VIEW_ENTRIES:
            self.view_items[name] = self._item(self.views, title, name, ("view", name))
        self.folders = self._section("FOLDERS")
        self.saved = self._section("SAVED FILTERS")
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self.setCurrentItem(self.library.child(0))

    def _section(self, title: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self, [title])
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        item.setFont(0, self._section_font)
        item.setForeground(0, Qt.GlobalColor.gray)
        item.setExpanded(True)
        return item

    def _item(self, parent: QTreeWidgetItem, title: str, icon_name: str, dest: Any) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [title])
        item.setIcon(0, icon(icon_name))
        item.setData(0, DEST, dest)
        item.setToolTip(0, title)
        return item

    def _clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        dest = item.data(0, DEST)
        if dest is not None:
            self.navigate.emit(dest)

    def folder_menu(self, item: QTreeWidgetItem) -> Optional[QMenu]:
        """The right-click menu of a library folder (a top-level folder)."""
        if item is None or item.parent() is not self.folders:
            return None
        path = item.toolTip(0)
        menu = QMenu(self)
        action = menu.addAction(f"Remove {os.path.basename(path.rstrip(os.sep)) or path} from the library")
        action.setToolTip("Its photos leave the catalog; the files stay where they are (Ctrl+Z undoes)")
        action.triggered.connect(lambda: self.remove_folder_requested.emit(path))
        return menu

    def _context_menu(self, pos) -> None:
        menu = self.folder_menu(self.itemAt(pos))
        if menu is not None:
            menu.exec(self.viewport().mapToGlobal(pos))

    # -- filling ---------------------------------------------------------------------
    def set_folders(self, entries) -> None:
        """``entries``: FolderEntry list from ``catalog.folder_entries`` (a
        tree). A folder with no photo of its own and one subfolder is shown
        merged with it ("faces/train"), as file trees in editors do."""
        self.folders.takeChildren()
        children: dict = {}
        for e in entries:
            children.setdefault(e.parent_path, []).append(e)
        def add(parent_item: QTreeWidgetItem, e, prefix: str = "") -> None:
            kids = children.get(e.path, [])
            name = prefix + (os.path.basename(e.path) or e.path)
            if e.photos == 0 and len(kids) == 1 and parent_item is not self.folders:
                add(parent_item, kids[0], name + "/")
                return
            if parent_item is self.folders:
                name = e.path.replace(os.path.expanduser("~"), "~", 1)
            # e.total: what the grid shows for the folder (the store counts it the grid's way).
            item = self._item(parent_item, f"{name}  ({e.total:,})", "folder",
                              ("filter", {"folder": e.path}, os.path.basename(e.path) or e.path))
            item.setToolTip(0, e.path)
            for kid in kids:
                add(item, kid)
            item.setExpanded(parent_item is self.folders)

        for e in children.get(None, []):
            add(self.folders, e)
        self.folders.setExpanded(True)

    def set_saved_filters(self, saved: list[dict]) -> None:
        """``saved``: [{"name", "filter", "sort"}] as stored in the catalog prefs."""
        self.saved.takeChildren()
        for entry in saved:
            self._item(self.saved, entry["name"], "saved-filter",
                       ("filter", entry.get("filter", {}), entry["name"], entry.get("sort")))

    def select_view(self, name: str) -> None:
        item: Optional[QTreeWidgetItem] = self.view_items.get(name)
        if item is not None:
            self.setCurrentItem(item)

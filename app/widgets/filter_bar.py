"""The bar above the grid: what is shown (title), sort order, rating and flag
filters, a file-name search, the thumbnail size, and "save this filter"."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QLineEdit, QSizePolicy, QSlider, QToolButton

from ..qtutil import slot
from ..theme import icon

# The grid's sorts (``catalog.browse_capabilities().sorts``) in words.
SORT_LABELS = {
    "date": "Date taken", "date_desc": "Newest first", "name": "File name", "added": "Recently added",
    "rating": "Rating", "importance": "Importance", "interest": "Interest", "sharpness": "Sharpness",
}
RATING_CHOICES = [("Any rating", None), ("★ and up", 1), ("★★ and up", 2), ("★★★ and up", 3),
                  ("★★★★ and up", 4), ("★★★★★", 5)]
FLAG_CHOICES = [("Any flag", None), ("Picks", "pick"), ("Rejected", "reject"), ("Unflagged", "unflagged")]


class FilterBar(QFrame):
    changed = Signal()  # sort or one of the bar's filters changed
    zoom_changed = Signal(int)
    save_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("FilterBar")
        self.title = QLabel("All photos")
        self.title.setObjectName("ViewTitle")
        # A long title (a folder's name) gives way rather than widening the window.
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setMinimumWidth(80)
        self.sort = QComboBox()
        self.sort.setToolTip("Sort order")
        self.rating = QComboBox()
        for text, value in RATING_CHOICES:
            self.rating.addItem(text, value)
        self.flag = QComboBox()
        for text, value in FLAG_CHOICES:
            self.flag.addItem(text, value)
        self.search = QLineEdit()
        self.search.setPlaceholderText("File name…")
        self.search.setClearButtonEnabled(True)
        self.search.setFixedWidth(130)
        self.zoom = QSlider(Qt.Orientation.Horizontal)
        self.zoom.setRange(100, 360)
        self.zoom.setValue(180)
        self.zoom.setFixedWidth(90)
        self.zoom.setToolTip("Thumbnail size")
        self.save = QToolButton()
        self.save.setIcon(icon("saved-filter"))
        self.save.setToolTip("Save this view as a filter in the sidebar")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 6)
        row.addWidget(self.title, 1)
        for w in (self.search, self.rating, self.flag, QLabel("Sort"), self.sort, self.zoom, self.save):
            row.addWidget(w)
        self.set_sorts(["date"])
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self.changed)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        for combo in (self.sort, self.rating, self.flag):
            combo.currentIndexChanged.connect(slot(self.changed.emit))
        self.zoom.valueChanged.connect(self.zoom_changed)
        self.save.clicked.connect(self.save_requested)

    def set_sorts(self, sorts: list[str]) -> None:
        current = self.sort.currentData()
        self.sort.blockSignals(True)
        self.sort.clear()
        for key in sorts:
            self.sort.addItem(SORT_LABELS.get(key, key), key)
        index = self.sort.findData(current)
        self.sort.setCurrentIndex(max(index, 0))
        self.sort.blockSignals(False)

    def values(self) -> dict:
        """The bar's own filter fields (merged over the sidebar's)."""
        out = {}
        if self.rating.currentData():
            out["min_rating"] = self.rating.currentData()
        if self.flag.currentData():
            out["flag"] = self.flag.currentData()
        if self.search.text().strip():
            out["text"] = self.search.text().strip()
        return out

    def sort_key(self) -> str:
        return self.sort.currentData() or "date"

    def set_state(self, title: str, sort: str | None = None) -> None:
        """Show a new base view: its title; the bar's own filters are cleared."""
        self.title.setText(title)
        for combo in (self.rating, self.flag):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        if sort:
            index = self.sort.findData(sort)
            if index >= 0:
                self.sort.blockSignals(True)
                self.sort.setCurrentIndex(index)
                self.sort.blockSignals(False)

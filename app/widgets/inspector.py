"""The inspector on the right: what the catalog knows about the current photo
(metadata; the series rank and score and why it is or is not the pick; and,
from the capabilities that provide them, faces, event, interest).

Sections come from providers: ``fn(catalog, details) -> [(title, [(key, value)])]``
so a capability adds its section without this widget knowing its tables.
Reading one photo's row is a primary-key lookup, cheap enough for the GUI
thread (each thread has its own read connection).
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any, Callable, Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from ..session import format_bytes

Section = tuple[str, list[tuple[str, str]]]
Provider = Callable[[Any, dict], list[Section]]


def _exposure(d: dict) -> str:
    bits = []
    if d.get("f_number"):
        bits.append(f"f/{d['f_number']:g}")
    t = d.get("exposure_time")
    if t:
        bits.append(f"1/{round(1 / t)} s" if t < 1 else f"{t:g} s")
    if d.get("iso"):
        bits.append(f"ISO {d['iso']}")
    if d.get("focal_length"):
        focal = f"{round(d['focal_length'], 1):g} mm"
        if d.get("focal_length_35mm") and d["focal_length_35mm"] != d["focal_length"]:
            focal += f" ({round(d['focal_length_35mm']):g} mm eq.)"
        bits.append(focal)
    return "  ".join(bits)


def metadata_sections(catalog, d: dict) -> list[Section]:
    rows = [("Folder", os.path.dirname(d["path"]))]
    if d.get("capture_time"):
        taken = d["capture_time"].replace("T", " ")
        source = d.get("capture_source") or ""
        rows.append(("Taken", taken + (f"  (from {source})" if source and not source.startswith("exif") else "")))
    make, model = (d.get("camera_make") or "").strip(), (d.get("camera_model") or "").strip()
    camera = model if make and model.lower().startswith(make.split()[0].lower()) else " ".join(x for x in (make, model) if x)
    if camera:
        rows.append(("Camera", camera))
    if d.get("lens"):
        rows.append(("Lens", d["lens"]))
    if _exposure(d):
        rows.append(("Exposure", _exposure(d)))
    if d.get("width"):
        rows.append(("Size", f"{d['width']} × {d['height']}  ·  {format_bytes(d['size'])}  ·  {d.get('format') or ''}"))
    if d.get("gps_lat") is not None:
        rows.append(("Place", f"{d['gps_lat']:.5f}, {d['gps_lon']:.5f}"))
    rating = d.get("rating") or 0
    flag = {"pick": "picked", "reject": "rejected"}.get(d.get("flag"), "")
    rows.append(("Rating", ("★" * rating if rating > 0 else "none") + (f"  ·  {flag}" if flag else "")))
    if d.get("keywords"):
        import json

        rows.append(("Keywords", ", ".join(json.loads(d["keywords"]))))
    if d.get("status") != "ok":
        rows.append(("Status", d["status"]))
    added = d.get("added_at")
    if added:
        rows.append(("Added", dt.datetime.fromtimestamp(added).strftime("%Y-%m-%d %H:%M")))
    return [("PHOTO", rows)]


def series_sections(catalog, d: dict) -> list[Section]:
    s = d.get("series")
    if not s:
        return []
    rows = [("Series", f"{s['size']} photos" + (" (identical copies)" if s["kind"] == "duplicates" else ""))]
    if s["rank"] is not None:
        by = " by the ranking model" if s["kind"] != "duplicates" else ""
        rows.append(("Rank", f"{s['rank']} of {s['size']}{by}"
                     + (f"  ·  {s['score']:.0%} (how often the model prefers it to each other shot)"
                        if s["score"] is not None and s["kind"] != "duplicates" else "")))
    if s["is_pick"]:
        rows.append(("Kept", "yes, your choice" if s["user_pick"] else "yes, the ranking model's best shot"))
    else:
        rows.append(("Kept", "no, another shot is the pick"))
    from photoorg.engine.quality.stage import why_in_series

    why = why_in_series(catalog, d["id"]) if s["kind"] != "duplicates" else None
    if why:
        rows.append(("Why", why))
    return [("SERIES", rows)]


class Inspector(QScrollArea):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("Inspector")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(270)
        self.setMaximumWidth(380)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.providers: list[Provider] = [metadata_sections, series_sections]
        self.extra_widgets: list[Callable[[Any, dict], Optional[QWidget]]] = []
        self._body = QWidget()
        self._body.setObjectName("Inspector")
        self._layout = QVBoxLayout(self._body)
        self._layout.setContentsMargins(12, 12, 12, 12)
        self._layout.setSpacing(4)
        self.setWidget(self._body)
        self.catalog = None
        self.photo_id = -1
        self.clear()

    def bind(self, catalog) -> None:
        self.catalog = catalog

    def clear(self, text: str = "No photo selected") -> None:
        self.photo_id = -1
        self._reset()
        hint = QLabel(text)
        hint.setObjectName("Hint")
        hint.setWordWrap(True)
        self._layout.addWidget(hint)
        self._layout.addStretch(1)

    def _reset(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()

    def show_photo(self, photo_id: int) -> None:
        if self.catalog is None or photo_id < 0:
            self.clear()
            return
        from photoorg.engine.video.browse import is_video_id

        if is_video_id(photo_id):
            self._show_video(photo_id)
            return
        details = self.catalog.photo_details(photo_id)
        if details is None:
            self.clear("This photo is no longer in the catalog")
            return
        self.photo_id = photo_id
        self._reset()
        title = QLabel(os.path.basename(details["path"]))
        title.setObjectName("InspectorTitle")
        title.setWordWrap(True)
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout.addWidget(title)
        for provider in self.providers:
            try:
                sections = provider(self.catalog, details)
            except Exception as exc:  # noqa: BLE001 - one capability's bug must not blank the panel
                sections = [("ERROR", [(getattr(provider, "__name__", "?"), str(exc))])]
            for name, rows in sections:
                self._add_section(name, rows)
        for make in self.extra_widgets:
            try:
                widget = make(self.catalog, details)
            except Exception:  # noqa: BLE001 - a broken extra must not blank the panel
                widget = None
            if widget is not None:
                self._layout.addWidget(widget)
        self._layout.addStretch(1)

    def refresh(self) -> None:
        if self.photo_id >= 0:
            self.show_photo(self.photo_id)

    def _show_video(self, row_id: int) -> None:
        """A video of the grid: what was read of it, its highlights, albums."""
        from photoorg.engine.video.browse import video_id_of, video_sections

        name, sections = video_sections(self.catalog, video_id_of(row_id))
        if not sections:
            self.clear("This video is no longer in the catalog")
            return
        self.photo_id = row_id
        self._reset()
        title = QLabel(name)
        title.setObjectName("InspectorTitle")
        title.setWordWrap(True)
        self._layout.addWidget(title)
        for section, rows in sections:
            self._add_section(section, rows)
        self._layout.addStretch(1)

    def _add_section(self, name: str, rows: list[tuple[str, str]]) -> None:
        header = QLabel(name)
        header.setObjectName("InspectorSection")
        self._layout.addWidget(header)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(3)
        for i, (key, value) in enumerate(rows):
            k = QLabel(key)
            k.setObjectName("InspectorKey")
            k.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            v = QLabel(str(value))
            v.setWordWrap(True)
            v.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(k, i, 0)
            grid.addWidget(v, i, 1)
        grid.setColumnStretch(1, 1)
        self._layout.addLayout(grid)

"""Settings: device, folders, XMP sidecars, trash or quarantine, privacy.

Stored with ``catalog.set_pref("preferences", prefs.to_dict())``, the key the
command line reads, so both faces of the program agree. The dialog is not
modal: background work goes on while it is open.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Optional

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGroupBox,
    QHBoxLayout, QLabel, QLineEdit, QListWidget, QPushButton, QRadioButton, QVBoxLayout, QWidget,
)

from photoorg.engine.settings import Preferences

DEVICE_CHOICES = [("Automatic (GPU when it works, else CPU)", "auto"), ("CPU", "cpu"), ("GPU (CUDA)", "cuda")]


def detected_devices() -> str:
    """What the runtime found, in words (engine.runtime.available_devices)."""
    from photoorg.engine.runtime import available_devices

    try:
        found = available_devices()
    except Exception as exc:  # noqa: BLE001 - a broken driver must not break the dialog
        return f"Device detection failed: {exc}"
    if not found:
        return "No inference device found."
    items = []
    for d in found:
        if isinstance(d, str):
            items.append(d)
        elif isinstance(d, dict):
            items.append(d.get("name") or d.get("label") or str(d))
        else:
            items.append(getattr(d, "label", None) or getattr(d, "name", None) or str(d))
    return "Detected: " + ", ".join(items)


def _folder_picker(edit: QLineEdit, parent: QWidget) -> Callable[[], None]:
    def pick() -> None:
        path = QFileDialog.getExistingDirectory(parent, "Choose a folder", edit.text())
        if path:
            edit.setText(path)
    return pick


class SettingsDialog(QDialog):
    add_folder = Signal()
    rescan = Signal()

    def __init__(self, prefs: Preferences, roots: list[str], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setModal(False)
        self.prefs = prefs
        layout = QVBoxLayout(self)

        device = QGroupBox("Analysis device")
        form = QFormLayout(device)
        self.device = QComboBox()
        for text, value in DEVICE_CHOICES:
            self.device.addItem(text, value)
        self.device.setCurrentIndex(max(0, self.device.findData(prefs.device)))
        self.detected = QLabel(detected_devices())
        self.detected.setObjectName("Hint")
        self.detected.setWordWrap(True)
        form.addRow("Run models on", self.device)
        form.addRow("", self.detected)
        layout.addWidget(device)

        folders = QGroupBox("Folders")
        box = QVBoxLayout(folders)
        self.roots = QListWidget()
        self.roots.addItems(roots)
        self.roots.setMaximumHeight(100)
        buttons = QHBoxLayout()
        add, rescan = QPushButton("Add folder…"), QPushButton("Rescan all")
        add.clicked.connect(self.add_folder)
        rescan.clicked.connect(self.rescan)
        buttons.addWidget(add)
        buttons.addWidget(rescan)
        buttons.addStretch(1)
        box.addWidget(self.roots)
        box.addLayout(buttons)
        layout.addWidget(folders)

        xmp = QGroupBox("Ratings and labels in XMP sidecars")
        form = QFormLayout(xmp)
        self.xmp_write = QCheckBox("Write ratings, labels and keywords to .xmp sidecars (other programs read them)")
        self.xmp_write.setChecked(prefs.xmp_write)
        self.xmp_naming = QComboBox()
        for text, value in (("Whichever exists (photo.jpg.xmp or photo.xmp)", "auto"),
                            ("photo.jpg.xmp", "append"), ("photo.xmp", "replace")):
            self.xmp_naming.addItem(text, value)
        self.xmp_naming.setCurrentIndex(max(0, self.xmp_naming.findData(prefs.xmp_naming)))
        self.xmp_folder = QLineEdit(prefs.xmp_folder or "")
        self.xmp_folder.setPlaceholderText("beside each photo")
        form.addRow(self.xmp_write)
        form.addRow("Sidecar name", self.xmp_naming)
        form.addRow("Sidecar folder", self._with_browse(self.xmp_folder))
        layout.addWidget(xmp)

        trash = QGroupBox("Photos removed by clean-up")
        form = QFormLayout(trash)
        self.trash_system = QRadioButton("Go to the system trash (restorable from there, and with Undo)")
        self.trash_quarantine = QRadioButton("Go to a quarantine folder:")
        (self.trash_quarantine if prefs.trash_mode == "quarantine" else self.trash_system).setChecked(True)
        self.quarantine_dir = QLineEdit(prefs.quarantine_dir or "")
        form.addRow(self.trash_system)
        form.addRow(self.trash_quarantine, self._with_browse(self.quarantine_dir))
        layout.addWidget(trash)

        privacy = QGroupBox("Privacy")
        form = QFormLayout(privacy)
        self.allow_private = QCheckBox("Include private photos (personal documents, receipts, screenshots) in "
                                       "stories and exports")
        self.allow_private.setChecked(prefs.allow_private_in_exports)
        self.private_portraits = QCheckBox("Count portraits (one face filling the frame) as private too")
        self.private_portraits.setChecked(prefs.private_portraits)
        self.max_mp = QDoubleSpinBox()
        self.max_mp.setRange(10, 2000)
        self.max_mp.setValue(prefs.max_megapixels)
        self.max_mp.setSuffix(" MP")
        form.addRow(self.allow_private)
        form.addRow(self.private_portraits)
        form.addRow("Skip images larger than", self.max_mp)
        layout.addWidget(privacy)

        videos = QGroupBox("Videos")
        form = QFormLayout(videos)
        self.video_sound = QComboBox()
        for text, value in (("Muted (the music plays over them)", "muted"),
                            ("With their own sound, the music lowered under it", "under-music")):
            self.video_sound.addItem(text, value)
        self.video_sound.setCurrentIndex(max(0, self.video_sound.findData(prefs.story_video_sound)))
        self.video_limit = QDoubleSpinBox()
        self.video_limit.setRange(10, 3600)
        self.video_limit.setDecimals(0)
        self.video_limit.setValue(prefs.video_time_limit_s)
        self.video_limit.setSuffix(" s")
        form.addRow("Video clips in stories", self.video_sound)
        form.addRow("Time to read one video, at most", self.video_limit)
        layout.addWidget(videos)

        self.error = QLabel("")
        self.error.setObjectName("Hint")
        layout.addWidget(self.error)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        bb.accepted.connect(self._accept)
        bb.rejected.connect(self.reject)
        layout.addWidget(bb)
        self.result_prefs: Optional[Preferences] = None

    def _with_browse(self, edit: QLineEdit) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        button = QPushButton("Choose…")
        button.clicked.connect(_folder_picker(edit, self))
        row.addWidget(button)
        return holder

    def collect(self) -> Preferences:
        return dataclasses.replace(
            self.prefs, device=self.device.currentData(), xmp_write=self.xmp_write.isChecked(),
            xmp_naming=self.xmp_naming.currentData(), xmp_folder=self.xmp_folder.text().strip() or None,
            trash_mode="quarantine" if self.trash_quarantine.isChecked() else "system",
            quarantine_dir=self.quarantine_dir.text().strip() or None,
            allow_private_in_exports=self.allow_private.isChecked(), max_megapixels=self.max_mp.value(),
            private_portraits=self.private_portraits.isChecked(),
            story_video_sound=self.video_sound.currentData(), video_time_limit_s=self.video_limit.value(),
        )

    def _accept(self) -> None:
        prefs = self.collect()
        if prefs.trash_mode == "quarantine" and not prefs.quarantine_dir:
            self.error.setText("Choose the quarantine folder, or use the system trash.")
            return
        self.result_prefs = prefs
        self.accept()

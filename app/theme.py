"""The look of the window: the dark-neutral style sheet and the SVG icons from
``photoorg.resources`` (resources/style, resources/icons)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication


def _resource(*parts: str):
    node = resources.files("photoorg.resources")
    for part in parts:
        node = node / part
    return node


def style_sheet() -> str:
    return _resource("style", "dark.qss").read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def _svg(name: str) -> bytes:
    return _resource("icons", f"{name}.svg").read_bytes()


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    out = QIcon()
    for size in (16, 20, 24, 32, 48):
        out.addPixmap(QPixmap.fromImage(icon_image(name, size)))
    return out


@lru_cache(maxsize=None)
def icon_image(name: str, size: int) -> QImage:
    """An icon drawn at ``size`` px (the grid's badges paint these)."""
    image = QImage(QSize(size, size), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    renderer = QSvgRenderer(QByteArray(_svg(name)))
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


def apply(app: QApplication) -> None:
    """Fusion with a dark palette (for what the style sheet leaves out)."""
    app.setStyle("Fusion")
    palette = QPalette()
    for role, color in (
        (QPalette.ColorRole.Window, "#1f1f1f"), (QPalette.ColorRole.WindowText, "#d2d2d2"),
        (QPalette.ColorRole.Base, "#1b1b1b"), (QPalette.ColorRole.AlternateBase, "#242424"),
        (QPalette.ColorRole.Text, "#d2d2d2"), (QPalette.ColorRole.Button, "#333333"),
        (QPalette.ColorRole.ButtonText, "#dedede"), (QPalette.ColorRole.Highlight, "#3a5f86"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"), (QPalette.ColorRole.ToolTipBase, "#2e2e2e"),
        (QPalette.ColorRole.ToolTipText, "#e0e0e0"), (QPalette.ColorRole.PlaceholderText, "#7a7a7a"),
    ):
        palette.setColor(role, QColor(color))
    app.setPalette(palette)
    app.setStyleSheet(style_sheet())

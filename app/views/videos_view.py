"""Videos: every catalogued video as its poster with a play badge and its
duration; the selected one plays on the right in the loupe's player
(widgets/video_player.py: Qt Multimedia with sound, or frames decoded with
PyAV), with its segments - scene, action, importance - and its highlights
to jump to."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter, QPixmap, QPolygonF
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QSplitter, QVBoxLayout, QWidget

from ..widgets.video_player import VideoPlayer
from ..session import Session

TILE = 200


def duration_text(seconds) -> str:
    s = int(round(seconds or 0))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def badge_pixmap(poster_path, duration) -> QPixmap:
    """The poster (or a dark tile) with a play triangle and the duration."""
    pm = QPixmap(TILE, TILE * 9 // 16)
    pm.fill(QColor(30, 30, 30))
    painter = QPainter(pm)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if poster_path:
        src = QPixmap(str(poster_path))
        if not src.isNull():
            src = src.scaled(pm.size(), Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                             Qt.TransformationMode.SmoothTransformation)
            painter.drawPixmap((pm.width() - src.width()) // 2, (pm.height() - src.height()) // 2, src)
    cx, cy, r = pm.width() / 2, pm.height() / 2, 16
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 140))
    painter.drawEllipse(QPointF(cx, cy), r + 6, r + 6)
    painter.setBrush(QColor(255, 255, 255, 230))
    painter.drawPolygon(QPolygonF([QPointF(cx - r / 2, cy - r * 0.7), QPointF(cx - r / 2, cy + r * 0.7),
                                   QPointF(cx + r * 0.8, cy)]))
    text = duration_text(duration)
    font = QFont()
    font.setPointSize(9)
    font.setBold(True)
    painter.setFont(font)
    w = painter.fontMetrics().horizontalAdvance(text) + 10
    painter.setBrush(QColor(0, 0, 0, 170))
    painter.drawRoundedRect(pm.width() - w - 6, pm.height() - 22, w, 18, 4, 4)
    painter.setPen(QColor(255, 255, 255))
    painter.drawText(pm.width() - w - 1, pm.height() - 8, text)
    painter.end()
    return pm


def load_videos(catalog) -> list:
    from photoorg.engine.video.store import list_videos

    return list_videos(catalog)


class VideosView(QWidget):
    def __init__(self, session: Session, shell=None, parent=None) -> None:
        super().__init__(parent)
        self.session, self.shell = session, shell
        self.videos: list = []
        header = QFrame()
        header.setObjectName("ViewHeader")
        title = QLabel("Videos")
        title.setObjectName("ViewTitle")
        self.summary = QLabel("")
        self.summary.setObjectName("Hint")
        row = QHBoxLayout(header)
        row.setContentsMargins(10, 6, 10, 6)
        row.addWidget(title)
        row.addWidget(self.summary, 1)

        self.grid = QListWidget()
        self.grid.setViewMode(QListWidget.ViewMode.IconMode)
        self.grid.setIconSize(QSize(TILE, TILE * 9 // 16))
        self.grid.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.grid.setMovement(QListWidget.Movement.Static)
        self.grid.setSpacing(6)
        self.grid.currentRowChanged.connect(self._select)

        self.player = VideoPlayer()
        self.player.setMinimumSize(320, 220)
        self.segments = QListWidget()
        self.segments.itemActivated.connect(self._jump)
        self.segments.itemClicked.connect(self._jump)
        player = QWidget()
        pl = QVBoxLayout(player)
        pl.addWidget(self.player, 3)
        pl.addWidget(QLabel("Segments (★ highlights): click to jump"))
        pl.addWidget(self.segments, 2)
        split = QSplitter()
        split.addWidget(self.grid)
        split.addWidget(player)
        split.setSizes([500, 600])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(header)
        layout.addWidget(split, 1)
        session.library_changed.connect(self._library_changed)
        self._dirty = True

    def activate(self) -> None:
        if self._dirty:
            self.refresh()

    def refresh(self) -> None:
        self._dirty = False
        catalog = self.session.catalog
        self.session.runner.call("videos", lambda: load_videos(catalog), lane="query", key="videos",
                                 on_done=self._show,
                                 on_error=lambda msg: self.session.error.emit(f"Could not list the videos: {msg}"))

    def _library_changed(self, what: str) -> None:
        if what in ("analysis", "scan"):
            self._dirty = True
            if self.isVisible():
                self.refresh()

    def _show(self, videos: list) -> None:
        self.videos = videos
        self.grid.clear()
        for v in videos:
            item = QListWidgetItem(QIcon(badge_pixmap(v.info.get("poster_path"), v.duration_s)),
                                   v.path.rsplit("/", 1)[-1])
            item.setToolTip(f"{v.path}\n{v.status}" + (f": {v.reason}" if v.reason else ""))
            self.grid.addItem(item)
        analysed = sum(1 for v in videos if v.status in ("ok", "partial"))
        self.summary.setText(f"{len(videos)} videos, {analysed} analysed" if videos else
                             "No videos yet: add a folder that holds some")

    def _select(self, row: int) -> None:
        self.segments.clear()
        if not (0 <= row < len(self.videos)):
            self.player.stop()
            return
        v = self.videos[row]
        for seg in v.segments:
            star = "★ " if seg["highlight"] else ""
            span = f"{duration_text(seg['start'])}–{duration_text(seg['end'])}"
            what = f"{seg['scene']} / {seg['action']}  importance {seg['importance']:.2f}"
            item = QListWidgetItem(f"{star}{span}  {what}")
            item.setData(Qt.ItemDataRole.UserRole, seg["start"])
            self.segments.addItem(item)
        poster = QImage(str(v.info["poster_path"])) if v.info.get("poster_path") else None
        self.player.open(v.id, v.path, v.duration_s, start_s=v.info.get("poster_s") or 0.0,
                         caption=v.path.rsplit("/", 1)[-1] + (f"   ·   {v.status}: {v.reason}" if v.reason else ""),
                         poster=poster if poster is not None and not poster.isNull() else None, autoplay=False)

    def _jump(self, item) -> None:
        self.player.seek(float(item.data(Qt.ItemDataRole.UserRole)))

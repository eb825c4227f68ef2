"""Videos: every catalogued video as its poster with a play badge and its
duration; the selected one plays on the right (frames decoded with PyAV,
scrubbed and played here without sound: this view is for its segments -
scene, action, importance - and highlights to jump to; the Library's loupe
plays videos with sound, widgets/video_player.py)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter, QPixmap, QPolygonF
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QSlider,
                               QSplitter, QVBoxLayout, QWidget)

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
        self.scrubber = None
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

        self.screen = QLabel("Select a video")
        self.screen.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.screen.setMinimumSize(320, 180)
        self.play = QPushButton("Play")
        self.play.setCheckable(True)
        self.play.toggled.connect(self._toggle)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 1000)
        self.slider.sliderMoved.connect(self._scrub)
        self.time = QLabel("0:00")
        self.segments = QListWidget()
        self.segments.itemActivated.connect(self._jump)
        self.segments.itemClicked.connect(self._jump)
        controls = QHBoxLayout()
        controls.addWidget(self.play)
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.time)
        player = QWidget()
        pl = QVBoxLayout(player)
        pl.addWidget(self.screen, 3)
        pl.addLayout(controls)
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
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
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
        self.play.setChecked(False)
        if self.scrubber is not None:
            self.scrubber.close()
            self.scrubber = None
        self.segments.clear()
        if not (0 <= row < len(self.videos)):
            return
        v = self.videos[row]
        for s in v.segments:
            star = "★ " if s["highlight"] else ""
            item = QListWidgetItem(f"{star}{duration_text(s['start'])}–{duration_text(s['end'])}  {s['scene']} / "
                                   f"{s['action']}  importance {s['importance']:.2f}")
            item.setData(Qt.ItemDataRole.UserRole, s["start"])
            self.segments.addItem(item)
        try:
            from photoorg.engine.video.scrub import FrameScrubber

            self.scrubber = FrameScrubber(v.path)
        except Exception as exc:  # noqa: BLE001 - an unreadable file: say so in place
            self.screen.setText(f"This video cannot be played: {v.reason or exc}")
            return
        start = v.info.get("poster_s") or 0.0
        self._show_frame(self.scrubber.frame_at(start))

    def _show_frame(self, frame) -> None:
        if frame is None or self.scrubber is None:
            return
        h, w = frame.shape[:2]
        image = QImage(frame.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        pm = QPixmap.fromImage(image).scaled(self.screen.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                             Qt.TransformationMode.SmoothTransformation)
        self.screen.setPixmap(pm)
        pos, dur = self.scrubber.position, max(self.scrubber.duration, 1e-3)
        self.time.setText(f"{duration_text(pos)} / {duration_text(dur)}")
        if not self.slider.isSliderDown():
            self.slider.setValue(int(1000 * pos / dur))

    def _scrub(self, value: int) -> None:
        if self.scrubber is not None:
            self._show_frame(self.scrubber.frame_at(value / 1000 * self.scrubber.duration))

    def _jump(self, item) -> None:
        if self.scrubber is not None:
            self._show_frame(self.scrubber.frame_at(float(item.data(Qt.ItemDataRole.UserRole))))

    def _toggle(self, on: bool) -> None:
        self.play.setText("Pause" if on else "Play")
        if on and self.scrubber is not None:
            self.timer.start(int(1000 / min(30.0, self.scrubber.fps)))
        else:
            self.timer.stop()

    def _tick(self) -> None:
        frame = self.scrubber.next_frame() if self.scrubber is not None else None
        if frame is None:
            self.play.setChecked(False)
            return
        self._show_frame(frame)

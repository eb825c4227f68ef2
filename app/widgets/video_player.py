"""A video in the loupe: plays with Qt Multimedia (FFmpeg inside PySide6's
wheel; it needs PulseAudio's libpulse.so.0, packaging/system-packages.sh)
where it loads, with sound; else with the engine's frame scrubber (PyAV,
without sound). Space plays / pauses, Left / Right step through the grid,
Esc goes back; the slider seeks.

Frames arrive through a QVideoSink and are painted here (no QVideoWidget:
it needs a GPU surface that offscreen and remote sessions lack)."""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from typing import Optional

from PySide6.QtCore import QRect, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from .thumb_delegate import duration_text

log = logging.getLogger(__name__)
SLIDER_STEPS = 1000


@lru_cache(maxsize=1)
def qt_multimedia_available() -> bool:
    """True when PySide6's Qt Multimedia loads (PHOTOORG_VIDEO_PLAYER=frames
    forces the fallback)."""
    if os.environ.get("PHOTOORG_VIDEO_PLAYER") == "frames":
        return False
    try:
        from PySide6.QtMultimedia import QMediaPlayer  # noqa: F401 - the import is the check
    except ImportError as exc:  # a system library (libpulse0) missing: said once, frames shown instead
        log.warning("videos play as frames without sound: Qt Multimedia does not load (%s); "
                    "`photoorg doctor` names what to install", exc)
        return False
    return True


class _Screen(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.image: Optional[QImage] = None
        self.message = ""
        self.setMinimumSize(160, 90)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#111111"))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        if self.image is not None and not self.image.isNull():
            size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(self.rect().center())
            painter.drawImage(target, self.image)
        if self.message:
            painter.setPen(QColor("#bbbbbb"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)


class VideoPlayer(QWidget):
    closed = Signal()
    step = Signal(int)
    frame_shown = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("Loupe")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.backend = "qt" if qt_multimedia_available() else "frames"
        self.video_id = -1
        self.path = ""
        self.duration = 0.0
        self.frames_shown = 0
        self._scrubber = None
        self._player = None
        self._pending_seek = None
        self.screen = _Screen()
        self.caption = QLabel("")
        self.caption.setObjectName("Hint")
        self.play_button = QPushButton("Play")
        self.play_button.setCheckable(True)
        self.play_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.play_button.toggled.connect(self._toggled)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider.sliderMoved.connect(lambda v: self.seek(v / SLIDER_STEPS * self.duration))
        self.time = QLabel("0:00")
        controls = QHBoxLayout()
        controls.addWidget(self.play_button)
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.time)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 8)
        layout.addWidget(self.screen, 1)
        layout.addLayout(controls)
        layout.addWidget(self.caption)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._next_frame)

    # -- the two backends ---------------------------------------------------------
    def _make_qt_player(self) -> None:
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoSink

        self._player = QMediaPlayer(self)
        self._sink = QVideoSink(self)
        self._audio = QAudioOutput(self)
        self._player.setVideoSink(self._sink)
        self._player.setAudioOutput(self._audio)
        self._sink.videoFrameChanged.connect(self._qt_frame)
        self._player.positionChanged.connect(lambda ms: self._show_position(ms / 1000))
        self._player.durationChanged.connect(lambda ms: setattr(self, "duration", ms / 1000 or self.duration))
        self._player.errorOccurred.connect(lambda _e, text: self._fail(text))
        self._player.playbackStateChanged.connect(self._qt_state)
        self._player.mediaStatusChanged.connect(self._qt_status)

    def _qt_status(self, status) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        # A position asked for before the file was loaded is applied once it is.
        if status == QMediaPlayer.MediaStatus.LoadedMedia and self._pending_seek is not None:
            self._player.setPosition(int(self._pending_seek * 1000))
            self._pending_seek = None

    def _qt_frame(self, frame) -> None:
        image = frame.toImage()
        if not image.isNull():
            self._show_image(image)

    def _qt_state(self, state) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        playing = state == QMediaPlayer.PlaybackState.PlayingState
        if self.play_button.isChecked() != playing:
            self.play_button.blockSignals(True)
            self.play_button.setChecked(playing)
            self.play_button.blockSignals(False)
        self.play_button.setText("Pause" if playing else "Play")

    # -- public ---------------------------------------------------------------------
    def open(self, video_id: int, path: str, duration: Optional[float], start_s: float = 0.0,
             caption: str = "", poster: Optional[QImage] = None, autoplay: bool = True) -> None:
        self.stop()
        self.video_id, self.path = video_id, path
        self.duration = float(duration or 0.0)
        self.frames_shown = 0
        self.caption.setText(caption)
        self.screen.message = ""
        self.screen.image = poster
        self.screen.update()
        if self.backend == "qt" and self._player is None:
            self._make_qt_player()  # at the first video: no audio device is opened before one plays
        if self._player is not None:
            self._pending_seek = start_s or None
            self._player.setSource(QUrl.fromLocalFile(path))
        else:
            try:
                from photoorg.engine.video.scrub import FrameScrubber

                self._scrubber = FrameScrubber(path)
                self.duration = self._scrubber.duration or self.duration
                self._show_frame_array(self._scrubber.frame_at(start_s))
            except Exception as exc:  # noqa: BLE001 - an unreadable file: said in place, not raised
                self._fail(f"This video cannot be played ({exc.__class__.__name__}).")
                return
        if autoplay:
            self.play_button.setChecked(True)

    def play(self) -> None:
        self.play_button.setChecked(True)

    def pause(self) -> None:
        self.play_button.setChecked(False)

    def seek(self, seconds: float) -> None:
        seconds = max(0.0, min(seconds, self.duration or seconds))
        if self._player is not None:
            from PySide6.QtMultimedia import QMediaPlayer

            if self._player.mediaStatus() in (QMediaPlayer.MediaStatus.LoadingMedia, QMediaPlayer.MediaStatus.NoMedia):
                self._pending_seek = seconds
            else:
                self._player.setPosition(int(seconds * 1000))
        elif self._scrubber is not None:
            self._show_frame_array(self._scrubber.frame_at(seconds))

    @property
    def playing(self) -> bool:
        return self.play_button.isChecked()

    def stop(self) -> None:
        """Stop and let the file go (leaving the loupe, another item)."""
        self._timer.stop()
        self.play_button.blockSignals(True)
        self.play_button.setChecked(False)
        self.play_button.setText("Play")
        self.play_button.blockSignals(False)
        if self._player is not None:
            self._player.stop()
            self._player.setSource(QUrl())
        if self._scrubber is not None:
            self._scrubber.close()
            self._scrubber = None

    # -- internals --------------------------------------------------------------------
    def _toggled(self, on: bool) -> None:
        self.play_button.setText("Pause" if on else "Play")
        if self._player is not None:
            self._player.play() if on else self._player.pause()
        elif self._scrubber is not None and on:
            self._timer.start(int(1000 / min(30.0, max(1.0, self._scrubber.fps))))
        else:
            self._timer.stop()

    def _next_frame(self) -> None:
        frame = self._scrubber.next_frame() if self._scrubber is not None else None
        if frame is None:
            self.pause()
            return
        self._show_frame_array(frame)

    def _show_frame_array(self, frame) -> None:
        if frame is None:
            return
        h, w = frame.shape[:2]
        self._show_image(QImage(frame.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy())
        self._show_position(self._scrubber.position if self._scrubber is not None else 0.0)

    def _show_image(self, image: QImage) -> None:
        self.screen.image = image
        self.screen.message = ""
        self.frames_shown += 1
        self.screen.update()
        self.frame_shown.emit()

    def _show_position(self, seconds: float) -> None:
        self.position = seconds
        self.time.setText(f"{duration_text(seconds)} / {duration_text(self.duration)}")
        if not self.slider.isSliderDown() and self.duration > 0:
            self.slider.setValue(int(SLIDER_STEPS * min(1.0, seconds / self.duration)))

    def _fail(self, text: str) -> None:
        self.screen.message = text or "This video cannot be played."
        self.screen.update()

    position = 0.0

    def keyPressEvent(self, event) -> None:  # noqa: N802
        key = event.key()
        if key == Qt.Key.Key_Space:
            self.play_button.toggle()
        elif key in (Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.stop()
            self.closed.emit()
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self.step.emit(1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self.step.emit(-1)
        else:
            super().keyPressEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802
        self.stop()  # no sound from a view that is not on screen
        super().hideEvent(event)


__all__ = ["VideoPlayer", "qt_multimedia_available"]

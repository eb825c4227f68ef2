"""Frames of a video for the window's player when Qt Multimedia is not
available (PySide6's QtMultimedia needs PulseAudio's library): seek to a time
and decode one frame, or play on by decoding forward frame by frame."""

from __future__ import annotations

import threading
from typing import Optional

import numpy as np

from .frames import _out_size, _upright


class FrameScrubber:
    def __init__(self, path: str, width: int = 960) -> None:
        import av

        from .probe import probe

        info = probe(path)
        self.duration = info.duration_s
        self.fps = info.fps or 25.0
        self.rotation = info.rotation
        self._lock = threading.Lock()
        self._container = av.open(path, metadata_errors="ignore", timeout=10.0)
        self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"
        self._tb = float(self._stream.time_base or 1e-6)
        self._t0 = float(self._stream.start_time * self._tb) if self._stream.start_time is not None else 0.0
        cc = self._stream.codec_context
        self._size = _out_size(cc.width, cc.height, self.rotation, width)
        self._frames = None
        self.position = 0.0

    def _convert(self, frame) -> np.ndarray:
        return _upright(frame.to_ndarray(format="rgb24", width=self._size[0], height=self._size[1]), self.rotation)

    def frame_at(self, t: float) -> Optional[np.ndarray]:
        """The frame shown at ``t`` seconds (seek + decode up to it)."""
        import av

        with self._lock:
            try:
                self._container.seek(int((self._t0 + max(0.0, t)) / self._tb), stream=self._stream, backward=True)
                self._frames = self._container.decode(self._stream)
                last = None
                for f in self._frames:
                    if f.time is None:
                        continue
                    last = f
                    if f.time - self._t0 >= t - 0.5 / self.fps:
                        break
                if last is None:
                    return None
                self.position = last.time - self._t0
                return self._convert(last)
            except (av.error.FFmpegError, OSError, ValueError):
                return None

    def next_frame(self) -> Optional[np.ndarray]:
        """The frame after the last one returned (playing)."""
        import av

        with self._lock:
            if self._frames is None:
                self._frames = self._container.decode(self._stream)
            try:
                for f in self._frames:
                    if f.time is None:
                        continue
                    self.position = f.time - self._t0
                    return self._convert(f)
            except (av.error.FFmpegError, OSError, ValueError):
                pass
            return None

    def close(self) -> None:
        with self._lock:
            self._container.close()


__all__ = ["FrameScrubber"]

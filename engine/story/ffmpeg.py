"""The ffmpeg binary that imageio-ffmpeg ships: probing media and encoding.

No system ffmpeg/ffprobe is assumed: ``ffmpeg -i FILE`` prints the container's
duration and each stream's codec and size on stderr, which is parsed here.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..errors import PhotoOrgError


class StoryError(PhotoOrgError):
    """A story could not be made; the message says why and what to do."""


def ffmpeg_exe() -> str:
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception as exc:  # noqa: BLE001 - any failure means "no encoder"
        raise StoryError(f"no video encoder: the ffmpeg binary of imageio-ffmpeg is missing ({exc})") from None


@dataclass
class MediaInfo:
    duration_s: Optional[float] = None
    video_codec: Optional[str] = None
    width: Optional[int] = None
    height: Optional[int] = None
    fps: Optional[float] = None
    pix_fmt: Optional[str] = None
    audio_codec: Optional[str] = None
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "extra"}


_DURATION = re.compile(r"Duration:\s*(\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\d+:\d+.*?: Video: (\w+)[^,]*,\s*(\w+)[^,]*?(?:\([^)]*\))?,\s*(\d{2,5})x(\d{2,5})")
_FPS = re.compile(r"(\d+(?:\.\d+)?) fps")
_AUDIO = re.compile(r"Stream #\d+:\d+.*?: Audio: (\w+)")


def parse_probe(text: str) -> MediaInfo:
    info = MediaInfo()
    if m := _DURATION.search(text):
        info.duration_s = int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3])
    for line in text.splitlines():
        if info.video_codec is None and (m := _VIDEO.search(line)):
            info.video_codec, info.pix_fmt = m[1], m[2]
            info.width, info.height = int(m[3]), int(m[4])
            if f := _FPS.search(line):
                info.fps = float(f[1])
        if info.audio_codec is None and (m := _AUDIO.search(line)):
            info.audio_codec = m[1]
    return info


def probe(path: os.PathLike | str) -> MediaInfo:
    """Duration, codecs and size of a media file (``ffmpeg -i``)."""
    path = Path(path)
    if not path.is_file():
        raise StoryError(f"{path}: no such file")
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
                            capture_output=True, text=True, errors="replace", timeout=60)
    info = parse_probe(result.stderr)
    if info.duration_s is None and info.video_codec is None and info.audio_codec is None:
        last = (result.stderr.strip().splitlines() or ["unknown format"])[-1]
        raise StoryError(f"{path}: not a readable media file ({last.split(': ')[-1]})")
    return info


def music_info(path: os.PathLike | str) -> MediaInfo:
    """Probe a user's music file; a clear error when it is unusable."""
    path = Path(path)
    if not path.exists():
        raise StoryError(f"music file not found: {path}")
    if not path.is_file():
        raise StoryError(f"music file is not a file: {path}")
    try:
        info = probe(path)
    except StoryError:
        raise StoryError(f"music file {path} is not audio ffmpeg can read (try an MP3, M4A, OGG or WAV file)") from None
    if info.audio_codec is None:
        raise StoryError(f"music file {path} holds no audio stream")
    if not info.duration_s or info.duration_s < 1.0:
        raise StoryError(f"music file {path} is too short ({info.duration_s or 0:.1f} s)")
    return info

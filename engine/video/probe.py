"""What a video file is: container, codec, duration, frame rate, rotation,
capture time and place, read with PyAV (FFmpeg's libraries) without decoding.

Capture time: the container's own dates first (QuickTime's
``com.apple.quicktime.creationdate``, which carries the zone, then the
``creation_time`` tag, which MP4 stores in UTC), then the photo fallbacks
(a date in the file name, the file's modification time;
engine/scan/capture_time.py). A container date of 1904 or 1970 is the
"unset" value of MP4 and of broken muxers, not a date.

Problems are sentences whose opening words engine/scan/skip_kinds.py
classifies ("file is truncated", "not a readable video", ...).
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Optional

from ..scan.capture_time import CaptureTime, TimeEvidence, choose, format_offset, parse_offset

# A stream longer than this is catalogued but sampled sparsely (see frames.py).
LONG_VIDEO_S = 30 * 60


@dataclass
class VideoInfo:
    path: str
    container: str = ""
    codec: Optional[str] = None
    width: int = 0  # upright size (after rotation)
    height: int = 0
    duration_s: float = 0.0
    fps: Optional[float] = None
    rotation: int = 0  # degrees clockwise to show it upright
    bit_depth: int = 8
    hdr: bool = False
    variable_frame_rate: bool = False
    audio_codec: Optional[str] = None
    capture_ts: Optional[float] = None
    capture_time: Optional[str] = None  # local ISO time
    capture_tz: Optional[str] = None
    capture_source: str = ""
    lat: Optional[float] = None
    lon: Optional[float] = None
    problems: list[str] = field(default_factory=list)  # what could not be read (catalogued anyway)

    @property
    def has_video(self) -> bool:
        return self.codec is not None

    def to_json(self) -> dict:
        return asdict(self)


class VideoUnreadable(Exception):
    """The file cannot be catalogued as a video; str() is the skip reason."""


_ISO6709 = re.compile(r"([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)")
_UNSET_YEARS = (1904, 1970)


def parse_iso6709(text: Optional[str]) -> Optional[tuple[float, float]]:
    """'+48.8584+002.2945+035.000/' -> (48.8584, 2.2945)."""
    if not text:
        return None
    m = _ISO6709.match(text.strip())
    if not m:
        return None
    lat, lon = float(m[1]), float(m[2])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return lat, lon


def parse_container_time(text: Optional[str]) -> Optional[CaptureTime]:
    """'2019-05-03T14:22:33.000000Z' (UTC) or '2019-05-03T16:22:33+0200'
    (local with its zone, Apple's creationdate) -> a CaptureTime."""
    if not text:
        return None
    value = text.strip().replace(" ", "T", 1)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?([+-]\d\d:?\d\d|Z)?$", value)
        if not m:
            return None
        parsed = datetime.fromisoformat(m[1])
        if m[2]:
            off = parse_offset(m[2].replace("Z", "+00:00")) if m[2] != "Z" else timedelta(0)
            if off is not None:
                parsed = parsed.replace(tzinfo=timezone(off))
    if parsed.year in _UNSET_YEARS or parsed.year < 1980 or parsed.year > 2100:
        return None
    if parsed.tzinfo is None:
        return CaptureTime(parsed.replace(microsecond=0), None, "container")
    off = parsed.utcoffset() or timedelta(0)
    return CaptureTime(parsed.replace(tzinfo=None, microsecond=0), format_offset(off), "container")


def _tags(container, stream) -> dict[str, str]:
    tags: dict[str, str] = {}
    for source in (getattr(stream, "metadata", None) or {}, container.metadata or {}):
        for k, v in source.items():
            tags.setdefault(k.lower(), v)
    return tags


def probe(path: str, mtime_ns: Optional[int] = None) -> VideoInfo:
    """Read a video's header; raises VideoUnreadable when nothing usable is there."""
    import av

    info = VideoInfo(path=path)
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise VideoUnreadable(f"cannot be read: {exc.strerror or exc}") from None
    if size == 0:
        raise VideoUnreadable("empty file")
    try:
        container = av.open(path, metadata_errors="ignore", timeout=10.0)
    except av.error.InvalidDataError:
        raise VideoUnreadable("not a readable video (its data is not a known container)") from None
    except (av.error.FFmpegError, OSError) as exc:
        raise VideoUnreadable(f"not a readable video ({exc.__class__.__name__})") from None
    with container:
        info.container = container.format.name.split(",")[0] if container.format else ""
        vstreams = [s for s in container.streams.video if s.codec_context is not None]
        astreams = list(container.streams.audio)
        if astreams:
            info.audio_codec = astreams[0].codec_context.name
        if container.duration is not None and container.duration > 0:
            info.duration_s = container.duration / 1_000_000
        stream = vstreams[0] if vstreams else None
        if stream is not None:
            cc = stream.codec_context
            info.codec = cc.name
            w, h = cc.width or 0, cc.height or 0
            info.rotation = display_rotation(stream)
            first = _first_frame(container, stream)
            if isinstance(first, str):
                info.problems.append(first)
            elif first is not None and getattr(first, "rotation", None):
                # FFmpeg's display matrix angle is counter-clockwise
                info.rotation = int(round(-float(first.rotation) / 90.0)) * 90 % 360
            if info.rotation in (90, 270):
                w, h = h, w
            info.width, info.height = w, h
            rate = stream.average_rate or stream.guessed_rate
            info.fps = round(float(rate), 3) if rate else None
            base = stream.base_rate or stream.guessed_rate
            if rate and base and abs(float(base) - float(rate)) / float(base) > 0.05:
                info.variable_frame_rate = True
            if stream.duration and stream.time_base:
                stream_s = float(stream.duration * stream.time_base)
                if stream_s > 0 and (not info.duration_s or stream_s < info.duration_s * 0.98):
                    info.duration_s = stream_s
            fmt = cc.format.name if cc.format else ""
            info.bit_depth = 10 if ("10" in fmt or "p010" in fmt) else (12 if "12" in fmt else 8)
            # HDR: the PQ (SMPTE ST 2084, code 16) or HLG (ARIB STD-B67, code 18) transfer.
            trc = getattr(cc, "color_trc", None)
            trc_text = str(getattr(trc, "name", trc) or "").lower()
            info.hdr = trc in (16, 18) or any(x in trc_text for x in ("2084", "b67", "hlg"))
            if not w or not h:
                info.problems.append("the video stream declares no picture size")
        tags = _tags(container, stream)
    if stream is None:
        info.problems.append("no video stream (audio only)" if astreams else "no video stream")
    if info.duration_s <= 0:
        info.problems.append("the container declares no duration (0 s or unknown)")
    _capture(info, tags, mtime_ns)
    return info


def _first_frame(container, stream):
    """The first decodable frame (for its display matrix), or the reason
    none decodes (a container that lies about its content)."""
    import av

    try:
        for frame in container.decode(stream):
            return frame
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        return f"file is truncated or damaged: no frame decodes ({exc.__class__.__name__})"
    finally:
        try:
            container.seek(0)
        except (av.error.FFmpegError, OSError):
            pass
    return "no frame could be decoded (the container declares a video stream that holds no pictures)"


def display_rotation(stream) -> int:
    """Clockwise degrees to show the stream upright: the display matrix
    (PyAV exposes it as side data) or the legacy 'rotate' tag."""
    angle = None
    try:
        for key, value in (stream.side_data or {}).items():
            if "DISPLAYMATRIX" in str(key).upper():
                angle = -float(value)  # counter-clockwise in FFmpeg
    except Exception:  # noqa: BLE001 - older bindings: no side data
        angle = None
    if angle is None:
        tag = (stream.metadata or {}).get("rotate")
        if tag is not None:
            try:
                angle = float(tag)
            except ValueError:
                angle = None
    return int(round((angle or 0.0) / 90.0)) * 90 % 360


def _capture(info: VideoInfo, tags: dict[str, str], mtime_ns: Optional[int]) -> None:
    found = None
    for key in ("com.apple.quicktime.creationdate", "creation_time", "date"):
        found = parse_container_time(tags.get(key))
        if found:
            found = CaptureTime(found.local, found.tz, f"container:{key}")
            # MP4's creation_time is UTC: show it in this machine's zone at that date.
            if key == "creation_time" and found.tz == "+00:00":
                utc = found.local.replace(tzinfo=timezone.utc)
                local = utc.astimezone()
                found = CaptureTime(local.replace(tzinfo=None), format_offset(local.utcoffset() or timedelta(0)),
                                    found.source)
            break
    if found is None:
        if mtime_ns is None:
            try:
                mtime_ns = os.stat(info.path).st_mtime_ns
            except OSError:
                mtime_ns = 0
        found = choose(TimeEvidence(filename=os.path.basename(info.path), mtime_ns=mtime_ns))
    info.capture_time, info.capture_tz, info.capture_source = found.iso, found.tz, found.source
    info.capture_ts = found.timestamp
    for key in ("com.apple.quicktime.location.iso6709", "location", "location-eng"):
        if where := parse_iso6709(tags.get(key)):
            info.lat, info.lon = where
            break


__all__ = ["LONG_VIDEO_S", "VideoInfo", "VideoUnreadable", "display_rotation", "parse_container_time",
           "parse_iso6709", "probe"]

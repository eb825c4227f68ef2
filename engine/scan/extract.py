"""Reading one photo file: hash, metadata, size and thumbnail.

Runs in worker processes; takes and returns plain picklable values. The file
is read once into memory (hash, EXIF, XMP and decode all use those bytes), and
is checked again afterwards so that a file replaced while it was being read is
not catalogued with a hash that matches neither version.
"""

from __future__ import annotations

import errno
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import xxhash
from PIL import IptcImagePlugin

from ..errors import DecodeError
from ..imaging import decode as imaging
from ..imaging.thumbnails import existing_thumbnail, save_thumbnail
from ..safe_io import NotRegularFile, open_regular
from ..xmp import read as xmp
from . import capture_time, exif_fields

# Files above this are hashed in a stream and decoded from disk, not memory.
MAX_IN_MEMORY = 256 * 1024 * 1024
HASH_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class ExtractConfig:
    thumbs_dir: str
    thumbnail_px: int
    max_megapixels: float


@dataclass
class FileTask:
    path: str
    size: int
    mtime_ns: int
    sidecar: Optional[str] = None
    sidecar_mtime_ns: Optional[int] = None


@dataclass
class Extracted:
    task: FileTask
    fields: dict[str, Any] = field(default_factory=dict)
    # (path, reason) of what was ignored while the photo itself was read
    # (its sidecar: too large, not a file, not XMP).
    notes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Skipped:
    task: FileTask
    reason: str
    # A passing state (the file changed or vanished while it was read), not a
    # property of the file: it is not remembered, the next scan reads it again.
    transient: bool = False
    gone: bool = False  # the file is no longer there
    # Not about this file: the scan cannot go on (the thumbnail cache cannot
    # be written: a full or read-only disk). The scanner stops with ``reason``.
    fatal: bool = False


class _CacheUnwritable(Exception):
    pass


class _Changed(Exception):
    pass


def content_hash_of(data: bytes) -> str:
    return xxhash.xxh3_128_hexdigest(data)


def _read(path: str) -> tuple[Optional[bytes], str, os.stat_result]:
    # Opened without blocking and checked to be a regular file: a FIFO
    # swapped in under a photo's name would otherwise hang the scan.
    with os.fdopen(open_regular(path), "rb") as fh:
        before = os.fstat(fh.fileno())
        if before.st_size == 0:
            raise DecodeError("empty file (0 bytes)")
        if before.st_size > MAX_IN_MEMORY:
            hasher = xxhash.xxh3_128()
            while chunk := fh.read(HASH_CHUNK):
                hasher.update(chunk)
            data, digest = None, hasher.hexdigest()
        else:
            data = fh.read()
            digest = content_hash_of(data)
    after = os.stat(path)
    length = before.st_size if data is None else len(data)
    if (after.st_ino, after.st_size, after.st_mtime_ns) != (
        before.st_ino, before.st_size, before.st_mtime_ns
    ) or length != after.st_size:
        raise _Changed()
    return data, digest, after


def _iptc(im) -> tuple[list[str], Optional[str], Optional[str]]:
    try:
        info = IptcImagePlugin.getiptcinfo(im) or {}
    except Exception:  # noqa: BLE001 - malformed IPTC is common and harmless
        return [], None, None
    def texts(key):
        value = info.get(key)
        items = value if isinstance(value, list) else [value] if value else []
        return [v.decode("utf-8", "replace").strip() for v in items if isinstance(v, bytes)]
    keywords = [k for k in texts((2, 25)) if k]
    date = (texts((2, 55)) or [None])[0]
    time_ = (texts((2, 60)) or [None])[0]
    return keywords, date, time_


def extract(task: FileTask, config: ExtractConfig) -> Extracted | Skipped:
    """Never raises for a bad file: the problem becomes a ``Skipped`` reason."""
    try:
        for attempt in range(2):
            try:
                return _extract_once(task, config)
            except _Changed:
                if attempt:
                    return Skipped(task, "file kept changing while it was read; it will be read on the next scan",
                                   transient=True)
    except DecodeError as exc:
        return Skipped(task, " ".join(str(exc).split()))
    except NotRegularFile as exc:
        return Skipped(task, str(exc), transient=True)
    except _CacheUnwritable as wrapped:
        exc = wrapped.args[0]
        why = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
               errno.EROFS: "it is on a read-only file system", errno.EACCES: "permission denied"}.get(
            exc.errno, exc.strerror or str(exc))
        return Skipped(task, f"the thumbnail cache {config.thumbs_dir} cannot be written ({why}); the scan stopped: "
                             "free some space (or make the cache writable) and scan again to finish", transient=True, fatal=True)
    except FileNotFoundError:
        return Skipped(task, "file disappeared during the scan", transient=True, gone=True)
    # What follows may pass without the file changing (permissions fixed, a
    # flaky disk, memory, a bug fixed by an update): tried again every scan.
    except PermissionError:
        return Skipped(task, "permission denied: the file cannot be read", transient=True)
    except IsADirectoryError:
        return Skipped(task, "not a file", transient=True)
    except OSError as exc:
        return Skipped(task, f"read error: {exc.strerror or exc}", transient=True)
    except MemoryError:
        return Skipped(task, "not enough memory to decode this image", transient=True)
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop a scan
        return Skipped(task, f"unexpected error while reading: {type(exc).__name__}: {exc}", transient=True)
    raise AssertionError("unreachable")


def _xmp_packets(data: Optional[bytes], header) -> list[bytes]:
    """The embedded XMP: from the header Pillow parsed when it has one (for
    JPEG that is every APP1 segment, so the compressed data need not be
    searched), else by searching the file's bytes."""
    blob = header.info.get("xmp") if header is not None else None
    if isinstance(blob, str):
        blob = blob.encode("utf-8")
    if blob:
        return [xmp.find_packet(blob) or blob]
    if data is not None and (header is None or header.format != "JPEG"):
        packet = xmp.find_packet(data)
        if packet:
            return [packet]
    return []


def _frame_count(header) -> int:
    """Images in the file; counting walks every frame header, which a damaged
    multi-image file (a GIF cut off after its first frame) fails."""
    try:
        return int(getattr(header, "n_frames", 1) or 1)
    except Exception as exc:  # noqa: BLE001 - Pillow raises IndexError, struct.error, EOFError...
        raise DecodeError(f"file is truncated or damaged after its first image ({type(exc).__name__})") from None


def _extract_once(task: FileTask, config: ExtractConfig) -> Extracted:
    data, digest, st = _read(task.path)
    source: imaging.Source = data if data is not None else task.path
    name = os.path.basename(task.path)

    tags = exif_fields.read_tags(data) if data is not None else {}
    header = None
    if not imaging.is_raw(name):
        header = imaging.open_header(source, name)
        imaging.check_pixels(header.width, header.height, config.max_megapixels, st.st_size)
        if not tags:
            tags = exif_fields.read_tags_from_exif_block(header.info.get("exif"))
    fields = exif_fields.camera_fields(tags)
    frame_count = _frame_count(header) if header is not None else 1
    fmt = header.format if header is not None else "RAW"
    packets = _xmp_packets(data, header)
    iptc = _iptc(header) if header is not None else ([], None, None)

    thumbs_dir = Path(config.thumbs_dir)
    if header is None or existing_thumbnail(thumbs_dir, digest) is None:
        # ``header`` is consumed here (drafted and loaded at a small size).
        im = imaging.decode_thumbnail(source, config.thumbnail_px, name=name,
                                      max_megapixels=config.max_megapixels, header=header)
        try:
            save_thumbnail(thumbs_dir, digest, im, config.thumbnail_px)
        except OSError as exc:
            raise _CacheUnwritable(exc) from None
        width, height = im.info["full_size"]
    else:
        width, height = header.width, header.height
        if imaging.orientation_of(header) in (5, 6, 7, 8):
            width, height = height, width

    evidence = exif_fields.time_evidence(tags)
    evidence.filename = name
    evidence.mtime_ns = st.st_mtime_ns

    found: dict[str, None] = {}  # keywords in order, each once (linear, also for thousands)
    label = None
    xmp_dates: list[tuple[str, str]] = []
    infos = []
    notes: list[tuple[str, str]] = []
    for packet in packets:
        try:
            infos.append(xmp.parse(packet))
        except ValueError:
            pass
    if task.sidecar:
        side, why = xmp.read_sidecar_or_reason(task.sidecar)
        if why:
            notes.append((task.sidecar, why))
        if side is not None:
            # The sidecar is where organizers write the user's current
            # choices: it wins over the file's own EXIF and XMP.
            infos.insert(0, side)
            if side.rating is not None:
                fields["rating"] = side.rating
    for info in infos:
        if fields["rating"] is None and info.rating is not None:
            fields["rating"] = info.rating
        label = label or info.label
        found.update(dict.fromkeys(info.keywords))
        if info.best_date:
            xmp_dates.append(info.best_date)
    iptc_keywords, evidence.iptc_date, evidence.iptc_time = iptc
    found.update(dict.fromkeys(iptc_keywords))
    keywords = list(found)[:xmp.MAX_KEYWORDS]
    evidence.xmp_dates = xmp_dates

    when = capture_time.choose(evidence)
    fields.update(
        content_hash=digest,
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        sidecar_mtime_ns=task.sidecar_mtime_ns,
        format=fmt,
        width=width,
        height=height,
        frame_count=frame_count,
        capture_time=when.iso,
        capture_ts=when.timestamp,
        capture_tz=when.tz,
        capture_source=when.source,
        label=label,
        keywords=json.dumps(keywords) if keywords else None,
    )
    return Extracted(task, fields, notes)

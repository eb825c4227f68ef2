"""Videos in the Library grid, beside the photos (engine only, no Qt).

The grid's rows are photos (``catalog.browse_rows``); the videos that the
same filter admits are merged into them here, in the same order: by date
taken (a video not analysed yet has its file's time), or by name; for the
sorts that only photos have a value for (rating, importance, interest,
sharpness, recently added) videos follow the photos in date order, as
photos not scored yet do.

A video's row id is ``VIDEO_ROW_BASE + video id`` (photo and video ids are
separate sequences; the grid, the selection and the inspector key rows by
one integer, and -1 means "none"), and its thumbnail key names its poster
frame (``poster_key``), which the stage wrote into the thumbnail cache.

Filters that only photos can meet (a rating, a flag, a series, a person, a
private photo, a quality, exact photo ids, an event) leave videos out.
"""

from __future__ import annotations

import bisect
import os
from pathlib import Path
from typing import Any, NamedTuple, Optional

VIDEO_ROW_BASE = 1_000_000_000  # above any photo id; below 2**31 (Qt signals carry a C int)
POSTER_PREFIX = "video:"

# BrowseFilter fields that photos alone can meet: set, they leave videos out.
_PHOTO_ONLY = ("series_id", "in_series", "min_rating", "flag", "person_id", "quality", "photo_ids", "event")
# sorts whose order videos share (by date taken or by name)
MERGED_SORTS = ("date", "date_desc", "name")


class VideoGridRow(NamedTuple):
    """A video's grid cell: the fields of ``catalog.browse.GridRow`` (so the
    grid paints and diffs it the same way) plus its duration and path."""

    id: int
    content_hash: str  # the poster's thumbnail key
    name: str
    rating: Optional[int]
    flag: Optional[str]
    capture_ts: Optional[float]
    series_id: Optional[int] = None
    is_pick: int = 0
    private: int = 0
    duration: Optional[float] = None
    path: str = ""
    status: str = "not analysed"


def grid_id(video_id: int) -> int:
    return VIDEO_ROW_BASE + int(video_id)


def is_video_id(row_id: int) -> bool:
    return row_id is not None and row_id >= VIDEO_ROW_BASE


def video_id_of(row_id: int) -> int:
    return int(row_id) - VIDEO_ROW_BASE


def is_video_row(row: Any) -> bool:
    return isinstance(row, VideoGridRow)


def poster_key(video_id: int, analysed_at: Optional[float]) -> str:
    """The thumbnail key of a video's poster; it changes when the video is
    analysed again (a new poster), so a cached old one is not shown."""
    return f"{POSTER_PREFIX}{video_id}:{int(analysed_at or 0)}"


def poster_path_for_key(thumbs_dir, key: str) -> Optional[Path]:
    """Where the poster of a ``poster_key`` lies (as video/stage.poster_file)."""
    if not key.startswith(POSTER_PREFIX):
        return None
    video_id = key[len(POSTER_PREFIX):].split(":", 1)[0]
    return Path(thumbs_dir) / "videos" / f"{video_id}.jpg" if video_id.isdigit() else None


def _admits(filt) -> bool:
    if filt is None:
        return True
    if getattr(filt, "status", "ok") != "ok" or getattr(filt, "private", None):
        return False
    return all(getattr(filt, name, None) in (None, False) for name in _PHOTO_ONLY)


def video_rows(catalog, filt=None, sort: str = "date") -> list[VideoGridRow]:
    """The videos a grid filter admits, as grid rows in the sort's order."""
    if not _admits(filt) or not catalog.scalar("SELECT count(*) FROM videos WHERE status = 'ok'"):
        return []
    from ..paths import fs_path, to_db

    clauses, params = ["v.status = 'ok'", "coalesce(i.status, '') != 'skipped'"], []
    ts = "coalesce(i.capture_ts, v.mtime_ns / 1e9)"
    if filt is not None and filt.folder:
        # In the folder or below it, as the photos' filter (catalog/browse.py) reads it.
        lo = to_db(filt.folder.rstrip(os.sep) + os.sep)[0]
        hi = lo[:-1] + chr(ord(os.sep) + 1)
        clauses.append("v.path >= ? AND v.path < ?")
        params += [lo, hi]
    if filt is not None and filt.album_id is not None:
        clauses.append("v.id IN (SELECT video_id FROM album_videos WHERE album_id = ?)")
        params.append(filt.album_id)
    if filt is not None and filt.period:
        clauses.append(f"strftime(?, {ts}, 'unixepoch') = ?")
        params += ["%Y-%m" if len(filt.period) > 4 else "%Y", filt.period]
    rows = catalog.query(
        f"SELECT v.id, v.path, v.raw_path, {ts}, i.duration_s, i.analysed_at, i.status FROM videos v "
        f"LEFT JOIN video_info i ON i.video_id = v.id WHERE {' AND '.join(clauses)}", tuple(params))
    out = []
    text = (filt.text or "").lower() if filt is not None else ""
    for vid, path, raw, capture_ts, duration, analysed_at, status in rows:
        path = fs_path(path, raw)
        name = os.path.basename(path)
        if text and text not in name.lower():
            continue
        out.append(VideoGridRow(grid_id(vid), poster_key(vid, analysed_at), name, None, None, capture_ts,
                                duration=duration, path=path, status=status or "not analysed"))
    out.sort(key=_sort_key("name" if sort == "name" else "date"))
    if sort == "date_desc":
        out.sort(key=_sort_key("date_desc"))
    return out


def _sort_key(sort: str):
    if sort == "name":
        return lambda r: (r.name, r.id)
    if sort == "date_desc":
        return lambda r: (r.capture_ts is None, -(r.capture_ts or 0.0), -r.id)
    return lambda r: (r.capture_ts is None, r.capture_ts or 0.0, r.id)


def merge_rows(photos: list, videos: list[VideoGridRow], sort: str, limit: Optional[int] = None) -> list:
    """Photo rows (in ``sort`` order, from browse_rows) and video rows as one
    list: merged in that order for date and name sorts, videos after the
    photos otherwise; the first ``limit`` rows when given (the first
    ``limit`` photos are enough for them)."""
    if not videos:
        return photos
    if sort in MERGED_SORTS:
        # Each video's place among the photos by bisection: a few key calls per
        # video, not one per photo (100,000 photo rows stay as they are).
        key = _sort_key(sort)
        rows, start = [], 0
        for v in videos:
            at = bisect.bisect_right(photos, key(v), lo=start, key=key)
            rows += photos[start:at]
            rows.append(v)
            start = at
        rows += photos[start:]
    else:
        rows = photos + videos
    return rows if limit is None else rows[:limit]


def rows_with_videos(catalog, filt, sort: str, limit: Optional[int] = None) -> list:
    """The grid's rows, photos and videos: what the window's grid shows."""
    photos = catalog.browse_rows(filt, sort, limit=limit)
    return merge_rows(photos, video_rows(catalog, filt, sort), sort, limit)


def video_sections(catalog, video_id: int) -> tuple[str, list[tuple[str, list[tuple[str, str]]]]]:
    """What the inspector shows about one video: its file name and sections
    of (key, value) rows."""
    from .store import list_videos

    found = list_videos(catalog, [video_id])
    if not found:
        return "", []
    v = found[0]
    info = v.info
    rows = [("Path", v.path), ("Status", v.status + (f": {v.reason}" if v.reason else ""))]
    if v.duration_s is not None:
        rows.append(("Duration", _duration(v.duration_s)))
    if info.get("capture_time"):
        source = f" ({info['capture_source']})" if info.get("capture_source") else ""
        rows.append(("Taken", info["capture_time"] + source))
    if info.get("width"):
        rows.append(("Picture", f"{info['width']}×{info['height']}, {info.get('codec') or '?'}"
                     + (f", {info['fps']:.0f} fps" if info.get("fps") else "")
                     + (", HDR" if info.get("hdr") else "") + (", variable frame rate" if info.get("vfr") else "")))
    rows.append(("Sound", info.get("audio_codec") or "none"))
    sections = [("VIDEO", rows)]
    if v.highlights:
        sections.append(("HIGHLIGHTS", [(f"{_duration(h['start'])}–{_duration(h['end'])}",
                                         f"{h['scene']} / {h['action']}, importance {h['importance']:.2f}")
                                        for h in v.highlights]))
    if v.duplicate_of:
        sections.append(("COPY", [("Of video", str(v.duplicate_of["id"])), ("Kind", v.duplicate_of["kind"])]))
    albums = catalog.query("SELECT coalesce(a.user_title, a.title) FROM album_videos av JOIN albums a "
                           "ON a.id = av.album_id WHERE av.video_id = ? ORDER BY a.mode", (video_id,))
    if albums:
        sections.append(("ALBUMS", [("Album", r[0]) for r in albums]))
    return os.path.basename(v.path), sections


def _duration(seconds: float) -> str:
    s = int(round(seconds or 0))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


__all__ = ["MERGED_SORTS", "VIDEO_ROW_BASE", "VideoGridRow", "grid_id", "is_video_id", "is_video_row", "merge_rows",
           "poster_key", "poster_path_for_key", "rows_with_videos", "video_id_of", "video_rows", "video_sections"]

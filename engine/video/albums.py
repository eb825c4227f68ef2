"""Videos in albums, stored: each video joins one album of each album mode
as a photo would - the album of its folder when that album is a folder's,
else the album by time whose span (plus an hour either side) holds its
capture time, the nearest one when two do. Written at the end of the
albums stage (albums changed) and of the videos stage (capture times
changed); read by the grid, the album list's counts, ``photoorg albums``
and stories."""

from __future__ import annotations

from collections import defaultdict
from typing import Optional

MARGIN_S = 3600.0


def _video_times(catalog) -> list[tuple[int, Optional[int], Optional[float]]]:
    """(video id, folder id, capture time): the container's time once the
    video is analysed, its file's time before (the photos' last fallback)."""
    return [tuple(r) for r in catalog.query(
        "SELECT v.id, v.folder_id, coalesce(i.capture_ts, v.mtime_ns / 1e9) FROM videos v "
        "LEFT JOIN video_info i ON i.video_id = v.id "
        "WHERE v.status = 'ok' AND coalesce(i.status, '') != 'skipped'")]


def choose_albums(albums: list[tuple], videos: list[tuple], margin_s: float = MARGIN_S) -> list[tuple[int, int, str]]:
    """albums: (id, mode, source, folder id, start_ts, end_ts); videos: (id,
    folder id, capture ts). Returns (album id, video id, how)."""
    by_mode: dict[str, list[tuple]] = defaultdict(list)
    for a in albums:
        by_mode[a[1]].append(a)
    out = []
    for mode_albums in by_mode.values():
        folder_album = {a[3]: a[0] for a in mode_albums if a[2] == "folder" and a[3] is not None}
        timed = [a for a in mode_albums if a[2] == "time" and a[4] is not None]
        for vid, folder_id, ts in videos:
            if folder_id in folder_album:
                out.append((folder_album[folder_id], vid, "folder"))
                continue
            if ts is None:
                continue
            best = None
            for a in timed:
                start, end = a[4], a[5] if a[5] is not None else a[4]
                gap = max(0.0, start - ts, ts - end)
                if gap <= margin_s and (best is None or (gap, end - start) < best[0]):
                    best = ((gap, end - start), a[0])
            if best is not None:
                out.append((best[1], vid, "time"))
    return out


def assign_album_videos(catalog, margin_s: float = MARGIN_S) -> int:
    """Rewrite every video's album membership; returns how many were placed."""
    if not catalog.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'albums'"):
        return 0
    albums = [tuple(r) for r in catalog.query("SELECT id, mode, source, folder_id, start_ts, end_ts FROM albums")]
    rows = choose_albums(albums, _video_times(catalog), margin_s)
    with catalog.write() as db:
        db.execute("DELETE FROM album_videos")
        db.conn.executemany("INSERT OR REPLACE INTO album_videos(album_id, video_id, how) VALUES (?,?,?)", rows)
    return len(rows)


def album_video_counts(catalog) -> dict[int, int]:
    """album id -> videos in it (the album list shows them beside the photos)."""
    return {r[0]: r[1] for r in catalog.query("SELECT album_id, count(*) FROM album_videos av JOIN videos v "
                                              "ON v.id = av.video_id WHERE v.status = 'ok' GROUP BY album_id")}


def album_video_ids(catalog, album_id: int) -> list[int]:
    return [r[0] for r in catalog.query(
        "SELECT av.video_id FROM album_videos av JOIN videos v ON v.id = av.video_id "
        "LEFT JOIN video_info i ON i.video_id = v.id WHERE av.album_id = ? AND v.status = 'ok' "
        "ORDER BY coalesce(i.capture_ts, v.mtime_ns / 1e9), v.id", (album_id,))]


__all__ = ["album_video_counts", "album_video_ids", "assign_album_videos", "choose_albums"]

"""The video domain's rows in the catalog: what the stage writes and what the
command line, albums and stories read."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .analyze import VideoAnalysis


def save_analysis(catalog, video_id: int, size: int, mtime_ns: int, model: str, a: VideoAnalysis,
                  poster_path: Optional[str]) -> None:
    info = a.info or {}
    sig = a.signature.astype(np.uint8).tobytes() if a.signature is not None else None
    with catalog.write() as db:
        db.execute("DELETE FROM video_segments WHERE video_id = ?", (video_id,))
        db.execute("DELETE FROM video_info WHERE video_id = ?", (video_id,))
        db.execute(
            "INSERT INTO video_info(video_id, size, mtime_ns, model, status, reason, problems, container, codec,"
            " audio_codec, width, height, duration_s, fps, rotation, bit_depth, hdr, vfr, capture_ts, capture_time,"
            " capture_tz, capture_source, lat, lon, poster_s, poster_path, signature, signature_times, analysed_at,"
            " seconds) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (video_id, size, mtime_ns, model, a.status, a.reason or None, json.dumps(a.problems),
             info.get("container"), info.get("codec"), info.get("audio_codec"), info.get("width"),
             info.get("height"), info.get("duration_s"), info.get("fps"), info.get("rotation"),
             info.get("bit_depth"), int(bool(info.get("hdr"))), int(bool(info.get("variable_frame_rate"))),
             info.get("capture_ts"), info.get("capture_time"), info.get("capture_tz"), info.get("capture_source"),
             info.get("lat"), info.get("lon"), a.poster_s, poster_path, sig, json.dumps(a.signature_times),
             time.time(), round(a.seconds, 3)))
        db.conn.executemany(
            "INSERT INTO video_segments VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [(video_id, i, s.start, s.end, s.shot, s.scene, s.scene_confidence, s.action, s.action_confidence,
              s.importance, s.raw_importance, s.highlight) for i, s in enumerate(a.segments)])


def save_duplicates(catalog, pairs: list[dict]) -> None:
    with catalog.write() as db:
        db.execute("DELETE FROM video_duplicates")
        db.conn.executemany("INSERT OR REPLACE INTO video_duplicates VALUES (?,?,?,?,?)",
                            [(p["video_id"], p["duplicate_of"], p["kind"], p["share"], p["offset_s"]) for p in pairs])


def signatures(catalog) -> list[tuple[int, np.ndarray, list[float], float]]:
    out = []
    for r in catalog.query("SELECT i.video_id, i.signature, i.signature_times, i.duration_s FROM video_info i "
                           "JOIN videos v ON v.id = i.video_id WHERE v.status = 'ok' AND i.signature IS NOT NULL"):
        sig = np.frombuffer(r[1], np.uint8).reshape(-1, 8)
        out.append((r[0], sig, json.loads(r[2] or "[]"), r[3] or 0.0))
    return out


@dataclass
class VideoRow:
    id: int
    path: str
    status: str
    reason: Optional[str]
    duration_s: Optional[float]
    info: dict
    segments: list[dict] = field(default_factory=list)
    duplicate_of: Optional[dict] = None

    @property
    def highlights(self) -> list[dict]:
        return sorted((s for s in self.segments if s["highlight"]), key=lambda s: s["highlight"])

    def to_json(self) -> dict:
        from ..scan.skip_kinds import kind_of

        return {"id": self.id, "path": self.path, "status": self.status, "reason": self.reason,
                "reason_kind": kind_of(self.reason) if self.reason else None,
                "duration": self.duration_s, **self.info, "segments": self.segments,
                "highlights": self.highlights, "duplicate_of": self.duplicate_of}


_INFO = ("container", "codec", "audio_codec", "width", "height", "fps", "rotation", "bit_depth", "hdr", "vfr",
         "capture_ts", "capture_time", "capture_tz", "capture_source", "lat", "lon", "poster_s", "poster_path")


def list_videos(catalog, ids: Optional[list[int]] = None, with_unanalysed: bool = True) -> list[VideoRow]:
    where = "WHERE v.status = 'ok'" + (f" AND v.id IN ({','.join('?' * len(ids))})" if ids else "")
    rows = catalog.query(
        f"SELECT v.id, v.path, i.status, i.reason, i.duration_s, {', '.join('i.' + c for c in _INFO)} "
        f"FROM videos v LEFT JOIN video_info i ON i.video_id = v.id {where} ORDER BY i.capture_ts, v.path",
        tuple(ids or ()))
    segs: dict[int, list[dict]] = {}
    for s in catalog.query("SELECT video_id, idx, start_s, end_s, shot, scene, scene_conf, action, action_conf, "
                           "importance, raw_importance, highlight FROM video_segments ORDER BY video_id, idx"):
        segs.setdefault(s[0], []).append({
            "index": s[1], "start": s[2], "end": s[3], "shot": s[4], "scene": s[5],
            "scene_confidence": round(s[6] or 0, 3), "action": s[7], "action_confidence": round(s[8] or 0, 3),
            "importance": round(s[9] or 0, 3), "raw_importance": round(s[10] or 0, 3), "highlight": s[11]})
    dups = {r[0]: {"id": r[1], "kind": r[2], "share": r[3], "offset_s": r[4]}
            for r in catalog.query("SELECT video_id, duplicate_of, kind, share, offset_s FROM video_duplicates")}
    out = []
    for r in rows:
        if r[2] is None and not with_unanalysed:
            continue
        info = {c: r[5 + k] for k, c in enumerate(_INFO)}
        info["hdr"], info["vfr"] = bool(info["hdr"]), bool(info["vfr"])
        out.append(VideoRow(r[0], r[1], r[2] or "not analysed", r[3], r[4], info, segs.get(r[0], []), dups.get(r[0])))
    return out


def videos_between(catalog, start_ts: float, end_ts: float, margin_s: float = 3600.0) -> list[VideoRow]:
    """Videos captured within an album's time span (plus a margin): how videos
    join albums by time."""
    ids = [r[0] for r in catalog.query(
        "SELECT i.video_id FROM video_info i JOIN videos v ON v.id = i.video_id WHERE v.status = 'ok' "
        "AND i.status != 'skipped' AND i.capture_ts BETWEEN ? AND ?", (start_ts - margin_s, end_ts + margin_s))]
    return list_videos(catalog, ids) if ids else []


__all__ = ["VideoRow", "album_videos", "list_videos", "save_analysis", "save_duplicates", "signatures", "videos_between",
           "videos_json_brief"]


def album_videos(catalog, album_id: int) -> list[VideoRow]:
    """The videos of an album, as stored by video/albums.py (the album of
    their folder, or the album by time whose span holds them)."""
    from .albums import album_video_ids

    ids = album_video_ids(catalog, album_id)
    return list_videos(catalog, ids) if ids else []


def videos_json_brief(rows: list[VideoRow]) -> list[dict]:
    return [{"id": v.id, "path": v.path, "duration": v.duration_s, "capture_time": v.info.get("capture_time"),
             "highlights": [{k: h[k] for k in ("start", "end", "scene", "action", "importance")} for h in v.highlights]}
            for v in rows]

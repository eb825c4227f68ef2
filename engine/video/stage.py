"""STAGE "videos": segments, scenes, actions, importance and highlights of
every video not analysed yet (or changed since, or analysed by other weights),
a poster frame in the thumbnail cache, and near-duplicate videos.

Each file is read in a child process with a time limit per file
(reader.py); a file that cannot be read is catalogued with its reason, one
that is partly readable with what could be read.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Optional

from PIL import Image

from ..pipeline import Stage
from ..progress import ProgressMeter
from .analyze import analyze_file
from .duplicates import find_duplicates
from .reader import DEFAULT_TIME_LIMIT_S, IsolatedReader
from .store import save_analysis, save_duplicates, signatures

log = logging.getLogger(__name__)

NAME = "videos"
POSTER_PX = 384


def model_key(path: str) -> str:
    st = os.stat(path)
    return f"{Path(path).name}:{st.st_size}:{int(st.st_mtime)}"


def poster_file(settings, video_id: int) -> Path:
    return Path(settings.thumbs_dir) / "videos" / f"{video_id}.jpg"


def save_poster(settings, video_id: int, frame) -> Optional[str]:
    if frame is None:
        return None
    out = poster_file(settings, video_id)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        im = Image.fromarray(frame)
        im.thumbnail((POSTER_PX, POSTER_PX))
        tmp = out.with_suffix(".tmp")
        im.save(tmp, "JPEG", quality=85)
        os.replace(tmp, out)
        return str(out)
    except OSError as exc:
        log.warning("poster of video %d not written: %s", video_id, exc)
        return None


def todo(catalog, model: str) -> list[tuple[int, str, int, int]]:
    return [tuple(r) for r in catalog.query(
        "SELECT v.id, v.path, v.size, v.mtime_ns FROM videos v LEFT JOIN video_info i ON i.video_id = v.id "
        "WHERE v.status = 'ok' AND (i.video_id IS NULL OR i.size != v.size OR i.mtime_ns != v.mtime_ns "
        "OR i.model != ?) ORDER BY v.id", (model,))]


def run(catalog, settings, progress, cancel) -> dict:
    from ..analysis.backbone_runner import BackboneRunner
    from .model_store import VideoModelMissing, load_video_model, weights_path

    if not catalog.scalar("SELECT count(*) FROM videos WHERE status = 'ok'"):
        return {"videos": 0}
    path = weights_path(settings)
    if not path.exists():
        raise VideoModelMissing(f"the video model's weights are missing ({path}); run photoorg train-video")
    key = model_key(str(path))
    work = todo(catalog, key)
    summary = {"videos": len(work), "ok": 0, "partial": 0, "skipped": 0, "skipped_files": []}
    if work:
        model = load_video_model(settings, path)
        meter = ProgressMeter("videos", progress, total=len(work))
        runner = BackboneRunner(settings)
        limit = float(getattr(settings.prefs, "video_time_limit_s", DEFAULT_TIME_LIMIT_S))
        with IsolatedReader(limit) as reader:
            for video_id, path, size, mtime_ns in work:
                cancel.raise_if_cancelled()
                result = analyze_file(path, runner, model, reader, mtime_ns)
                poster = save_poster(settings, video_id, result.poster)
                save_analysis(catalog, video_id, size, mtime_ns, key, result, poster)
                summary[result.status] = summary.get(result.status, 0) + 1
                if result.status != "ok":
                    from ..scan.skip_kinds import kind_of

                    summary["skipped_files"].append({"path": path, "status": result.status, "reason": result.reason,
                                                     "kind": kind_of(result.reason or "")})
                meter.advance(message=os.path.basename(path))
    pairs = find_duplicates(signatures(catalog))
    save_duplicates(catalog, pairs)
    summary["duplicates"] = len(pairs)
    from .albums import assign_album_videos

    summary["in_albums"] = assign_album_videos(catalog)  # capture times are known now
    return summary


# After "albums" when both run: the videos then join the albums as they are (video/albums.py).
STAGE = Stage(NAME, run, after=(), uses=("albums",),
              description="videos: segments, scenes, actions, importance, highlights, posters")

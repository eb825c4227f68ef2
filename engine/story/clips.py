"""Video highlights in stories: which ones, and how a clip plays in the story
video.

Choice: the videos captured within the story's span (an album's time range,
or under its folder), their highlights (engine/video, best segments by the
recalibrated importance), near-duplicate copies left out; one per video
first (variety), then the next best, about one clip per five photos, at most
``MAX_CLIPS``. A clip is shown for its own length (at most ``MAX_CLIP_S``).

Playing: frames are decoded in order from the clip's start (PyAV), fitted to
the story frame (filled when the aspects are close, else on a blurred
backdrop of the clip, like portraits). Sound: muted, or mixed under the music
(``Preferences.story_video_sound``; the mix is built by video.py).
"""

from __future__ import annotations

import threading
from typing import Optional

import numpy as np
from PIL import Image

from .plan import StoryPlan, StorySlide

MAX_CLIPS = 4
MAX_CLIP_S = 5.0
MIN_CLIP_S = 1.5
PHOTOS_PER_CLIP = 5


def candidate_videos(catalog, plan: StoryPlan, folder: Optional[str] = None):
    from ..video.store import list_videos, videos_between

    try:
        if folder:
            prefix = folder.rstrip("/") + "/"
            return [v for v in list_videos(catalog, with_unanalysed=False) if v.path.startswith(prefix)]
        if plan.album_id is not None:  # the album's videos, as stored (video/albums.py)
            from ..video.store import album_videos

            return album_videos(catalog, plan.album_id)
        times = [s.capture_ts for s in plan.slides + plan.alternates if s.capture_ts is not None]
        if not times:
            return []
        return videos_between(catalog, min(times), max(times))
    except Exception:  # noqa: BLE001 - a catalog without the video domain: no clips
        return []


def choose_clips(videos, photo_count: int, max_clips: int = MAX_CLIPS) -> list[StorySlide]:
    want = min(max_clips, max(1, round(photo_count / PHOTOS_PER_CLIP))) if videos else 0
    pool = []
    for v in videos:
        if v.duplicate_of or v.status == "skipped":
            continue
        for h in v.highlights:
            pool.append((h["importance"], h["highlight"], v, h))
    pool.sort(key=lambda x: (x[1] > 1, -x[0]))  # every video's best highlight first, then by importance
    chosen, used = [], set()
    for imp, rank, v, h in pool:
        if len(chosen) >= want:
            break
        if (v.id, h["index"]) in used:
            continue
        start = float(h["start"])
        end = min(float(h["end"]), start + MAX_CLIP_S)
        if end - start < MIN_CLIP_S:
            continue
        used.add((v.id, h["index"]))
        ts = (v.info.get("capture_ts") or 0.0) + start
        chosen.append(StorySlide(
            path=v.path, score=round(float(imp), 4), importance=float(imp), capture_ts=ts,
            capture_time=v.info.get("capture_time"), width=v.info.get("width"), height=v.info.get("height"),
            reason=f"video highlight {rank}: {h['scene']} / {h['action']}, importance {imp:.2f}",
            duration_s=round(end - start, 3), video_id=v.id, clip_start=start, clip_end=end))
    return chosen


def add_highlights(catalog, plan: StoryPlan, folder: Optional[str] = None) -> int:
    """Add the best video highlights to ``plan`` (in time order); returns how many."""
    clips = choose_clips(candidate_videos(catalog, plan, folder), len(plan.slides))
    for c in clips:
        plan.slides.append(c)
    if clips:
        plan.sort_by_time()
    return len(clips)


class ClipFraming:
    """A video clip as a story slide: ``frame_array(u, size)`` is the clip's
    frame at fraction ``u`` of the slide (held at the end during the
    cross-fade)."""

    mode = "clip"

    def __init__(self, slide: StorySlide, size: tuple[int, int], slide_s: float) -> None:
        import av

        from ..video.probe import probe

        self.size = size
        self.start = float(slide.clip_start or 0.0)
        self.end = float(slide.clip_end or self.start + MAX_CLIP_S)
        self.slide_s = slide_s
        self.rotation = probe(slide.path).rotation
        self._lock = threading.Lock()
        self._container = av.open(slide.path, metadata_errors="ignore", timeout=10.0)
        self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"
        tb = float(self._stream.time_base or 1e-6)
        self._t0 = float(self._stream.start_time * tb) if self._stream.start_time is not None else 0.0
        self._container.seek(int((self._t0 + self.start) / tb), stream=self._stream, backward=True)
        self._frames = self._container.decode(self._stream)
        self._recent: list[tuple[float, np.ndarray]] = []
        self._done = False
        self._backdrop: Optional[Image.Image] = None

    def _fit(self, frame: Image.Image) -> np.ndarray:
        from .layout import backdrop

        w, h = self.size
        fw, fh = frame.size
        if abs(fw / fh - w / h) < 0.12 * (w / h):  # close aspects: fill, cropping a little
            scale = max(w / fw, h / fh)
            im = frame.resize((max(w, round(fw * scale)), max(h, round(fh * scale))), Image.Resampling.BILINEAR)
            left, top = (im.width - w) // 2, (im.height - h) // 2
            return np.asarray(im.crop((left, top, left + w, top + h)))
        if self._backdrop is None:
            self._backdrop = backdrop(frame, self.size)
        canvas = self._backdrop.copy()
        scale = min(w / fw, h / fh)
        im = frame.resize((max(1, round(fw * scale)), max(1, round(fh * scale))), Image.Resampling.BILINEAR)
        canvas.paste(im, ((w - im.width) // 2, (h - im.height) // 2))
        return np.asarray(canvas)

    def _next(self) -> bool:
        import av

        from ..video.frames import _upright

        if self._done:
            return False
        try:
            for f in self._frames:
                if f.time is None:
                    continue
                t = f.time - self._t0
                if t < self.start - 1e-3:
                    continue
                if t > self.end + 1e-3:
                    break
                rgb = _upright(f.to_ndarray(format="rgb24"), self.rotation)
                self._recent.append((t, self._fit(Image.fromarray(rgb))))
                del self._recent[:-6]
                return True
        except (av.error.FFmpegError, OSError, ValueError):
            pass
        self._done = True
        self._container.close()
        return False

    def frame_array(self, u: float, size: tuple[int, int]) -> np.ndarray:
        t = self.start + min(max(u, 0.0), 1.0) * self.slide_s
        with self._lock:
            while (not self._recent or self._recent[-1][0] < t) and self._next():
                pass
            if not self._recent:
                return np.zeros((size[1], size[0], 3), np.uint8)
            best = self._recent[0][1]
            for ft, arr in self._recent:
                if ft <= t + 1e-3:
                    best = arr
            return best


__all__ = ["ClipFraming", "MAX_CLIPS", "add_highlights", "choose_clips"]

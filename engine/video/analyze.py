"""One video, from its sampled frames to segments, highlights and a poster.

frames -> cuts (segments.py) -> segments of about 5 s -> per segment up to 8
frames' backbone features -> the multitask transformer: scene, action and the
recalibrated importance -> highlights (the best segments, apart from each
other) -> a poster frame from the best highlight (sharp, not black).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Optional

import numpy as np
from PIL import Image

from .features import FrameFeatures, frame_features, pick_frames, segment_batch
from .segments import SEGMENT_S, Segment, find_cuts, make_segments

MAX_HIGHLIGHTS = 3
BLACK = 0.08  # mean brightness under which a frame is "black" (never a poster)


@dataclass
class SegmentResult:
    start: float
    end: float
    shot: int
    scene: str
    scene_confidence: float
    action: str
    action_confidence: float
    importance: float  # recalibrated (eq. 4), 0..1
    raw_importance: float  # the importance head alone, 0..1
    highlight: int = 0  # 1 = best highlight, 2 = second...; 0 = not a highlight

    def to_json(self) -> dict:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(self).items()}


@dataclass
class VideoAnalysis:
    info: dict
    status: str  # ok | partial (some of it could not be read) | skipped
    reason: str = ""
    problems: list[str] = field(default_factory=list)
    segments: list[SegmentResult] = field(default_factory=list)
    cuts: list[float] = field(default_factory=list)
    poster_s: Optional[float] = None
    poster: Optional[np.ndarray] = None  # (h, w, 3) uint8, the sampled frame
    signature_times: list[float] = field(default_factory=list)
    signature: Optional[np.ndarray] = None  # (T, 8) uint8 dhash per sample
    seconds: float = 0.0
    frames: int = 0

    @property
    def highlights(self) -> list[SegmentResult]:
        return sorted((s for s in self.segments if s.highlight), key=lambda s: s.highlight)


def dhash_frame(frame: np.ndarray) -> np.ndarray:
    from ..analysis.embed_stage import dhash

    return dhash(Image.fromarray(frame))


def choose_highlights(segments: list[SegmentResult], k: int = MAX_HIGHLIGHTS) -> None:
    """Mark the best segments by importance, at most one per shot while other
    shots remain (variety), only those at least 60 % as good as the best."""
    if not segments:
        return
    k = min(k, max(1, round(len(segments) / 2)))  # a short video has one or two highlights, not all of it
    order = sorted(range(len(segments)), key=lambda i: -segments[i].importance)
    best = segments[order[0]].importance
    chosen: list[int] = []
    shots: set[int] = set()
    for pass_ in (0, 1):
        for i in order:
            if len(chosen) >= k:
                break
            s = segments[i]
            if i in chosen or s.importance < 0.6 * best:
                continue
            if pass_ == 0 and s.shot in shots:
                continue
            chosen.append(i)
            shots.add(s.shot)
    for rank, i in enumerate(sorted(chosen, key=lambda i: -segments[i].importance), start=1):
        segments[i].highlight = rank


def pick_poster(times: list[float], feats: FrameFeatures, segments: list[SegmentResult],
                seg_index: list[Segment]) -> Optional[int]:
    """The sample to show as the thumbnail: the sharpest well-lit frame of the
    best highlight, else of the whole video; never a black frame when
    another exists."""
    if not times:
        return None
    cues = feats.cues
    lit = cues[:, 1] >= BLACK
    score = cues[:, 0] + 0.5 * cues[:, 2] - 0.3 * cues[:, 3] + np.where(lit, 0.0, -10.0)
    ranked = [segments.index(h) for h in sorted((s for s in segments if s.highlight), key=lambda s: s.highlight)]
    for i in ranked:
        a, b = seg_index[i].samples
        if b > a and lit[a:b].any():
            return a + int(np.argmax(score[a:b]))
    return int(np.argmax(score))


def analyze_frames(info: dict, times: list[float], frames: Optional[np.ndarray], runner, model,
                   problems: list[str] = (), cuts: Optional[list[float]] = None) -> VideoAnalysis:
    started = time.monotonic()
    problems = list(problems)
    if frames is None or not len(frames):
        reason = problems[0] if problems else "no frame could be decoded"
        if info.get("codec") is None:
            return VideoAnalysis(info, "partial", reason, problems)  # audio only: catalogued, nothing to see
        return VideoAnalysis(info, "partial", reason, problems)
    duration = float(info.get("duration_s") or 0.0)
    step = times[1] - times[0] if len(times) > 1 else 0.5
    if duration <= 0 or duration < times[-1]:
        duration = times[-1] + step / 2
    elif problems and times[-1] + step < duration:
        # Reading stopped early (the time limit, a truncated file): segments
        # cover what was read, not the pictures that were never seen.
        duration = times[-1] + step / 2
    if cuts is None:
        cuts = find_cuts(times, frames)
    # About 5 s each, or one sample apart when sampled sparser (a 4-hour file is
    # sampled every 40 s): no segment without a frame of its own.
    segs = make_segments(duration, times, cuts, length=max(SEGMENT_S, step))
    feats = frame_features(runner, frames)
    picks = [pick_frames(*s.samples) for s in segs]
    results: list[SegmentResult] = []
    cfg_frames = model.model.cfg.max_frames
    for start in range(0, len(segs), 64):
        chunk = picks[start:start + 64]
        out = model.predict(*segment_batch(feats, chunk, cfg_frames))
        for j, seg in enumerate(segs[start:start + 64]):
            si, ai = int(out["scene"][j].argmax()), int(out["action"][j].argmax())
            results.append(SegmentResult(seg.start, seg.end, seg.shot, model.scenes[si], float(out["scene"][j, si]),
                                         model.actions[ai], float(out["action"][j, ai]),
                                         float(out["importance"][j]), float(out["raw_importance"][j])))
    choose_highlights(results)
    poster = pick_poster(times, feats, results, segs)
    status = "partial" if problems else "ok"
    return VideoAnalysis(
        info, status, problems[0] if problems else "", problems, results, cuts,
        poster_s=times[poster] if poster is not None else None,
        poster=frames[poster] if poster is not None else None,
        signature_times=list(times), signature=np.stack([dhash_frame(f) for f in frames]),
        seconds=time.monotonic() - started, frames=len(frames))


def analyze_file(path: str, runner, model, reader=None, mtime_ns: Optional[int] = None,
                 interval: float = 0.5) -> VideoAnalysis:
    """Read (in the isolated reader when given) and analyse one file."""
    started = time.monotonic()
    if reader is not None:
        got = reader.read(path, mtime_ns, interval)
    else:
        from .reader import read_job

        got = read_job(path, mtime_ns, interval, budget_s=120.0)
    if "skip" in got:
        return VideoAnalysis({"path": path}, "skipped", got["skip"], [got["skip"]], seconds=time.monotonic() - started)
    result = analyze_frames(got["info"], got["times"], got["frames"], runner, model, got["problems"],
                            got.get("cuts"))
    result.seconds = time.monotonic() - started
    return result


__all__ = ["MAX_HIGHLIGHTS", "SegmentResult", "VideoAnalysis", "analyze_file", "analyze_frames", "choose_highlights",
           "dhash_frame"]

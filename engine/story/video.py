"""Rendering a story plan to an H.264 MP4.

Frames are composed here (Pillow: a sub-pixel crop-and-scale of each slide's
canvas, a blend during cross-fades) and piped raw into the ffmpeg binary of
imageio-ffmpeg, which encodes H.264 (yuv420p, +faststart: plays in browsers,
phones and TVs) and muxes the user's music, cut and faded out at the end.
ffmpeg's own zoompan rounds the crop to whole pixels and jitters; composing
the frames here keeps the pan-and-zoom smooth.

The file is encoded under a temporary name beside the target and renamed at
the end, so a failure or a cancel never leaves a broken file that looks done.
"""

from __future__ import annotations

import collections
import concurrent.futures
import copy
import logging
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np
from PIL import Image

from ..errors import Cancelled, DecodeError
from ..imaging.decode import decode
from ..progress import CancelToken, ProgressCallback, ProgressMeter, no_progress
from .ffmpeg import StoryError, ffmpeg_exe, music_info
from .focus import keep_box, saliency_focus
from .layout import Framing, build_framing, cv2, decode_target, plan_geometry
from .output import publish_file, temp_file_beside
from .plan import StoryPlan, StorySlide
from .titlecard import title_framing

log = logging.getLogger(__name__)

VIDEO_SUFFIXES = (".mp4", ".m4v")


@dataclass(frozen=True)
class VideoOptions:
    width: int = 1920
    height: int = 1080
    fps: int = 30
    crf: int = 20  # x264 quality: 18 is visually lossless, 23 its default
    preset: str = "veryfast"  # x264 speed/size trade-off
    zoom: float = 1.12  # how much closer the camera gets during a slide
    fade_in_s: float = 0.6
    fade_out_s: float = 1.2
    audio_fade_s: float = 3.0
    audio_bitrate: str = "192k"

    def size(self) -> tuple[int, int]:
        # yuv420p needs even dimensions
        return (max(2, self.width - self.width % 2), max(2, self.height - self.height % 2))


@dataclass
class RenderResult:
    path: str
    format: str  # mp4 | html
    duration_s: float
    slides: int
    width: int = 0
    height: int = 0
    frames: int = 0
    elapsed_s: float = 0.0
    music: Optional[str] = None
    skipped: list[dict] = field(default_factory=list)  # photos left out: path, reason
    dropped: list[str] = field(default_factory=list)  # photos cut to fit the music

    def to_json(self) -> dict:
        return dict(self.__dict__)


def check_slides(plan: StoryPlan, max_megapixels: float = 178.9) -> tuple[list[StorySlide], list[dict]]:
    """The slides whose files can still be read (cheap header checks); the
    others (deleted or changed since the scan) are reported, not fatal."""
    from ..imaging.decode import check_pixels, is_raw, open_header

    usable, skipped = [], []
    for slide in plan.slides:
        path = slide.path
        if not os.path.isfile(path):
            skipped.append({"path": path, "reason": "file not found (moved or deleted since the last scan)"})
            continue
        if slide.is_clip:  # a video highlight: read when it plays
            usable.append(slide)
            continue
        try:
            if not is_raw(path):
                with open_header(path, os.path.basename(path)) as im:
                    check_pixels(im.width, im.height, max_megapixels)
        except DecodeError as exc:
            skipped.append({"path": path, "reason": str(exc)})
            continue
        except OSError as exc:
            skipped.append({"path": path, "reason": f"cannot read: {exc.strerror or exc}"})
            continue
        usable.append(slide)
    return usable, skipped


def slide_framing(slide: StorySlide, size: tuple[int, int], zoom: float, zoom_in: bool,
                  max_megapixels: float = 178.9) -> Framing:
    """Decode one photo at the resolution its closest view needs and frame it."""
    aspect = size[0] / size[1]
    keep = keep_box(slide.faces, slide.focus)
    w, h = slide.width, slide.height
    if not w or not h:
        probe_im = decode(slide.path, name=os.path.basename(slide.path), target=size[1],
                          max_megapixels=max_megapixels)
        w, h = probe_im.size
    geometry = plan_geometry(w, h, aspect, keep, zoom, zoom_in)
    target = decode_target(w, h, geometry, size[0])
    im = decode(slide.path, name=os.path.basename(slide.path), target=target, max_megapixels=max_megapixels)
    if abs(im.width / im.height - w / h) > 0.02:  # catalog size out of date (edited file)
        w, h = im.size
    if keep is None:
        keep = saliency_focus(im)
    geometry = plan_geometry(w, h, aspect, keep, zoom, zoom_in)
    return build_framing(im, geometry, size)


def _placeholder(size: tuple[int, int]) -> Framing:
    canvas = Image.new("RGB", size, (20, 20, 20))
    full = (0.0, 0.0, float(size[0]), float(size[1]))
    return Framing(canvas, full, full, "blank")


def _mix(a: np.ndarray, b: np.ndarray, alpha: float) -> np.ndarray:
    """(1 - alpha) * a + alpha * b, rounded, as uint8."""
    if cv2 is not None:
        return cv2.addWeighted(a, 1.0 - alpha, b, alpha, 0.0)
    return np.asarray(Image.blend(Image.fromarray(a), Image.fromarray(b), alpha))


def starts_of(durations: list[float], transition: float) -> list[float]:
    starts, t = [], 0.0
    for d in durations:
        starts.append(t)
        t += d - transition
    return starts


class _Encoder:
    """An ffmpeg process reading raw RGB frames on stdin."""

    def __init__(self, out: Path, size: tuple[int, int], opts: VideoOptions, duration: float,
                 music: Optional[str], title: str, clip_sound: list = ()) -> None:
        w, h = size
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
               "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-framerate", str(opts.fps), "-i", "-"]
        if music:
            cmd += ["-i", music]
        clip_sound = [(at, s) for at, s in clip_sound if _has_audio(s.path)]
        for _, s in clip_sound:
            cmd += ["-ss", f"{s.clip_start:.3f}", "-t", f"{(s.duration_s or 0):.3f}", "-i", s.path]
        cmd += ["-map", "0:v:0"]
        if clip_sound:  # the clips' own sound, each at its place, under the (lowered) music
            first = 2 if music else 1
            fade = min(opts.audio_fade_s, duration / 3)
            parts, labels = [], []
            for k, (at, _) in enumerate(clip_sound):
                ms = int(at * 1000)
                parts.append(f"[{first + k}:a:0]adelay={ms}|{ms},aresample=44100[c{k}]")
                labels.append(f"[c{k}]")
            if music:
                parts.append("[1:a:0]volume=0.35,aresample=44100[m]")
                labels.insert(0, "[m]")
            else:
                parts.append(f"anullsrc=r=44100:cl=stereo,atrim=0:{duration:.3f}[m]")
                labels.insert(0, "[m]")
            parts.append(f"{''.join(labels)}amix=inputs={len(labels)}:duration=first:normalize=0,"
                         f"afade=t=out:st={max(0.0, duration - fade):.3f}:d={fade:.3f}[a]")
            cmd += ["-filter_complex", ";".join(parts), "-map", "[a]", "-c:a", "aac", "-b:a", opts.audio_bitrate]
        elif music:
            fade = min(opts.audio_fade_s, duration / 3)
            cmd += ["-map", "1:a:0", "-c:a", "aac", "-b:a", opts.audio_bitrate,
                    "-af", f"afade=t=out:st={max(0.0, duration - fade):.3f}:d={fade:.3f}"]
        cmd += ["-c:v", "libx264", "-preset", opts.preset, "-crf", str(opts.crf), "-pix_fmt", "yuv420p",
                "-profile:v", "high", "-t", f"{duration:.3f}", "-movflags", "+faststart",
                "-metadata", f"title={title}", "-f", "mp4", str(out)]
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self.log)

    def error_text(self) -> str:
        self.log.seek(0)
        text = self.log.read().decode("utf-8", "replace").strip()
        return text.splitlines()[-1] if text else f"ffmpeg exited with status {self.proc.returncode}"

    def write(self, frame) -> None:
        try:
            self.proc.stdin.write(memoryview(frame).cast("B"))
        except (BrokenPipeError, OSError):
            self.proc.wait()
            raise StoryError(f"the video encoder stopped: {self.error_text()}") from None

    def finish(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        if self.proc.wait() != 0:
            raise StoryError(f"the video encoder failed: {self.error_text()}")
        self.log.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()


def _has_audio(path: str) -> bool:
    try:
        import av

        with av.open(path, metadata_errors="ignore") as c:
            return bool(c.streams.audio)
    except Exception:  # noqa: BLE001 - unreadable: no sound to mix
        return False


def fit_plan_to_music(plan: StoryPlan, seconds: float) -> list[str]:
    """Retime ``plan`` to end with the music; when even the shortest slides
    overrun it, the lowest-scored photos are left out. Returns their paths."""
    dropped = []
    plan.fit_to_seconds(seconds)
    while len(plan.slides) > 1 and plan.duration_s > seconds + 0.05:
        worst = min(range(len(plan.slides)), key=lambda i: plan.slides[i].score)
        dropped.append(plan.slides.pop(worst).path)
        plan.fit_to_seconds(seconds)
    return dropped


def render_video(plan: StoryPlan, out: os.PathLike | str, settings=None, *, music: Optional[str] = None,
                 options: Optional[VideoOptions] = None, progress: ProgressCallback = no_progress,
                 cancel: Optional[CancelToken] = None) -> RenderResult:
    """Render ``plan`` to an MP4 at ``out``; returns what was written.
    ``settings`` (optional) supplies the decompression-bomb limit."""
    started = time.monotonic()
    opts = options or VideoOptions()
    cancel = cancel or CancelToken()
    out = Path(out)
    if out.suffix.lower() not in VIDEO_SUFFIXES:
        raise StoryError(f"{out.name}: a story video is written as .mp4")
    max_mp = settings.prefs.max_megapixels if settings is not None else 178.9
    size = opts.size()
    music_path = None
    plan = copy.deepcopy(plan)
    dropped: list[str] = []
    if music:
        info = music_info(music)
        music_path = str(Path(music).absolute())
        if info.duration_s < plan.duration_s:
            dropped = fit_plan_to_music(plan, info.duration_s)
    usable, skipped = check_slides(plan, max_mp)
    if not usable:
        why = skipped[0]["reason"] if skipped else "the story has no photos"
        raise StoryError(f"nothing to render: none of the story's photos can be read ({why})")
    plan.slides = usable
    cover = max([s for s in usable if not s.is_clip] or usable, key=lambda s: s.score)

    durations = plan.slide_durations()
    starts = starts_of(durations, plan.transition_s)
    total = plan.duration_s
    n_frames = max(1, round(total * opts.fps))
    meter = ProgressMeter("story video", progress, total=n_frames)
    titled = plan.title_s > 0

    def make(index: int) -> Framing:
        if titled and index == 0:
            try:
                photo = decode(cover.path, name=os.path.basename(cover.path), target=size[1] // 4,
                               max_megapixels=max_mp)
            except (DecodeError, OSError):
                photo = None
            return title_framing(size, plan.title, plan.dates, plan.place, photo)
        slide = usable[index - 1 if titled else index]
        if slide.is_clip:
            try:
                from .clips import ClipFraming

                return ClipFraming(slide, size, durations[index])
            except Exception as exc:  # noqa: BLE001 - a clip that cannot play is left as a blank slide
                skipped.append({"path": slide.path, "reason": f"video clip failed while rendering: {exc}"})
                return _placeholder(size)
        try:
            return slide_framing(slide, size, opts.zoom, zoom_in=index % 2 == 1, max_megapixels=max_mp)
        except (DecodeError, OSError, MemoryError) as exc:
            skipped.append({"path": slide.path, "reason": f"failed while rendering: {exc}"})
            return _placeholder(size)

    def compose(t: float, layers: list[tuple[concurrent.futures.Future, float, float]]) -> np.ndarray:
        frame = None
        for fut, u, alpha in layers:
            img = fut.result().frame_array(u, size)
            frame = img if frame is None else _mix(frame, img, alpha)
        fade = min(1.0, (t + 1 / opts.fps) / opts.fade_in_s if opts.fade_in_s else 1.0,
                   (total - t) / opts.fade_out_s if opts.fade_out_s else 1.0)
        if fade < 1.0:
            frame = _mix(np.zeros_like(frame), frame, max(0.0, fade))
        return np.ascontiguousarray(frame)

    # Slides are decoded one ahead on one thread; frames are composed on
    # others (Pillow releases the GIL while it scales and blends) and written
    # in order while ffmpeg encodes in its own process.
    workers = max(1, min(4, (os.cpu_count() or 2) // 2))
    with temp_file_beside(out, out.suffix) as tmp, \
            concurrent.futures.ThreadPoolExecutor(1) as pool, \
            concurrent.futures.ThreadPoolExecutor(workers) as composers:
        framings: dict[int, concurrent.futures.Future] = {0: pool.submit(make, 0)}
        pending: collections.deque[concurrent.futures.Future] = collections.deque()
        clip_sound = []
        if getattr(getattr(settings, "prefs", None), "story_video_sound", "muted") == "under-music":
            clip_sound = [(starts[i], usable[i - 1 if titled else i]) for i in range(len(durations))
                          if (i > 0 or not titled) and usable[i - 1 if titled else i].is_clip]
        encoder = _Encoder(tmp, size, opts, total, music_path, plan.title, clip_sound)
        try:
            for f in range(n_frames + 1):
                if cancel.cancelled:
                    raise Cancelled()
                if f < n_frames:
                    t = f / opts.fps
                    active = _active(starts, durations, t)
                    for i in [i for i in framings if i < active[0]]:
                        del framings[i]  # frees the canvas (once the frames using it are made)
                    for i in range(active[0], min(active[-1] + 2, len(durations))):
                        if i not in framings:  # decode the next slide while this one plays
                            framings[i] = pool.submit(make, i)
                    layers = [(framings[i], (t - starts[i]) / durations[i],
                               min(1.0, max(0.0, (t - starts[i]) / plan.transition_s))) for i in active]
                    pending.append(composers.submit(compose, t, layers))
                while pending and (len(pending) > 2 * workers or f == n_frames):
                    encoder.write(pending.popleft().result())
                    meter.advance(message=f"{meter.done / opts.fps:.0f}/{total:.0f} s")
            encoder.finish()
        except BaseException:
            encoder.kill()
            for fut in [*pending, *framings.values()]:
                fut.cancel()
            raise
        publish_file(tmp, out)
    meter.emit("done")
    return RenderResult(
        path=str(out), format="mp4", duration_s=round(n_frames / opts.fps, 3), slides=len(usable),
        width=size[0], height=size[1], frames=n_frames, elapsed_s=round(time.monotonic() - started, 2),
        music=music_path, skipped=skipped, dropped=dropped,
    )


def _active(starts: list[float], durations: list[float], t: float) -> list[int]:
    """The slides on screen at ``t`` (two during a cross-fade), oldest first."""
    out = [i for i, (s, d) in enumerate(zip(starts, durations)) if s <= t < s + d]
    if not out:  # past the end by rounding: hold the last slide
        out = [len(starts) - 1]
    return out

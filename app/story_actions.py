"""The story panel's engine calls, each on the "story" lane (one at a time:
choosing photos again waits for a render, and never the other way round
through a second writer), with progress and a cancel token; the status strip
shows that lane beside the "work" lane.

- ``start_selection``: ``select_story`` for an album, with or without the
  private photos (a per-story choice over ``Preferences.allow_private_in_exports``).
- ``start_render``: ``render_video`` / ``render_html`` on a copy of the plan
  (the user may go on editing while it renders), then an "export" decision per
  photo that really went into the file (the interest model learns from it, as
  from ``photoorg export-story``), written on the "edit" lane.
"""

from __future__ import annotations

from photoorg.engine.wording import count
import copy
import dataclasses
from pathlib import Path
from typing import Callable, Optional

from photoorg.engine.story import StoryPlan, VideoOptions, render_html, render_video, select_story
from photoorg.engine.story.ffmpeg import music_info
from photoorg.engine.story.video import VIDEO_SUFFIXES

from .session import Session
from .workers import Task

LANE = "story"

# The output choices the panel offers: key -> (label, format, video size)
FORMATS = {
    "mp4-1080": ("Video (MP4, 1080p)", "mp4", (1920, 1080)),
    "mp4-720": ("Video (MP4, 720p, smaller file)", "mp4", (1280, 720)),
    "html": ("Web slideshow (HTML folder, plays offline)", "html", None),
}


def output_path(path: str, fmt: str) -> str:
    """The file or folder the render writes: a video gets its .mp4 suffix."""
    p = Path(path).expanduser()
    if fmt == "mp4" and p.suffix.lower() not in VIDEO_SUFFIXES:
        p = p.with_name(p.name + ".mp4")
    if fmt == "html" and p.suffix.lower() in VIDEO_SUFFIXES:
        p = p.with_suffix("")
    return str(p)


@dataclasses.dataclass
class StorySelection:
    plan: StoryPlan
    private_ids: frozenset  # photos of the plan (slides and alternates) that are private
    include_private: bool


def start_selection(session: Session, album_id: int, *, seconds: Optional[float] = None,
                    count: Optional[int] = None, include_private: bool = False,
                    on_done: Callable[[StorySelection], None], on_error: Callable[[str], None],
                    on_cancelled: Optional[Callable[[], None]] = None,
                    on_progress: Optional[Callable] = None) -> Task:
    catalog = session.catalog
    settings = session.settings
    if include_private != settings.prefs.allow_private_in_exports:
        settings = settings.with_prefs(dataclasses.replace(settings.prefs, allow_private_in_exports=include_private))

    def work(token, progress):
        plan = select_story(catalog, settings, album_id, seconds=seconds, count=count, progress=progress,
                            cancel=token)
        ids = [s.photo_id for s in plan.slides + plan.alternates if s.photo_id is not None]
        private = frozenset(pid for pid, row in catalog.grid_rows(ids).items() if row.private)
        return StorySelection(plan, private, include_private)

    return session.runner.submit("Choosing the story's photos", work, lane=LANE, key="story-select",
                                 on_done=on_done, on_error=on_error, on_cancelled=on_cancelled,
                                 on_progress=on_progress)


def start_render(session: Session, plan: StoryPlan, out: str, fmt: str, *, music: Optional[str] = None,
                 options: Optional[VideoOptions] = None, on_done: Optional[Callable] = None,
                 on_error: Optional[Callable[[str], None]] = None,
                 on_cancelled: Optional[Callable[[], None]] = None,
                 on_progress: Optional[Callable] = None) -> Task:
    """Render a copy of ``plan`` to ``out`` ("mp4" or "html"); on success the
    shown photos are logged as exported."""
    plan = copy.deepcopy(plan)
    settings = session.settings

    def work(token, progress):
        if fmt == "mp4":
            return render_video(plan, out, settings, music=music, options=options or VideoOptions(),
                                progress=progress, cancel=token)
        return render_html(plan, out, settings, music=music, progress=progress, cancel=token)

    def done(result) -> None:
        record_exports(session, plan, result)
        text = f"Story saved: {result.path} ({count(result.slides, 'photo')}, {result.duration_s:.0f} s)"
        if result.skipped:
            text += f"; left out {len(result.skipped)} that could not be read"
        if result.dropped:
            text += f"; {len(result.dropped)} cut to fit the music"
        session.message.emit(text)
        if on_done:
            on_done(result)

    def failed(message: str) -> None:
        session.error.emit(f"The story was not exported: {message}")
        if on_error:
            on_error(message)

    def cancelled() -> None:
        session.message.emit("Story export cancelled: nothing was written")
        if on_cancelled:
            on_cancelled()

    name = "Rendering the story video" if fmt == "mp4" else "Writing the web slideshow"
    return session.runner.submit(name, work, lane=LANE, on_done=done, on_error=failed, on_cancelled=cancelled,
                                 on_progress=on_progress)


def exported_photo_ids(plan: StoryPlan, result) -> list[int]:
    """The photos that are really in the written story (not skipped as
    unreadable, not cut to fit the music)."""
    gone = {s["path"] for s in result.skipped} | set(result.dropped)
    return [s.photo_id for s in plan.slides if s.photo_id is not None and s.path not in gone]


def record_exports(session: Session, plan: StoryPlan, result) -> Task:
    catalog, ids, album_id, path = session.catalog, exported_photo_ids(plan, result), plan.album_id, result.path

    def write() -> None:
        with catalog.write():
            for pid in ids:
                catalog.record_decision("export", photo_id=pid, album_id=album_id, value={"story": path})

    return session.runner.call("log the exported photos", write, lane="edit",
                               on_error=lambda msg: session.error.emit(f"The export was not logged: {msg}"))


def probe_music(session: Session, path: str, on_done: Callable[[float], None],
                on_error: Callable[[str], None]) -> Task:
    """The music file's length (ffmpeg probe, off the GUI thread); an error
    when it is missing or has no sound."""
    return session.runner.call("read the music file", lambda: music_info(path).duration_s, lane="query",
                               key="story-music", on_done=on_done, on_error=on_error)

"""photoorg export-story ALBUM --out FILE: an album told as a short slideshow.

ALBUM is an album id, an album title, or a folder (every catalogued photo in
it). FILE ending in .mp4 gives an H.264 video; ending in .html, or a folder,
gives an offline HTML slideshow.
"""

from __future__ import annotations

from ..wording import count
import argparse
import os
import re
from pathlib import Path

from ..errors import CatalogLocked
from ..story import StoryError, render_html, render_video, select_story, select_story_for_folder
from ..story.ffmpeg import music_info
from ..story.html import HTML_SUFFIXES
from ..story.output import check_writable
from ..story.sources import find_album
from ..story.video import VIDEO_SUFFIXES, VideoOptions
from .common import Context, ProgressPrinter

MAX_MUSIC_STORY_S = 300.0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export-story", help="export an album as a slideshow video (MP4) or HTML folder")
    p.add_argument("album", metavar="ALBUM", help="album id, album title, or a folder of catalogued photos")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="FILE.mp4 for a video; FILE.html or a folder for an offline HTML slideshow")
    p.add_argument("--seconds", type=float, default=None, metavar="N",
                   help="target length (default: 30-90 s by album size, or the music's length)")
    p.add_argument("--count", type=int, default=None, metavar="N", help="number of photos instead of a length")
    p.add_argument("--music", metavar="FILE", default=None, help="a music file; the story ends with it")
    p.add_argument("--size", default="1920x1080", metavar="WxH", help="video size (default 1920x1080)")
    p.add_argument("--fps", type=int, default=30, help="video frame rate (default 30)")
    p.add_argument("--plan-only", action="store_true", help="print the chosen photos without rendering")
    p.add_argument("--video-sound", choices=("muted", "under-music"), default=None,
                   help="video highlights play muted, or with their own sound under the music "
                        "(default: the setting, muted)")
    p.set_defaults(func=run)


def _output_format(out: Path) -> str:
    suffix = out.suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return "mp4"
    if suffix in HTML_SUFFIXES or out.is_dir() or not suffix:
        return "html"
    raise StoryError(f"{out.name}: write the story as .mp4 (video), .html or a folder (HTML slideshow)")


def _size(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{2,5})\s*[xX]\s*(\d{2,5})\s*", text)
    if not m:
        raise StoryError(f"--size {text!r}: give WIDTHxHEIGHT, e.g. 1280x720")
    return int(m[1]), int(m[2])


def run(ctx: Context) -> int:
    args = ctx.args
    out = Path(args.out).expanduser()
    fmt = _output_format(out)
    width, height = _size(args.size)
    if args.seconds is not None and args.seconds <= 0 or args.count is not None and args.count <= 0:
        raise StoryError("--seconds and --count must be positive")
    seconds = args.seconds
    if not args.plan_only:
        check_writable(out)
    if args.music:
        info = music_info(args.music)  # a missing or unreadable file fails before any work
        if seconds is None and args.count is None:
            seconds = min(info.duration_s, MAX_MUSIC_STORY_S)
    printer = ProgressPrinter()
    try:
        catalog = ctx.open()
    except CatalogLocked:  # the window has it open: read it, leave the decision log alone
        catalog = ctx.open(readonly=True)
    if args.video_sound:  # after open(): the stored preferences replaced the defaults there
        import dataclasses

        ctx.settings = ctx.settings.with_prefs(dataclasses.replace(ctx.settings.prefs,
                                                                   story_video_sound=args.video_sound))
    with catalog:
        if os.path.isdir(args.album):
            plan = select_story_for_folder(catalog, ctx.settings, args.album, seconds=seconds, count=args.count,
                                           progress=printer, cancel=ctx.cancel)
        else:
            album_id = find_album(catalog, args.album)
            if album_id is None:
                raise StoryError(f"no album {args.album!r}: give an album id or title ('photoorg albums' "
                                 "lists them) or a folder of scanned photos")
            plan = select_story(catalog, ctx.settings, album_id, seconds=seconds, count=args.count,
                                progress=printer, cancel=ctx.cancel)
        if args.plan_only:
            printer.finish()
            data = plan.to_json()
            lines = [f"{plan.title}: {count(len(plan.slides), 'photo')}, {plan.duration_s:.1f} s"]
            lines += [f"  {s.path}  ({s.reason})" for s in plan.slides]
            ctx.emit(data, "\n".join(lines))
            return 0
        if fmt == "mp4":
            result = render_video(plan, out, ctx.settings, music=args.music,
                                  options=VideoOptions(width=width, height=height, fps=args.fps),
                                  progress=printer, cancel=ctx.cancel)
        else:
            result = render_html(plan, out, ctx.settings, music=args.music, progress=printer, cancel=ctx.cancel)
        printer.finish()
        if not catalog.readonly:
            shown = {s.path for s in plan.slides} - {s["path"] for s in result.skipped} - set(result.dropped)
            for s in plan.slides:
                if s.photo_id is not None and s.path in shown:
                    catalog.record_decision("export", photo_id=s.photo_id, album_id=plan.album_id,
                                            value={"story": result.path})
    data = {"title": plan.title, "album_id": plan.album_id, **result.to_json(),
            "photos": [s.path for s in plan.slides if s.path not in {k["path"] for k in result.skipped}
                       and s.path not in result.dropped],
            "excluded": plan.excluded}
    lines = [f"wrote {result.path}: {count(result.slides, 'photo')}, {result.duration_s:.1f} s "
             f"({result.format}) in {result.elapsed_s:.1f} s"]
    lines += [f"  left out {k['path']}: {k['reason']}" for k in result.skipped]
    lines += [f"  cut to fit the music: {p}" for p in result.dropped]
    ctx.emit(data, "\n".join(lines))
    return 0

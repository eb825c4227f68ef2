"""Rendering a story plan as an offline HTML slideshow.

``OUT/`` (a folder): ``index.html`` + ``assets/`` (resized JPEGs, the video
highlights cut as small MP4 files, the player's JS and CSS, the music when
given). ``OUT.html``: that page beside an
``OUT_files/`` folder, the way browsers save a complete page. Nothing refers
to the network; the page plays from a USB stick or an e-mail attachment.

The folder is built under a temporary name and swapped in at the end; for
``OUT.html`` the page is written last, so it never points at missing files.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import time
from importlib import resources
from pathlib import Path
from typing import Optional

from ..errors import DecodeError
from ..imaging.decode import decode, fit
from ..progress import CancelToken, ProgressCallback, ProgressMeter, no_progress
from .ffmpeg import StoryError, music_info
from .focus import keep_box, saliency_focus
from .output import publish_dir, publish_file, temp_dir_beside, temp_file_beside
from .plan import StoryPlan
from .video import RenderResult, check_slides

HTML_SUFFIXES = (".html", ".htm")
IMAGE_PX = 1920  # long side of the exported images
JPEG_QUALITY = 86


def _template(name: str) -> str:
    return resources.files("photoorg.resources").joinpath("story", name).read_text(encoding="utf-8")


def _asset(name: str) -> bytes:
    return resources.files("photoorg.resources").joinpath("story", name).read_bytes()


def html_targets(out: Path) -> tuple[Path, Path, str]:
    """(page, assets folder, assets prefix as seen from the page)."""
    if out.suffix.lower() in HTML_SUFFIXES:
        assets = out.with_name(out.stem + "_files")
        return out, assets, f"{assets.name}/"
    return out / "index.html", out, "assets/"


def _clip_still(slide):
    from PIL import Image

    from ..video.scrub import FrameScrubber

    scrubber = FrameScrubber(slide.path, width=1280)
    try:
        frame = scrubber.frame_at(0.5 * ((slide.clip_start or 0.0) + (slide.clip_end or 0.0)))
    finally:
        scrubber.close()
    if frame is None:
        raise OSError("no frame of the video clip could be decoded")
    return Image.fromarray(frame)


CLIP_PX = 1280  # long side of the exported video highlights


def _export_clip(slide, target: Path, with_sound: bool, cancel: CancelToken) -> None:
    """The highlight as a small H.264 file the page plays (<video>): cut from
    the video, upright, no more than CLIP_PX wide, its sound kept (AAC) when
    the story plays video sound; faststart, so it starts before it is read."""
    import subprocess

    from .ffmpeg import ffmpeg_exe

    start = float(slide.clip_start or 0.0)
    length = max(0.1, float((slide.clip_end or start) - start))
    scale = f"scale='min({CLIP_PX},iw)':-2"
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-ss", f"{start:.3f}",
           "-i", slide.path, "-t", f"{length:.3f}", "-map", "0:v:0", "-vf", scale, "-c:v", "libx264",
           "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-movflags", "+faststart"]
    cmd += ["-map", "0:a:0?", "-c:a", "aac", "-b:a", "128k"] if with_sound else ["-an"]
    proc = subprocess.Popen([*cmd, str(target)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60 + 4 * length
    while proc.poll() is None:
        if cancel.cancelled or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            cancel.raise_if_cancelled()
            raise OSError("cutting the video highlight took too long")
        time.sleep(0.05)
    if proc.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        err = (proc.stderr.read().decode("utf-8", "replace").strip().splitlines() or ["ffmpeg failed"])[-1]
        raise OSError(f"the video highlight could not be cut ({err})")


def render_html(plan: StoryPlan, out: os.PathLike | str, settings=None, *, music: Optional[str] = None,
                image_px: int = IMAGE_PX, progress: ProgressCallback = no_progress,
                cancel: Optional[CancelToken] = None) -> RenderResult:
    """Write the slideshow for ``plan`` to the folder ``out`` (or ``out.html``)."""
    started = time.monotonic()
    cancel = cancel or CancelToken()
    out = Path(out)
    page, assets, prefix = html_targets(out)
    single_page = out.suffix.lower() in HTML_SUFFIXES
    max_mp = settings.prefs.max_megapixels if settings is not None else 178.9
    if music:
        music_info(music)
    usable, skipped = check_slides(plan, max_mp)
    if not usable:
        why = skipped[0]["reason"] if skipped else "the story has no photos"
        raise StoryError(f"nothing to export: none of the story's photos can be read ({why})")

    # Video highlights with their own sound (the story_video_sound setting), else muted under the music.
    sound = getattr(getattr(settings, "prefs", None), "story_video_sound", "muted") == "under-music"
    meter = ProgressMeter("story html", progress, total=len(usable))
    with temp_dir_beside(assets) as tmp:
        img_dir = tmp if single_page else tmp / "assets"
        img_dir.mkdir(exist_ok=True)
        entries = []
        for n, slide in enumerate(usable, 1):
            cancel.raise_if_cancelled()
            try:
                if slide.is_clip:  # a video highlight: its middle frame, the clip's poster
                    im = _clip_still(slide)
                else:
                    im = decode(slide.path, name=os.path.basename(slide.path), target=min(image_px, 1080),
                                max_megapixels=max_mp)
            except (DecodeError, OSError) as exc:
                skipped.append({"path": slide.path, "reason": f"failed while exporting: {exc}"})
                continue
            im = fit(im, image_px)
            name = f"{n:03d}.jpg"
            im.save(img_dir / name, "JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True)
            keep = keep_box(slide.faces, slide.focus) or saliency_focus(im)
            entry = {"src": prefix + name, "w": im.width, "h": im.height,
                     "keep": [round(v, 4) for v in keep], "zin": len(entries) % 2 == 0,
                     "dur": round(slide.duration_s or plan.seconds_per_photo, 3),
                     "alt": slide.capture_time or "", "score": slide.score}
            if slide.is_clip:  # the highlight itself plays; the still is its poster
                clip = f"{n:03d}.mp4"
                try:
                    _export_clip(slide, img_dir / clip, sound, cancel)
                except OSError as exc:  # the still stays, said in the summary
                    skipped.append({"path": slide.path, "reason": f"its highlight is shown as a still: {exc}"})
                else:
                    entry.update(video=prefix + clip, muted=not sound)
            entries.append(entry)
            meter.advance(message=os.path.basename(slide.path))
        if not entries:
            raise StoryError("nothing to export: none of the story's photos could be decoded")
        if plan.title_s > 0:
            cover = max(entries, key=lambda e: e["score"])
            entries.insert(0, {"type": "title", "src": cover["src"], "dur": plan.title_s})
        for e in entries:
            e.pop("score", None)
        for name in ("player.js", "player.css"):
            (img_dir / name).write_bytes(_asset(name))
        audio = ""
        if music:
            target = img_dir / ("music" + Path(music).suffix.lower())
            shutil.copyfile(music, target)
            audio = f'<audio id="music" src="{html.escape(prefix + target.name)}" preload="auto"></audio>'
        data = {"title": plan.title, "dates": plan.dates, "place": plan.place,
                "transition": plan.transition_s, "zoom": 1.1, "slides": entries}
        payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        text = (_template("index.html").replace("{{TITLE}}", html.escape(plan.title or "Story"))
                .replace("{{ASSETS}}", html.escape(prefix)).replace("{{AUDIO}}", audio)
                .replace("{{DATA}}", payload))
        cancel.raise_if_cancelled()
        if single_page:
            with temp_file_beside(page, page.suffix) as tmp_page:
                tmp_page.write_text(text, encoding="utf-8")
                publish_dir(tmp, assets)
                publish_file(tmp_page, page)
        else:
            (tmp / "index.html").write_text(text, encoding="utf-8")
            publish_dir(tmp, out)
    duration = sum(e["dur"] for e in entries) - plan.transition_s * (len(entries) - 1)
    return RenderResult(path=str(page), format="html", duration_s=round(duration, 3),
                        slides=len(entries) - (1 if plan.title_s > 0 else 0),
                        elapsed_s=round(time.monotonic() - started, 2), music=music, skipped=skipped)


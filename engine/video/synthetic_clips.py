"""Test videos with a known truth, made from real photos with the ffmpeg of
imageio-ffmpeg: shots (one photo each, filmed with a slow pan) joined by hard
cuts, some shots degraded the way phone video goes wrong (camera shake, a dark
stretch, out of focus, a camera left still on one view).

Used by the tests, tests/bench/bench_video.py and ``photoorg train-video``'s
held-out check; nothing here is used to analyse a user's videos.
"""

from __future__ import annotations

import random
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence

import numpy as np
from PIL import Image, ImageFilter, ImageOps

EFFECTS = ("clean", "shake", "dark", "blur", "static")
DEGRADED = ("shake", "dark", "blur", "static")


@dataclass
class Shot:
    photo: str
    seconds: float
    effect: str = "clean"


@dataclass
class ClipTruth:
    path: str
    duration_s: float
    fps: int
    size: tuple[int, int]
    shots: list[dict] = field(default_factory=list)  # start, end, effect, photo

    @property
    def cuts(self) -> list[float]:
        return [s["start"] for s in self.shots[1:]]

    def to_json(self) -> dict:
        return asdict(self)


def _cover(photo: Image.Image, size: tuple[int, int], margin: float = 1.3) -> Image.Image:
    w, h = size
    scale = max(w * margin / photo.width, h * margin / photo.height)
    return photo.resize((max(w, int(photo.width * scale)), max(h, int(photo.height * scale))),
                        Image.Resampling.BILINEAR)


def _shot_frames(photo: Image.Image, size: tuple[int, int], n: int, effect: str, rng: random.Random) -> Iterable[np.ndarray]:
    w, h = size
    big = _cover(photo, size)
    span_x, span_y = big.width - w, big.height - h
    x0, y0 = rng.uniform(0, span_x), rng.uniform(0, span_y)
    x1, y1 = rng.uniform(0, span_x), rng.uniform(0, span_y)
    for i in range(n):
        u = i / max(1, n - 1)
        if effect == "static":
            x, y = x0, y0
        else:
            x, y = x0 + (x1 - x0) * u * 0.5, y0 + (y1 - y0) * u * 0.5
        if effect == "shake":
            x = min(max(0.0, x + rng.uniform(-0.12, 0.12) * w), span_x)
            y = min(max(0.0, y + rng.uniform(-0.12, 0.12) * h), span_y)
        frame = big.crop((int(x), int(y), int(x) + w, int(y) + h))
        if effect == "shake":  # motion blur along a random direction
            frame = frame.filter(ImageFilter.BoxBlur(max(1, w // 80)))
        elif effect == "blur":
            frame = frame.filter(ImageFilter.GaussianBlur(max(2.0, w / 60)))
        arr = np.asarray(frame, dtype=np.uint8)
        if effect == "dark":
            noise = np.random.default_rng(rng.randrange(1 << 30)).normal(0, 3, arr.shape)
            arr = np.clip(arr.astype(np.float32) * 0.1 + noise, 0, 255).astype(np.uint8)
        yield arr


def load_photo(path: str, max_side: int = 1600) -> Image.Image:
    from ..imaging.decode import decode

    im = decode(path, name=Path(path).name, target=max_side)
    return ImageOps.exif_transpose(im).convert("RGB") if im.mode != "RGB" else im


def make_clip(shots: Sequence[Shot], out: Path | str, *, size: tuple[int, int] = (640, 360), fps: int = 15,
              gop: Optional[int] = None, seed: int = 0, rotate: Optional[int] = None,
              creation_time: Optional[str] = None, location: Optional[str] = None,
              pix_fmt: str = "yuv420p", audio: bool = False) -> ClipTruth:
    """Encode ``shots`` to an H.264 MP4 at ``out``; ``rotate`` writes a
    display-rotation tag (the pixels are stored sideways, as phones do)."""
    from ..story.ffmpeg import ffmpeg_exe

    rng = random.Random(seed)
    out = Path(out)
    w, h = size
    enc_w, enc_h = (h, w) if rotate in (90, 270) else (w, h)
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{enc_w}x{enc_h}", "-framerate", str(fps), "-i", "-"]
    if audio:
        cmd += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-shortest", "-c:a", "aac"]
    cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", pix_fmt, "-g", str(gop or fps),
            # keyframes strictly every `gop` frames, as phone encoders do (x264
            # would otherwise put one on every cut, which makes cuts too easy)
            "-sc_threshold", "0"]
    meta = []
    if creation_time:
        meta += ["-metadata", f"creation_time={creation_time}"]
    if location:
        meta += ["-metadata", f"location={location}"]
    tmp = out.with_suffix(".tmp.mp4") if rotate else out
    proc = subprocess.Popen(cmd + meta + ["-movflags", "+faststart", str(tmp)], stdin=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    truth = ClipTruth(str(out), 0.0, fps, size)
    frames_done = 0
    try:
        for shot in shots:
            n = max(1, round(shot.seconds * fps))
            photo = load_photo(shot.photo, max_side=max(w, h) * 2)
            for arr in _shot_frames(photo, size, n, shot.effect, rng):
                if rotate:  # store sideways: the viewer turns it back by `rotate` clockwise
                    arr = np.ascontiguousarray(np.rot90(arr, k=rotate // 90))
                proc.stdin.write(arr.tobytes())
            start = frames_done / fps
            frames_done += n
            truth.shots.append({"start": round(start, 3), "end": round(frames_done / fps, 3),
                                "effect": shot.effect, "photo": shot.photo})
        proc.stdin.close()
        err = proc.stderr.read().decode("utf-8", "replace")
        if proc.wait() != 0:
            raise RuntimeError(f"ffmpeg failed making {out.name}: {err.strip()[-300:]}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if rotate:  # the display matrix is set by a stream copy with -display_rotation (counter-clockwise)
        subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                        "-display_rotation", str(-rotate), "-i", str(tmp), "-c", "copy", *meta, str(out)],
                       check=True, capture_output=True)
        tmp.unlink()
    truth.duration_s = frames_done / fps
    return truth


def library_photos(folder: Path | str, limit: int = 200) -> list[str]:
    """JPEG/PNG photos under ``folder`` that decode (sorted, for repeatability)."""
    # The product's decoder settings first (HEIF opener, no pixel limit), so
    # that the list is the same whatever ran before (a HEIF named .jpg opens
    # only with the opener registered).
    from ..imaging.decode import _register_plugins

    _register_plugins()

    exts = {".jpg", ".jpeg", ".png"}
    found = sorted(str(p) for p in Path(folder).rglob("*") if p.suffix.lower() in exts and p.is_file())
    good = []
    for p in found:
        try:
            with Image.open(p) as im:
                if min(im.size) >= 200:
                    good.append(p)
        except Exception:  # noqa: BLE001 - a hostile test file: not a shot
            continue
        if len(good) >= limit:
            break
    return good


def standard_shots(photos: Sequence[str], seed: int = 0, n_shots: int = 8, seconds: tuple[float, float] = (2.5, 5.0),
                   degraded_share: float = 0.5) -> list[Shot]:
    """A phone-like clip: ``n_shots`` shots of distinct photos, about half of
    them degraded (each degradation in turn), the first one always clean."""
    rng = random.Random(seed)
    chosen = rng.sample(list(photos), min(n_shots, len(photos)))
    shots = []
    turn = rng.randrange(len(DEGRADED))
    for i, p in enumerate(chosen):
        effect = "clean"
        if i > 0 and rng.random() < degraded_share:
            effect = DEGRADED[turn % len(DEGRADED)]
            turn += 1
        shots.append(Shot(p, round(rng.uniform(*seconds), 2), effect))
    return shots


__all__ = ["ClipTruth", "DEGRADED", "EFFECTS", "Shot", "library_photos", "make_clip", "standard_shots"]

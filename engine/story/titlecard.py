"""The title card: album title, dates and place over a dim copy of a photo.

Fonts: DejaVu Sans when the system has it (most Linux desktops do), else
Pillow's own bundled scalable font, so the card renders everywhere.
"""

from __future__ import annotations

import functools
import math
import os
from typing import Optional

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .layout import Framing, backdrop

_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "C:/Windows/Fonts",
)
_FONT_FILES = {"bold": ("DejaVuSans-Bold.ttf", "arialbd.ttf", "Arial Bold.ttf"),
               "regular": ("DejaVuSans.ttf", "arial.ttf", "Arial.ttf")}
TITLE_ZOOM = 1.04


@functools.lru_cache(maxsize=16)
def font(weight: str, size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    for folder in _FONT_DIRS:
        for name in _FONT_FILES[weight]:
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                try:
                    return ImageFont.truetype(path, size)
                except OSError:
                    continue
    return ImageFont.load_default(size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, fnt, max_width: float, max_lines: int = 2) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=fnt) <= max_width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        while lines[-1] and draw.textlength(lines[-1] + "...", font=fnt) > max_width:
            lines[-1] = lines[-1][:-1]
        lines[-1] = lines[-1].rstrip() + "..."
    return lines


def title_canvas(size: tuple[int, int], title: str, dates: str = "", place: str = "",
                 photo: Optional[Image.Image] = None) -> Image.Image:
    """A frame-shaped card of ``size`` pixels with the text centred."""
    w, h = size
    if photo is not None:
        card = backdrop(photo, size)
        card = Image.blend(card, Image.new("RGB", size, (0, 0, 0)), 0.35)
    else:
        card = Image.new("RGB", size, (24, 26, 30))
    lines: list[tuple[str, object, tuple[int, int, int]]] = []
    draw = ImageDraw.Draw(card)
    title_font = font("bold", max(10, round(h * 0.085)))
    for line in _wrap(draw, title or "Story", title_font, w * 0.84):
        lines.append((line, title_font, (255, 255, 255)))
    small = font("regular", max(8, round(h * 0.042)))
    for extra in (dates, place):
        if extra:
            lines.append((extra, small, (225, 225, 225)))
    heights = [draw.textbbox((0, 0), text, font=f)[3] for text, f, _ in lines]
    gap = round(h * 0.03)
    total = sum(heights) + gap * (len(lines) - 1) + (gap if len(lines) > 1 else 0)
    y = (h - total) / 2
    # A soft shadow layer keeps light text readable over a bright backdrop.
    shadow = Image.new("L", size, 0)
    sdraw = ImageDraw.Draw(shadow)
    positions = []
    title_count = sum(1 for _, f, _ in lines if f is title_font)
    for i, ((text, fnt, colour), lh) in enumerate(zip(lines, heights)):
        x = (w - draw.textlength(text, font=fnt)) / 2
        positions.append((x, y, text, fnt, colour))
        sdraw.text((x, y), text, font=fnt, fill=200)
        y += lh + gap + (gap if i == title_count - 1 else 0)
    shadow = shadow.filter(ImageFilter.GaussianBlur(max(2, h // 120)))
    card.paste((0, 0, 0), (0, 0), shadow)
    for x, y, text, fnt, colour in positions:
        draw.text((x, y), text, font=fnt, fill=colour)
    return card


def title_framing(out_size: tuple[int, int], title: str, dates: str, place: str,
                  photo: Optional[Image.Image]) -> Framing:
    """The card drawn a little larger than the frame, with a slow push in."""
    cw, ch = math.ceil(out_size[0] * TITLE_ZOOM), math.ceil(out_size[1] * TITLE_ZOOM)
    canvas = title_canvas((cw, ch), title, dates, place, photo)
    dx, dy = (cw - out_size[0]) / 2, (ch - out_size[1]) / 2
    return Framing(canvas, (0.0, 0.0, float(cw), float(ch)), (dx, dy, cw - dx, ch - dy), "title")

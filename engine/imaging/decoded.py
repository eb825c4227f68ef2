"""One decode per photo file, every stage's pixels derived from it in memory.

``DecodedPhoto(path, needs)`` decodes the file once (lazily, on the first
``image()``) at the largest size any of ``needs`` asks for, and gives each
stage the image it would have got decoding the file alone:

- a JPEG is decoded with DCT scaling at the finest scale any need wants; a
  need that a direct decode would have met at a coarser scale gets the
  master reduced by the same factor (``Image.reduce``, a box average of the
  pixels the coarser DCT scale averages), so sizes are exactly those of a
  direct decode and pixel values within a grey level or two;
- other formats are decoded in full once (RAW: LibRaw's preview or half-size
  develop for the largest need) and fitted per need.

``Need("short", n)``: at least n px on the short side where the file has them
(as ``decode(target=n)``); ``Need("long", n)``: fitted to n px on the long
side (as ``decode_thumbnail(n)``). A file that cannot be decoded raises the
same ``DecodeError`` for every stage, decoded once.
"""

from __future__ import annotations

import time
from typing import Optional, Sequence

from PIL import Image

from ..errors import DecodeError
from ..pipeline import Need
from .decode import _decode_raw, _errors_to_reasons, _load, fit, is_raw, open_header, to_rgb, upright

JPEG_SCALES = (8, 4, 2, 1)


def _pillow_scale(width: int, height: int, box: Optional[tuple[int, int]]) -> int:
    """The DCT scale Pillow's JPEG draft picks for ``box`` (JpegImageFile.draft)."""
    if box is None:
        return 1
    scale = min(width // max(box[0], 1), height // max(box[1], 1))
    return next((s for s in JPEG_SCALES if scale >= s), 1)


def _box(need: Need, width: int, height: int) -> Optional[tuple[int, int]]:
    """The draft box the direct decode for ``need`` asks for."""
    if need.side == "short":
        return need.size, need.size
    long_side = max(width, height)
    if need.size >= long_side:
        return None
    return -(-width * need.size // long_side), -(-height * need.size // long_side)


class DecodedPhoto:
    def __init__(self, path: str, needs: Sequence[Need], max_megapixels: float = 178.9) -> None:
        self.path = path
        self.needs = list(dict.fromkeys(needs))
        self.max_megapixels = max_megapixels
        self._master: Optional[Image.Image] = None
        self._scale = 1  # DCT scale of the master (JPEG)
        self._jpeg = False
        self._error: Optional[DecodeError] = None
        self._derived: dict[Need, Image.Image] = {}
        self.full_size: Optional[tuple[int, int]] = None
        self.decode_seconds = 0.0  # time spent in the one decode

    # -- the one decode -------------------------------------------------------------
    def _decode(self) -> None:
        if self._master is not None or self._error is not None:
            return
        started = time.perf_counter()
        try:
            self._decode_once()
        finally:
            self.decode_seconds += time.perf_counter() - started

    def _decode_once(self) -> None:
        try:
            if is_raw(self.path):
                target = max(n.size for n in self.needs)
                self._master = _decode_raw(self.path, target, self.max_megapixels)
                self.full_size = self._master.info["full_size"]
                return
            header = open_header(self.path, self.path)
            self._jpeg = header.format == "JPEG"
            width, height = header.size
            if self._jpeg:
                self._scale = min(_pillow_scale(width, height, _box(n, width, height)) for n in self.needs)
            scale = self._scale
            box = (lambda w, h: (w // scale, h // scale)) if scale > 1 else None
            im, self.full_size, orientation = _load(self.path, self.path, self.max_megapixels, 0, header, box)
            if self._jpeg:  # the scale Pillow really took (from the size it gave)
                self._scale = max(1, round(width / im.width))
            try:
                self._master = to_rgb(upright(im, orientation))
            except MemoryError:
                raise
            except Exception as exc:  # noqa: BLE001
                raise _errors_to_reasons(exc) from None
        except DecodeError as exc:
            self._error = exc

    def image(self, need: Need) -> Image.Image:
        """The pixels for ``need`` (cached per need)."""
        if need in self._derived:
            return self._derived[need]
        self._decode()
        if self._error is not None:
            raise DecodeError(str(self._error))
        im = self._master
        assert im is not None and self.full_size is not None
        if self._jpeg:
            # The scale arithmetic is symmetric in width and height: the
            # upright size gives what the stored one gives.
            w, h = self.full_size
            factor = _pillow_scale(w, h, _box(need, w, h)) // self._scale
            if factor > 1:
                im = im.reduce(factor)
        if need.side == "long":
            im = fit(im, need.size)
        elif need.fit:
            im = fit(im, need.fit)
        elif im is self._master:
            im = im.copy()  # callers may change their image
        im.info["full_size"] = self.full_size
        self._derived[need] = im
        return im

    def release(self) -> None:
        self._master = None
        self._derived.clear()


__all__ = ["DecodedPhoto", "Need"]

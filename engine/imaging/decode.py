"""Open any supported photo as an upright RGB image, cheaply and safely.

- JPEG is decoded with DCT scaling (``draft``) when a small size is wanted, so
  a 12 MP file is never fully decoded for a thumbnail.
- HEIC/HEIF (pillow-heif), AVIF (Pillow), JPEG XL (pillow-jxl-plugin), PNG,
  WebP, TIFF, GIF, BMP; RAW through LibRaw (rawpy), preferring the embedded
  preview when it is large enough.
- Pixel counts are checked from the header before anything is decoded (the
  decompression-bomb guard); every failure becomes a ``DecodeError`` whose
  message is a reason a person can read.
"""

from __future__ import annotations

import io
import os
import threading
from typing import Optional, Union

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from ..errors import DecodeError

# Our own guard (check_pixels) replaces Pillow's global one, so the reason
# a user sees names the actual size and the setting that controls it.
Image.MAX_IMAGE_PIXELS = None
ImageFile.LOAD_TRUNCATED_IMAGES = False

RAW_EXTENSIONS = frozenset(
    ".dng .arw .srf .sr2 .cr2 .cr3 .crw .nef .nrw .orf .raf .rw2 .rwl .pef .ptx .srw "
    ".kdc .dcr .dcs .k25 .mrw .3fr .fff .erf .mef .mos .iiq .x3f .raw .gpr".split()
)
IMAGE_EXTENSIONS = frozenset(
    ".jpg .jpeg .jpe .jfif .png .webp .tif .tiff .heic .heif .hif .avif .jxl .gif .bmp".split()
) | RAW_EXTENSIONS

Source = Union[str, bytes]

_plugins_lock = threading.Lock()
_plugins_ready = False


def _register_plugins() -> None:
    global _plugins_ready
    with _plugins_lock:
        if _plugins_ready:
            return
        import pillow_heif

        pillow_heif.register_heif_opener()
        try:  # registers the JXL plugin on import
            import pillow_jxl  # noqa: F401
        except ImportError:
            pass
        _plugins_ready = True


def _fp(source: Source):
    return io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else source


def check_pixels(width: int, height: int, max_megapixels: float) -> None:
    mp = width * height / 1e6
    if mp > max_megapixels:
        raise DecodeError(
            f"image is {mp:.0f} megapixels ({width}x{height}), above the "
            f"{max_megapixels:.0f} MP safety limit (decompression-bomb guard); "
            "raise max_megapixels in the settings to include it"
        )


def is_raw(path: str) -> bool:
    return os.path.splitext(path)[1].lower() in RAW_EXTENSIONS


def open_header(source: Source, name: str = "") -> Image.Image:
    """Open lazily (header only); raises DecodeError for non-images."""
    _register_plugins()
    try:
        return Image.open(_fp(source))
    except UnidentifiedImageError:
        ext = os.path.splitext(name)[1] or "no extension"
        raise DecodeError(
            f"not a readable image: its content matches no supported format (named {ext})"
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise DecodeError(f"corrupted image header: {exc}") from None


def to_rgb(im: Image.Image) -> Image.Image:
    """Any mode to 8-bit RGB; transparency over white; 16-bit scaled, not clipped."""
    if im.mode == "RGB":
        return im
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(im, dtype=np.float32)
        peak = 65535.0 if im.mode.startswith("I;16") or arr.max() > 255 else 255.0
        arr = np.clip(arr / peak * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(arr, "L").convert("RGB")
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        backdrop = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(backdrop, rgba).convert("RGB")
    return im.convert("RGB")


def _decode_raw(source: Source, target: Optional[int], max_megapixels: float) -> Image.Image:
    import rawpy

    try:
        with rawpy.imread(_fp(source)) as raw:
            sizes = raw.sizes
            check_pixels(sizes.width, sizes.height, max_megapixels)
            # LibRaw's flip: 5 and 6 are the quarter turns.
            full_size = (sizes.height, sizes.width) if sizes.flip in (5, 6) else (sizes.width, sizes.height)
            if target:
                try:
                    thumb = raw.extract_thumb()
                except (rawpy.LibRawError, ValueError):
                    thumb = None
                if thumb is not None and thumb.format == rawpy.ThumbFormat.JPEG:
                    im = Image.open(io.BytesIO(thumb.data))
                    if max(im.size) >= target:
                        im.draft("RGB", (target, target))
                        out = ImageOps.exif_transpose(to_rgb(im))
                        out.info["full_size"] = full_size
                        return out
            rgb = raw.postprocess(use_camera_wb=True, half_size=bool(target), output_bps=8)
            out = Image.fromarray(rgb)
            out.info["full_size"] = full_size
            return out
    except DecodeError:
        raise
    except Exception as exc:  # LibRaw raises many types, all mean "unreadable"
        text = exc.args[0] if exc.args else type(exc).__name__
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        raise DecodeError(f"RAW file is truncated or not supported by LibRaw ({text})") from None


def decode(
    source: Source,
    *,
    name: str = "",
    target: Optional[int] = None,
    max_megapixels: float = 178.9,
    frame: int = 0,
) -> Image.Image:
    """An upright RGB image; at least ``target`` px on its short side when the
    file allows (it may be larger: callers resize), the full image otherwise.
    ``info["full_size"]`` holds the upright size of the full image."""
    if is_raw(name):
        return _decode_raw(source, target, max_megapixels)
    im = open_header(source, name)
    check_pixels(im.width, im.height, max_megapixels)
    try:
        if frame:
            im.seek(frame)
        full_size = im.size
        if im.getexif().get(0x0112) in (5, 6, 7, 8):
            full_size = (im.height, im.width)
        if target and im.format == "JPEG":
            im.draft("RGB", (target, target))
        im.load()
        if im.format == "HEIF" and getattr(im, "n_frames", 1) > 1:
            _check_heif_frames(im)
        out = to_rgb(ImageOps.exif_transpose(im))
        out.info["full_size"] = full_size
        return out
    except DecodeError:
        raise
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError, Image.DecompressionBombError) as exc:
        text = str(exc) or type(exc).__name__
        if "truncated" in text or isinstance(exc, EOFError):
            raise DecodeError(f"file is truncated: {text}") from None
        raise DecodeError(f"image data is corrupted: {text}") from None


def _check_heif_frames(im: Image.Image) -> None:
    """A burst or multi-image HEIF whose later images were cut off is a
    truncated copy even when the first image still decodes."""
    current = im.tell()
    try:
        for index in range(im.n_frames):
            if index != current:
                im.seek(index)
                im.load()
    except (OSError, ValueError, EOFError, RuntimeError) as exc:
        raise DecodeError(
            f"file is truncated: image {index + 1} of {im.n_frames} is cut off ({exc})"
        ) from None
    finally:
        im.seek(current)


def fit(im: Image.Image, size: int) -> Image.Image:
    """Shrink so the long side is at most ``size`` (never enlarges)."""
    im = im.copy() if im.readonly else im
    im.thumbnail((size, size), Image.Resampling.BICUBIC, reducing_gap=2.0)
    return im

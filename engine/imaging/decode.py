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
import re
import threading
from collections import Counter
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

# Full decodes of image data per file name in this process (not header reads):
# tests prove with it that an analysis decodes each photo file once.
DECODES: Counter = Counter()

_plugins_lock = threading.Lock()
_plugins_ready = False


def _register_plugins() -> None:
    global _plugins_ready
    with _plugins_lock:
        if _plugins_ready:
            return
        import pillow_heif

        pillow_heif.register_heif_opener()
        import pillow_jxl  # noqa: F401 - registers the JXL plugin on import
        _plugins_ready = True


def _fp(source: Source):
    return io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else source


# A photo's compressed data grows with its pixels: even a very low quality
# AVIF or HEIC holds over 5 KB per megapixel, a JPEG of a black frame over 4 KB.
# A large image declared in far fewer bytes than that is a decompression
# bomb (a 46 KB AVIF declaring 13000 x 13000 pixels costs 1.7 GB to decode),
# refused from its header like one above the megapixel limit. Small images
# are exempt: a flat 4 MP screenshot may compress to almost nothing.
MIN_BYTES_PER_MEGAPIXEL = 1000
DENSITY_CHECK_FROM_MP = 24.0


def check_pixels(width: int, height: int, max_megapixels: float, nbytes: Optional[int] = None) -> None:
    """Refuse (``DecodeError``) an image whose header declares more pixels
    than the limit, or (given the file's size ``nbytes``) far more pixels
    than its bytes can hold: both before anything is decoded."""
    mp = width * height / 1e6
    if mp > max_megapixels:
        raise DecodeError(
            f"image is {mp:.0f} megapixels ({width}x{height}), above the "
            f"{max_megapixels:.0f} MP safety limit (decompression-bomb guard); "
            "raise max_megapixels in the settings to include it"
        )
    if nbytes is not None and mp > DENSITY_CHECK_FROM_MP and nbytes < mp * MIN_BYTES_PER_MEGAPIXEL:
        raise DecodeError(
            f"image declares {mp:.0f} megapixels ({width}x{height}) in only {nbytes / 1000:.0f} KB, "
            "far fewer bytes than a photo of that size holds (decompression-bomb guard): not decoded"
        )


def source_size(source: "Source") -> Optional[int]:
    """The size in bytes of a file given as bytes or as a path (None when
    it cannot be known)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return len(source)
    try:
        return os.path.getsize(source)
    except (OSError, TypeError):
        return None


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
    except MemoryError:
        raise
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        if isinstance(exc, EOFError) or "truncated" in str(exc).lower():
            raise DecodeError("file is truncated: it ends inside the image header") from None
        raise DecodeError(f"corrupted image header: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - a plugin's own error types (RuntimeError...)
        raise _errors_to_reasons(exc) from None


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

    DECODES[source if isinstance(source, str) else "<bytes>"] += 1
    try:
        with rawpy.imread(_fp(source)) as raw:
            sizes = raw.sizes
            check_pixels(sizes.width, sizes.height, max_megapixels)
            check_pixels(sizes.raw_width, sizes.raw_height, max_megapixels)
            # LibRaw's flip: 5 and 6 are the quarter turns.
            full_size = (sizes.height, sizes.width) if sizes.flip in (5, 6) else (sizes.width, sizes.height)
            if target:
                try:
                    thumb = raw.extract_thumb()
                except (rawpy.LibRawError, ValueError):
                    thumb = None
                if thumb is not None and thumb.format == rawpy.ThumbFormat.JPEG:
                    im = Image.open(io.BytesIO(thumb.data))
                    check_pixels(im.width, im.height, max_megapixels, len(thumb.data))
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


# EXIF orientation -> the transposition that makes the pixels upright.
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# Formats whose decoder can produce a smaller image cheaply: JPEG by DCT
# scaling, HEIF by decoding an embedded thumbnail (pillow-heif's draft).
_DRAFTABLE = frozenset({"JPEG", "HEIF"})


def orientation_of(im: Image.Image) -> int:
    """The EXIF orientation (1..8) of an opened image; 1 when absent or odd."""
    try:
        value = int(im.getexif().get(0x0112, 1) or 1)
    except Exception:  # noqa: BLE001 - a broken EXIF block means "no rotation"
        return 1
    return value if 1 <= value <= 8 else 1


def upright(im: Image.Image, orientation: int) -> Image.Image:
    """Apply an EXIF orientation to pixels (without rewriting any metadata,
    which ImageOps.exif_transpose does at some cost)."""
    method = _TRANSPOSE.get(orientation)
    return im.transpose(method) if method is not None else im


def _errors_to_reasons(exc: BaseException) -> DecodeError:
    """A decoder's error as a reason a person can read. Every error a decoder
    raises on the file's bytes is a property of the file (remembered until
    the file changes); only memory and reading errors pass."""
    text = " ".join((str(exc) or type(exc).__name__).split())
    if "libjxl" in text or "jxl" in type(exc).__module__.lower():
        # pillow-jxl says "Generic Error. Please build libjxl from source...":
        # advice for its developers, not for the owner of the photo.
        return DecodeError("JPEG XL data is corrupted or uses a feature the JPEG XL decoder does not support")
    if "truncated" in text or isinstance(exc, EOFError):
        return DecodeError(f"file is truncated: {text}")
    if isinstance(exc, (OSError, ValueError, SyntaxError)):
        return DecodeError(f"image data is corrupted: {text}")
    return DecodeError(f"image data is corrupted or not supported by the decoder ({type(exc).__name__}: {text[:200]})")


def _load(source: Source, name: str, max_megapixels: float, frame: int,
          header: Optional[Image.Image], draft_box) -> tuple[Image.Image, tuple[int, int], int]:
    """Open (or take the opened ``header``), check the pixel count, pick the
    frame, draft to ``draft_box(width, height)`` and load. Returns the loaded
    image, the upright size of the full image and the EXIF orientation."""
    im = header if header is not None else open_header(source, name)
    nbytes = source_size(source)
    check_pixels(im.width, im.height, max_megapixels, nbytes)
    try:
        if frame:
            im.seek(frame)
            check_pixels(im.width, im.height, max_megapixels, nbytes)  # frames have their own size
        orientation = orientation_of(im)
        full_size = (im.height, im.width) if orientation in (5, 6, 7, 8) else im.size
        if draft_box is not None and im.format in _DRAFTABLE:
            box = draft_box(im.width, im.height)
            if box is not None:
                im.draft("RGB", box)
        DECODES[name or (source if isinstance(source, str) else "<bytes>")] += 1
        im.load()
        if im.format == "HEIF" and getattr(im, "n_frames", 1) > 1:
            _check_heif_frames(im, max_megapixels, nbytes)
        return im, full_size, orientation
    except (DecodeError, MemoryError):
        raise  # not enough memory passes: the scanner tries again next time
    except Exception as exc:  # noqa: BLE001 - every decoder error is about this file
        raise _errors_to_reasons(exc) from None


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
    box = (lambda w, h: (target, target)) if target else None
    im, full_size, orientation = _load(source, name, max_megapixels, frame, None, box)
    try:
        out = to_rgb(upright(im, orientation))
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _errors_to_reasons(exc) from None
    out.info["full_size"] = full_size
    return out


def decode_thumbnail(
    source: Source,
    size: int,
    *,
    name: str = "",
    max_megapixels: float = 178.9,
    header: Optional[Image.Image] = None,
) -> Image.Image:
    """An upright RGB image whose long side is ``size`` (smaller images are
    not enlarged), decoded as cheaply as the format allows: a 12 MP JPEG is
    decoded at 1/8 scale (500x375), never in full. ``header`` is the file
    already opened with ``open_header`` (it is consumed). ``info["full_size"]``
    holds the upright size of the full image."""
    if is_raw(name):
        im = _decode_raw(source, size, max_megapixels)
        out = fit(im, size)
        out.info["full_size"] = im.info["full_size"]
        return out

    def box(w: int, h: int):
        # The smallest decode whose long side still reaches ``size``.
        scale = size / max(w, h)
        return (max(1, -(-w * size // max(w, h))), max(1, -(-h * size // max(w, h)))) if scale < 1 else None

    if header is None:
        header = open_header(source, name)
    check_pixels(header.width, header.height, max_megapixels, source_size(source))
    wanted = box(*header.size)
    if (header.format == "JPEG" and header.info.get("progressive") and isinstance(source, bytes)
            and wanted is not None and min(header.width // wanted[0], header.height // wanted[1]) >= 8):
        # Decoded at 1/8 scale (Pillow's draft picks it): the DC scans suffice.
        try:
            dc_only = progressive_dc_scans(source)
        except (IndexError, ValueError):  # a damaged file: decoded the usual way, which says why
            dc_only = None
        if dc_only is not None:
            header = open_header(dc_only, name)
    im, full_size, orientation = _load(source, name, max_megapixels, 0, header, box)
    try:
        small = fit(to_rgb(im), size)
        out = upright(small, orientation)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _errors_to_reasons(exc) from None
    out.info["full_size"] = full_size
    return out


# A marker in entropy-coded data: 0xFF followed by neither a stuffed zero, a
# restart marker nor a fill byte.
_MARKER = re.compile(rb"\xff[\x01-\xcf\xd8-\xfe]")


def _zero_ac_scan(component: int, blocks: int) -> bytes:
    """An AC scan saying "all zero" for every block of a component (EOB runs
    under a table defined for it). With every coefficient known, libjpeg-turbo
    does not estimate the missing ones from the neighbouring blocks (the
    interblock smoothing it applies to an incomplete progressive image, which
    would also change the DC values and take time)."""
    bits, nbits, body = 0, 0, bytearray()

    def put(value: int, n: int) -> None:
        nonlocal bits, nbits
        bits, nbits = (bits << n) | value, nbits + n
        while nbits >= 8:
            nbits -= 8
            byte = (bits >> nbits) & 0xFF
            body.append(byte)
            if byte == 0xFF:
                body.append(0)  # byte stuffing
        bits &= (1 << nbits) - 1

    while blocks > 0:
        run = min(blocks, 32767)
        k = run.bit_length() - 1  # EOBk: a run of 2**k + k extra bits
        put(k, 4)  # symbol k << 4 has the 4-bit code k in the table below
        put(run - (1 << k), k)
        blocks -= run
    if nbits:
        put((1 << (8 - nbits)) - 1, 8 - nbits)  # pad with one-bits
    table = bytes([0x10]) + bytes([0, 0, 0, 15] + [0] * 12) + bytes(k << 4 for k in range(15))
    dht = b"\xff\xc4" + (2 + len(table)).to_bytes(2, "big") + table
    sos = b"\xff\xda\x00\x08\x01" + bytes([component, 0x00, 1, 63, 0])
    return dht + sos + bytes(body)


def progressive_dc_scans(data: bytes) -> Optional[bytes]:
    """A progressive JPEG without the AC scans of its full-resolution
    components (luma), replaced by all-zero ones; every other segment as it
    was. None when the file is not a complete progressive JPEG.

    Decoded at 1/8 scale, a full-resolution component's pixels are its
    blocks' DC coefficients alone (libjpeg's 1x1 IDCT), so this much smaller
    file decodes to the very same 1/8-scale image without the Huffman decoding
    of the luma AC scans, which is most of the work (a 12 MP progressive
    JPEG: ~80 ms down to ~15 ms). Subsampled chroma is scaled inside a 2x2
    IDCT that uses low AC coefficients, so its scans are kept. A file cut off
    before its end gives None, so that truncation is still reported."""
    if data[:2] != b"\xff\xd8":
        return None
    out = [data[:2]]
    pos, end = 2, len(data)
    components: list[tuple[int, int, bool]] = []  # (component id, blocks, full resolution)
    while pos + 2 <= end:
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # EOI: complete
            if not components:
                return None
            out.append(b"\xff\xdd\x00\x04\x00\x00")  # DRI 0: no restart markers in our scans
            out += [_zero_ac_scan(cid, blocks) for cid, blocks, full in components if full]
            out.append(b"\xff\xd9")
            return b"".join(out)
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # no length
            pos += 2
            continue
        if pos + 4 > end:
            return None
        seg_end = pos + 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
        if seg_end > end:
            return None
        if marker in (0xC0, 0xC1, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            return None  # baseline, lossless, arithmetic...: left alone
        if marker == 0xC2:  # progressive, Huffman: the frame's components
            height = int.from_bytes(data[pos + 5:pos + 7], "big")
            width = int.from_bytes(data[pos + 7:pos + 9], "big")
            specs = [data[pos + 10 + 3 * i: pos + 13 + 3 * i] for i in range(data[pos + 9])]
            hmax = max(c[1] >> 4 for c in specs)
            vmax = max(c[1] & 15 for c in specs)
            specs_max = (hmax << 4) | vmax
            for cid, hv, _ in specs:
                cw = -(-width * (hv >> 4) // hmax)
                ch = -(-height * (hv & 15) // vmax)
                components.append((cid, -(-cw // 8) * -(-ch // 8), hv == specs_max))
        if marker == 0xDA:
            if not components:
                return None
            count = data[pos + 4]
            spectral_start = data[pos + 5 + 2 * count]
            found = _MARKER.search(data, seg_end)
            if found is None:
                return None  # cut off inside a scan
            full = {cid for cid, _, is_full in components if is_full}
            # DC scans, and AC scans (one component each) of subsampled ones.
            if spectral_start == 0 or not (count == 1 and data[pos + 5] in full):
                out.append(data[pos:found.start()])
            pos = found.start()
            continue
        out.append(data[pos:seg_end])
        pos = seg_end
    return None


# More images than this in one HEIF are not checked one by one (time budget).
MAX_HEIF_FRAMES_CHECKED = 64


def _check_heif_frames(im: Image.Image, max_megapixels: float = 178.9, nbytes: Optional[int] = None) -> None:
    """A burst or multi-image HEIF whose later images were cut off is a
    truncated copy even when the first image still decodes."""
    current = im.tell()
    try:
        for index in range(min(im.n_frames, MAX_HEIF_FRAMES_CHECKED)):
            if index != current:
                im.seek(index)
                check_pixels(im.width, im.height, max_megapixels, nbytes)
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

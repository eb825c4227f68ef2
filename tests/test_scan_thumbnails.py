"""Thumbnails made the cheap way are the same pictures as a full decode."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from photoorg.engine.errors import DecodeError
from photoorg.engine.imaging.decode import decode, decode_thumbnail, fit, progressive_dc_scans


def _close(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference (0-255) of two pictures at the same size."""
    b = b.resize(a.size, Image.Resampling.BILINEAR)
    return float(np.abs(np.asarray(a, np.float32) - np.asarray(b, np.float32)).mean())


def test_12mp_jpeg_thumbnail_from_dct_scaling(shared_photos):
    data = (shared_photos / "exif/jpg/tests/Xiaomi_Mi_9T_KeyError.jpg").read_bytes()  # 4000x3000, orientation 6
    thumb = decode_thumbnail(data, 384, name="x.jpg")
    assert thumb.size == (288, 384) and thumb.mode == "RGB"
    assert thumb.info["full_size"] == (3000, 4000)
    full = fit(decode(data, name="x.jpg"), 384)
    assert full.size == thumb.size
    assert _close(thumb, full) < 4.0


def test_heic_thumbnail_uses_the_embedded_one_when_big_enough(shared_photos):
    # A Samsung HEIC (3000x4000) carries a 384x512 thumbnail of the image.
    data = (shared_photos / "immich/formats/motionphoto/samsung-one-ui-6.heic").read_bytes()
    thumb = decode_thumbnail(data, 384, name="s.heic")
    assert thumb.size == (288, 384) and thumb.info["full_size"] == (3000, 4000)
    full = fit(decode(data, name="s.heic"), 384)
    assert _close(thumb, full) < 6.0
    # An iPhone's 320 px thumbnail is too small: the image itself is decoded.
    iphone = (shared_photos / "exif/heic/mobile/iphone_13_pro_max.heic").read_bytes()
    small = decode_thumbnail(iphone, 384, name="i.heic")
    assert max(small.size) == 384 and small.info["full_size"] == (3024, 4032)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_thumbnail_is_upright_for_every_orientation(orientation):
    # An asymmetric picture: a bright block in the top-left corner when upright.
    upright = np.zeros((300, 400, 3), np.uint8)
    upright[:100, :120] = 255
    im = Image.fromarray(upright)
    # Store it the way a camera would for this orientation (the inverse turn).
    inverse = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
               4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
               6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
               8: Image.Transpose.ROTATE_270}
    stored = im.transpose(inverse[orientation]) if orientation in inverse else im
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    stored.save(buf, "JPEG", quality=95, exif=exif.tobytes())
    thumb = decode_thumbnail(buf.getvalue(), 200, name="o.jpg")
    assert thumb.size == (200, 150) and thumb.info["full_size"] == (400, 300)
    assert _close(thumb, im) < 8.0


def _draft_decode(data: bytes) -> np.ndarray:
    im = Image.open(io.BytesIO(data))
    im.draft("RGB", (im.width // 8, im.height // 8))
    im.load()
    return np.asarray(im)


@pytest.mark.parametrize("subsampling,mode", [(2, "RGB"), (0, "RGB"), (1, "RGB"), (2, "L")])
def test_progressive_jpeg_thumbnail_skips_the_luma_detail_and_is_identical(subsampling, mode):
    data = pytest.importorskip("skimage.data")
    im = Image.fromarray(data.astronaut()).resize((2048, 1536)).convert(mode)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90, progressive=True, subsampling=subsampling)
    original = buf.getvalue()
    reduced = progressive_dc_scans(original)
    assert reduced is not None and len(reduced) < 0.6 * len(original)
    # The same 1/8-scale pixels, bit for bit.
    assert np.array_equal(_draft_decode(reduced), _draft_decode(original))
    thumb = decode_thumbnail(original, 256, name="p.jpg")  # 1/8 scale: the reduced file
    assert thumb.size == (256, 192) and thumb.info["full_size"] == (2048, 1536)
    assert np.abs(np.asarray(thumb, np.float32) - np.asarray(fit(decode(original), 256), np.float32)).mean() < 3
    # A progressive file cut off is still reported as truncated.
    assert progressive_dc_scans(original[: len(original) * 2 // 3]) is None
    with pytest.raises(DecodeError, match="truncated"):
        decode_thumbnail(original[: len(original) * 2 // 3], 256, name="p.jpg")


def test_real_progressive_photo_thumbnail_is_identical(shared_photos):
    original = (shared_photos / "immich/albums/text/book-beside-flowers.jpg").read_bytes()  # 12 MP, progressive
    reduced = progressive_dc_scans(original)
    assert reduced is not None and len(reduced) < 0.3 * len(original)
    assert np.array_equal(_draft_decode(reduced), _draft_decode(original))
    # Baseline files are left alone.
    assert progressive_dc_scans((shared_photos / "exif/jpg/tests/Xiaomi_Mi_9T_KeyError.jpg").read_bytes()) is None

"""The thumbnail cache: one JPEG per content hash, made once.

Keyed by content hash, so a moved or copied photo reuses its thumbnail and an
edited one gets a new one. Files are written to a temporary name and renamed,
so a reader never sees half a thumbnail and a crash leaves no broken file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Optional

from PIL import Image

from .decode import fit

THUMB_QUALITY = 85


def thumb_path(thumbs_dir: Path, content_hash: str) -> Path:
    return thumbs_dir / content_hash[:2] / f"{content_hash}.jpg"


def save_thumbnail(thumbs_dir: Path, content_hash: str, im: Image.Image, size: int) -> Path:
    target = thumb_path(thumbs_dir, content_hash)
    target.parent.mkdir(parents=True, exist_ok=True)
    small = fit(im, size)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".jpg")
    try:
        with os.fdopen(fd, "wb") as fh:
            small.save(fh, "JPEG", quality=THUMB_QUALITY, optimize=False)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target


def existing_thumbnail(thumbs_dir: Path, content_hash: str) -> Optional[Path]:
    path = thumb_path(thumbs_dir, content_hash)
    return path if path.exists() else None

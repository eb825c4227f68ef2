"""Writing exports so that a failure never leaves a file that looks finished.

Everything is written under a hidden temporary name in the target's own
folder (same file system, so the final rename is atomic) and renamed into
place only when complete; on an error or a cancel the temporary is removed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Iterator

from .ffmpeg import StoryError

# A folder export carries this file, so that exporting again may replace it
# (and a folder of someone's files never is).
STORY_MARKER = ".photoorg-story"


def _describe(exc: OSError) -> str:
    return exc.strerror or str(exc)


def prepare_parent(out: Path) -> Path:
    """Create the target's folder when needed; a clear error when impossible."""
    parent = out.parent if str(out.parent) else Path(".")
    existing = parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise StoryError(f"cannot write {out}: {existing} is a file, not a folder")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoryError(f"cannot create the folder {parent} for {out.name}: {_describe(exc)}") from None
    if not parent.is_dir():
        raise StoryError(f"cannot write {out}: {parent} is not a folder")
    return parent


def check_writable(out: Path) -> None:
    """Fail early (before minutes of work) when nothing can be written where
    ``out`` (a file or a folder) goes."""
    parent = prepare_parent(out)
    try:
        fd, name = tempfile.mkstemp(dir=parent, prefix=f".{out.name}.", suffix=".probe")
    except OSError as exc:
        raise StoryError(f"cannot write to the folder {parent}: {_describe(exc)}") from None
    os.close(fd)
    os.unlink(name)


@contextlib.contextmanager
def temp_file_beside(out: Path, suffix: str) -> Iterator[Path]:
    """A fresh hidden file beside ``out``, removed unless published."""
    parent = prepare_parent(out)
    if out.is_dir():
        raise StoryError(f"cannot write {out}: a folder of that name exists")
    try:
        fd, name = tempfile.mkstemp(dir=parent, prefix=f".{out.stem}.", suffix=f".partial{suffix}")
    except OSError as exc:
        raise StoryError(f"cannot write to the folder {parent}: {_describe(exc)}") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def publish_file(tmp: Path, out: Path) -> None:
    """Give the finished file normal permissions and move it into place."""
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, out)
    except OSError as exc:
        raise StoryError(f"cannot write {out}: {_describe(exc)}") from None


@contextlib.contextmanager
def temp_dir_beside(out: Path) -> Iterator[Path]:
    parent = prepare_parent(out)
    if out.exists() and not out.is_dir():
        raise StoryError(f"cannot write the slideshow folder {out}: a file of that name exists")
    if out.is_dir() and any(out.iterdir()) and not (out / STORY_MARKER).exists():
        raise StoryError(f"{out} already holds other files; choose a new or empty folder for the slideshow")
    try:
        tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out.name}.", suffix=".partial"))
    except OSError as exc:
        raise StoryError(f"cannot write to {parent}: {_describe(exc)}") from None
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def publish_dir(tmp: Path, out: Path) -> None:
    """Swap the finished folder in; a previous story export there is replaced."""
    (tmp / STORY_MARKER).write_text("made by photoorg export-story\n", encoding="utf-8")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)
    old = None
    try:
        if out.is_dir():
            if any(out.iterdir()):
                old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
                os.replace(out, old)
            else:
                out.rmdir()
        os.replace(tmp, out)
    except OSError as exc:
        if old is not None and not out.exists():
            os.replace(old, out)
            old = None
        raise StoryError(f"cannot write {out}: {_describe(exc)}") from None
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

"""Moving a file without ever losing or overwriting one.

- Within one file system a move is one atomic ``renameat2(RENAME_NOREPLACE)``
  (a hard link then unlink where that call is missing): there is no moment
  when the file exists nowhere, and an existing file at the destination is
  never replaced.
- Across file systems it is copy to ``DEST.photoorg-part`` -> fsync -> read the
  copy back and compare its hash -> rename into place -> fsync the folder ->
  unlink the original. A crash leaves either the original alone, or the
  original plus a verified copy (undo removes the copy), never neither.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
from typing import Callable, Optional

import xxhash

from .testhooks import crash_point

PART_SUFFIX = ".photoorg-part"
CHUNK = 4 * 1024 * 1024
_RENAME_NOREPLACE = 1
_AT_FDCWD = -100


def file_hash(path: str) -> str:
    """The catalog's content hash (xxHash3-128 of the bytes), streamed."""
    hasher = xxhash.xxh3_128()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()


def fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems do not sync folders; the data is still written
    finally:
        os.close(fd)


def _load_renameat2():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_renameat2 = _load_renameat2()


def rename_noreplace(src: str, dst: str) -> None:
    """Rename, failing with FileExistsError when ``dst`` exists and with
    OSError(EXDEV) across file systems."""
    if _renameat2 is not None:
        if _renameat2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), _RENAME_NOREPLACE) == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            raise OSError(err, os.strerror(err), src, None, dst)
    try:
        os.link(src, dst)  # fails with EEXIST: never replaces
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EMLINK, errno.ENOSYS):
            raise
        if os.path.lexists(dst):  # no hard links here: check, then rename
            raise FileExistsError(errno.EEXIST, "destination exists", dst) from None
        os.rename(src, dst)
        return
    os.unlink(src)


def copy_verified(src: str, dst: str, expected_hash: Optional[str]) -> None:
    """Copy ``src`` to ``dst`` (which must not exist) through a temporary name,
    synced and verified by reading the copy back."""
    part = dst + PART_SUFFIX
    hasher = xxhash.xxh3_128()
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            with open(src, "rb") as fin, os.fdopen(fd, "wb", closefd=False) as fout:
                while chunk := fin.read(CHUNK):
                    hasher.update(chunk)
                    fout.write(chunk)
                fout.flush()
                os.fsync(fd)
        finally:
            os.close(fd)
        shutil.copystat(src, part)  # keep the modification time and mode
        source_hash = hasher.hexdigest()
        if expected_hash and source_hash != expected_hash:
            raise OSError(errno.EIO, "the file changed while it was being copied", src)
        if file_hash(part) != source_hash:
            raise OSError(errno.EIO, "the copy does not read back identical", part)
        rename_noreplace(part, dst)
    except BaseException:
        try:
            os.unlink(part)
        except OSError:
            pass
        raise
    fsync_dir(os.path.dirname(dst))


def move_file(src: str, dst: str, expected_hash: Optional[str],
              before_copy: Optional[Callable[[], None]] = None) -> str:
    """Move ``src`` to ``dst`` (never replacing ``dst``); returns "rename" or
    "copy". ``before_copy`` runs before a cross-file-system copy starts (the
    caller journals that a copy is in progress). On failure the original is
    where it was and no copy is left behind."""
    try:
        rename_noreplace(src, dst)
        return "rename"
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    if before_copy is not None:
        before_copy()
    copy_verified(src, dst, expected_hash)
    crash_point("copied")
    try:
        os.unlink(src)
    except OSError:
        # The original cannot go (read-only folder...): take the copy back so
        # that nothing is duplicated, and report the failure.
        try:
            os.unlink(dst)
        except OSError:
            pass
        raise
    fsync_dir(os.path.dirname(src))
    return "copy"

"""Helpers for the curation, trash and undo tests (no tests of its own).

Libraries are copies of real photos from ../shared/photos, each copy made
unique by a few bytes after the JPEG end marker (decoders ignore them), so a
file restored to the wrong path, or two copies of one file, cannot go unseen.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional

from photoorg.engine.curation.fileops import file_hash

REPO = Path(__file__).resolve().parents[1]


def source_photos(shared: Path) -> list[Path]:
    photos = sorted((shared / "immich" / "albums" / "nature").glob("*.jpg"))
    photos += sorted(p for p in (shared / "exif" / "jpg").glob("*.jpg") if p.name != "corrupted.jpg")
    return photos


def copy_unique(src: Path, dest: Path, tag: str) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    with open(dest, "ab") as fh:
        fh.write(f"\nphotoorg-test {tag}\n".encode())
    os.chmod(dest, 0o644)
    return dest


def register(catalog, paths) -> list[int]:
    """Catalog files as the scanner would (size, mtime, content hash)."""
    ids = []
    for path in paths:
        catalog.add_root(os.path.dirname(str(path)))  # inside the library's walls, as a scan would make it
        st = os.stat(path)
        ids.append(catalog.record_photo(str(path), {"size": st.st_size, "mtime_ns": st.st_mtime_ns,
                                                    "content_hash": file_hash(str(path))}, 0))
    return ids


def build_series_library(catalog, shared: Path, root: Path, n_series: int, per_series: int = 3,
                         sources: Optional[list[Path]] = None) -> list[list[int]]:
    """``n_series`` series of ``per_series`` unique photos each, ranked in
    file order; returns the photo ids per series."""
    sources = sources or source_photos(shared)
    series = []
    with catalog.write():  # one commit for the whole library
        for s in range(n_series):
            series.append(_one_series(catalog, sources, root, s, per_series))
    return series


def _one_series(catalog, sources, root: Path, s: int, per_series: int) -> list[int]:
    folder = root / f"Trip {s // 25:02d}"
    paths = [copy_unique(sources[(s * per_series + k) % len(sources)], folder / f"IMG_{s:04d}_{k}.jpg",
                         f"{s}-{k}") for k in range(per_series)]
    ids = register(catalog, paths)
    catalog.save_series("series", f"s{s}", [(pid, rank, 1.0 / rank) for rank, pid in enumerate(ids, 1)])
    return ids


def snapshot(*roots: Path) -> dict[str, str]:
    """path -> content hash of every file under the roots."""
    out = {}
    for root in roots:
        for folder, _, files in os.walk(root):
            for name in files:
                path = os.path.join(folder, name)
                out[path] = file_hash(path)
    return out


def trash_root() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "Trash"


def trash_files(root: Optional[Path] = None) -> dict[str, str]:
    files = (root or trash_root()) / "files"
    return snapshot(files) if files.exists() else {}


def photoorg(*args: str, env: Optional[dict] = None, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run the command line in a child process (so that it can be killed)."""
    return subprocess.run([sys.executable, "-m", "photoorg.engine.cli", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})}, cwd=str(REPO))

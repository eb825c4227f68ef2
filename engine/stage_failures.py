"""What a stage could not do, in words that name the files: "embed: could not
read IMG_0042.JPG (truncated file)", never a bare "failed 1"."""

from __future__ import annotations

import os

from .paths import display

SHOWN = 3  # files named in one line; the rest are counted


def failed_files(catalog, stage: str) -> list[tuple[str, str]]:
    """(path, why) of every photo the stage failed on, in path order."""
    out = []
    for content_hash, error in catalog.stage_failures(stage).items():
        for f in catalog.photos_with_hash(content_hash)[:1]:
            out.append((f.path, (error or "unknown error").splitlines()[0]))
    return sorted(out)


def failure_line(catalog, stage: str) -> str:
    """One sentence about the stage's failures, or "" when there are none."""
    files = failed_files(catalog, stage)
    if not files:
        return ""
    named = "; ".join(f"{os.path.basename(p)} ({why})" for p, why in files[:SHOWN])
    more = f" and {len(files) - SHOWN} more" if len(files) > SHOWN else ""
    what = "1 photo" if len(files) == 1 else f"{len(files)} photos"
    return f"{stage}: could not read {what}: {named}{more}"


def failure_paths(catalog, stage: str) -> list[str]:
    return [display(p) for p, _ in failed_files(catalog, stage)]

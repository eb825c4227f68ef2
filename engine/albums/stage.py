"""STAGE "albums": group photos into albums, label their events, score each
photo's importance in its album (after "embed": it reads the concept scores;
it also reads series, faces-free, when the series stage ran before it)."""

from __future__ import annotations

from ..pipeline import Stage
from ..progress import CancelToken, ProgressCallback
from ..settings import Settings
from .build import build_albums


def run(catalog, settings: Settings, progress: ProgressCallback, cancel: CancelToken) -> dict:
    summary = build_albums(catalog, settings, None, progress, cancel)
    return {k: v for k, v in summary.items() if k != "ids"}


STAGE = Stage("albums", run, after=("embed",),
              description="albums by folder or by time, event labels, per-photo importance")

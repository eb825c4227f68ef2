"""STAGE "albums": name the places of GPS photos, group photos into albums
(trips joined across days), label their events from the model and the
album's evidence, score each photo's importance in its album (after "embed":
it reads the concept scores; it also reads series, faces and the privacy
stage's text counts when those ran before it, which the stage order makes
so)."""

from __future__ import annotations

from ..pipeline import Stage
from ..progress import CancelToken, ProgressCallback
from ..settings import Settings
from .build import build_albums


def run(catalog, settings: Settings, progress: ProgressCallback, cancel: CancelToken) -> dict:
    summary = build_albums(catalog, settings, None, progress, cancel)
    return {k: v for k, v in summary.items() if k != "ids"}


STAGE = Stage("albums", run, after=("embed",), uses=("series", "faces", "privacy", "interest"),
              description="albums by folder or by time, event labels, per-photo importance")

"""Shared pieces of the GUI tests (pytest-qt, QT_QPA_PLATFORM=offscreen)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# A small real library: a nature album, two near-duplicate pairs (HDR on/off),
# a folder of people (faces), a two-person photo.
LIBRARY_PARTS = ["immich/albums/nature", "exif/jpg/hdr", "faces/knn_examples/train", "faces/knn_examples/test"]


def copy_library(shared: Path, dest: Path) -> Path:
    """Copies, because curation moves files: the shared photos are never touched."""
    for part in LIBRARY_PARTS:
        src = shared / part
        shutil.copytree(src, dest / part.replace("/", "_"), ignore=shutil.ignore_patterns("*.txt", "*.md"))
    return dest


def wait_idle(qtbot, window, timeout_ms: int = 60_000) -> None:
    """Until no task of the window's session is queued or running."""
    qtbot.waitUntil(lambda: window.session.runner.idle(), timeout=timeout_ms)


def make_window(qtbot, settings, **kwargs):
    from photoorg.app.main_window import MainWindow

    window = MainWindow(settings, **kwargs)
    qtbot.addWidget(window, before_close_func=lambda w: w.close())
    window.resize(1400, 900)
    window.show()
    return window


def make_albums(catalog) -> str:
    """Albums from the albums stage when it runs here; otherwise one album
    per folder saved through the albums store, with made-up event scores
    (the view shows whatever the store holds)."""
    from photoorg.engine.albums.queries import AlbumProposal

    photos = catalog.photos()
    by_folder: dict[int, list] = {}
    for p in photos:
        by_folder.setdefault(p.folder_id, []).append(p)
    proposals = []
    for folder_id, members in sorted(by_folder.items()):
        members.sort(key=lambda p: (p.capture_ts or 0, p.id))
        proposals.append(AlbumProposal(f"folder:{folder_id}", "folder", folder_id, tuple(p.id for p in members),
                                       tuple(p.content_hash for p in members), os.path.basename(os.path.dirname(members[0].path)),
                                       members[0].capture_ts, members[-1].capture_ts))
    ids = catalog.sync_albums("folders", proposals)["ids"]
    for prop in proposals:
        n = len(prop.photo_ids)
        catalog.save_album_labels(ids[prop.key], title=prop.place, event="NatureTrip",
                                  event_scores={"NatureTrip": 0.62, "Zoo": 0.21, "Wedding": 0.05}, signature="test",
                                  model_version="test",
                                  photos=[(pid, (i + 1) / n, 1 / n, None, None) for i, pid in enumerate(prop.photo_ids)])
    catalog.set_pref("albums_from", "folders")
    return "store"

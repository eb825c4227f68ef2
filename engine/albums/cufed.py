"""Reading a real event benchmark in the ML-CUFED or PEC file layout.

ML-CUFED / CUFED (Wang et al.):
    ROOT/images/<album>/<photo>.jpg        (or ROOT/<album>/...)
    ROOT/event_type.json                   {"<album>": ["Wedding", ...], ...}
    ROOT/image_importance.json             {"<album>": [["<album>/<photo>", score], ...]}  (optional)
PEC (Bossard et al.), one folder per event class:
    ROOT/<event>/<album>/<photo>.jpg       classes mapped to the ML-CUFED names

Each photo's concept vector comes from the backbone (BackboneRunner) and is
cached in the catalog's model folder, so a second run reads no image.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from ..errors import DecodeError, PhotoOrgError
from ..imaging.decode import IMAGE_EXTENSIONS, decode
from ..settings import Settings
from . import teacher
from .train import RealAlbum

log = logging.getLogger(__name__)

# PEC's 14 classes -> ML-CUFED's (None: no counterpart, album left out).
PEC_TO_CUFED = {
    "birthday": "Birthday", "childrenbirthday": "Birthday", "christmas": "Christmas", "concert": "Show",
    "cruise": "Cruise", "easter": None, "exhibition": "Museum", "graduation": "Graduation",
    "halloween": "Halloween", "hiking": "NatureTrip", "roadtrip": None, "saintpatricksday": None,
    "skiing": "PersonalSports", "wedding": "Wedding",
}


class BenchmarkLayoutError(PhotoOrgError):
    """The folder is neither in the ML-CUFED nor in the PEC layout."""


def _norm(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)


def read_layout(root: Path) -> list[tuple[str, list[Path], list[str], Optional[dict[str, float]]]]:
    """(album name, photo paths, labels, importance by photo stem or None)."""
    root = Path(root)
    labels_file = root / "event_type.json"
    index = {_norm(l): l for l in teacher.event_labels()}
    out = []
    if labels_file.exists():
        events = json.loads(labels_file.read_text())
        importance_file = root / "image_importance.json"
        importance = json.loads(importance_file.read_text()) if importance_file.exists() else {}
        images_root = root / "images" if (root / "images").is_dir() else root
        for album, names in sorted(events.items()):
            folder = images_root / album
            if not folder.is_dir():
                continue
            names = [names] if isinstance(names, str) else names
            labels = [index[_norm(n)] for n in names if _norm(n) in index]
            scores = None
            if album in importance:
                scores = {}
                for pair in importance[album]:
                    a, b = pair[0], pair[1]
                    name, value = (a, b) if isinstance(b, (int, float)) else (b, a)
                    scores[Path(str(name)).stem] = float(value)
            if labels:
                out.append((album, _images(folder), labels, scores))
        return out
    for event_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        label = index.get(_norm(event_dir.name)) or PEC_TO_CUFED.get(_norm(event_dir.name))
        if label is None:
            continue
        for album in sorted(p for p in event_dir.iterdir() if p.is_dir()):
            photos = _images(album)
            if photos:
                out.append((f"{event_dir.name}/{album.name}", photos, [label], None))
    if not out:
        raise BenchmarkLayoutError(
            f"{root} holds no albums in the ML-CUFED layout (event_type.json, images/<album>/) "
            "nor in the PEC layout (<event>/<album>/)")
    return out


def load_benchmark(root: Path, settings: Settings, progress: Optional[Callable[[int, int], None]] = None,
                   cancel=None) -> list[RealAlbum]:
    """The benchmark's albums with concept vectors (photos that cannot be read are left out)."""
    from ..analysis.backbone_runner import INPUT_SIZE, BackboneRunner

    albums = read_layout(Path(root))
    cache_path = Path(settings.models_dir) / f"benchmark-{hashlib.sha1(str(Path(root).resolve()).encode()).hexdigest()[:12]}.npz"
    cache: dict[str, np.ndarray] = {}
    if cache_path.exists():
        with np.load(cache_path) as data:
            cache = {k: data[k] for k in data.files}
    runner = BackboneRunner(settings)
    labels_all = teacher.event_labels()
    out: list[RealAlbum] = []
    done = 0
    total = sum(len(a[1]) for a in albums)
    for name, photos, labels, scores in albums:
        if cancel is not None:
            cancel.raise_if_cancelled()
        rows, imps = [], []
        pending = [p for p in photos if str(p) not in cache]
        for start in range(0, len(pending), 32):
            images, keys = [], []
            for p in pending[start:start + 32]:
                try:
                    images.append(decode(str(p), name=p.name, target=INPUT_SIZE))
                    keys.append(str(p))
                except DecodeError as exc:
                    log.warning("benchmark photo left out: %s (%s)", p, exc)
            if images:
                concepts = runner.embed(images)["concepts"].astype(np.float16)
                cache.update(zip(keys, concepts))
        for p in photos:
            if str(p) in cache:
                rows.append(cache[str(p)].astype(np.float32))
                imps.append(scores.get(p.stem, np.nan) if scores else np.nan)
        done += len(photos)
        if progress is not None:
            progress(done, total)
        if not rows:
            continue
        y = np.zeros(len(labels_all), np.float32)
        for l in labels:
            y[labels_all.index(l)] = 1.0
        imp = np.asarray(imps, np.float32)
        out.append(RealAlbum(np.stack(rows), y, None if np.isnan(imp).any() else imp, name))
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache_path, **cache)
    return out

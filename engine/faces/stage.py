"""The "faces" stage: detect, align and embed faces of new photos (once per
content), then bring people up to date (incrementally once people exist)."""

from __future__ import annotations

import logging
from typing import Optional

from ..errors import DecodeError
from ..pipeline import Stage
from ..progress import ProgressMeter
from .cluster import ClusterParams
from .detect import DetectorConfig, FaceAnalyzer
from .people import update_people
from .selfie import selfie_face

log = logging.getLogger(__name__)

NAME = "faces"
# Not bumped when the detector's decode changed (native ~2048 px scan for large
# photos): re-detecting replaces a photo's faces (new ids), which would drop the
# user's assignments and "not this person" rejections with them. Old results
# stay valid; new photos get the new path.
VERSION = 1
COMMIT_EVERY = 16


def detect_photo(catalog, photo, analyzer: FaceAnalyzer, max_megapixels: float) -> int:
    """Faces of one photo into the catalog; returns how many were found."""
    # Decoded at the size the detector scans (a 12 MP JPEG by DCT scaling
    # straight to ~2000 px, scanned without upsampling; small photos fitted
    # and upsampled as before), upright by EXIF orientation.
    image = analyzer.load(photo.path, max_megapixels)
    full_size = image.info.get("full_size", image.size)
    faces = analyzer.analyze(image, full_size)
    selfie = selfie_face(faces, catalog.capture_info(photo.content_hash))
    catalog.save_faces(photo.content_hash, faces, full_size, selfie)
    return len(faces)


def run(catalog, settings, progress, cancel, config: DetectorConfig = DetectorConfig(),
        params: ClusterParams = ClusterParams(), full: Optional[bool] = None) -> dict:
    """``full``: re-cluster everything (True), only place new faces (False),
    or decide from the library's growth (None, what ``analyze`` does)."""
    todo = catalog.photos_needing_stage(NAME, VERSION)
    meter = ProgressMeter("faces", progress, total=len(todo))
    analyzer = FaceAnalyzer(config)
    found = failed = 0
    done: list[str] = []
    try:
        for photo in todo:
            cancel.raise_if_cancelled()
            try:
                found += detect_photo(catalog, photo, analyzer, settings.prefs.max_megapixels)
                done.append(photo.content_hash)
            except DecodeError as exc:
                failed += 1
                catalog.mark_stage([photo.content_hash], NAME, VERSION, "failed", str(exc))
            except Exception as exc:  # noqa: BLE001 - one bad photo must not stop the stage
                log.warning("faces: %s failed: %s", photo.display_path, exc)
                failed += 1
                catalog.mark_stage([photo.content_hash], NAME, VERSION, "failed", f"{type(exc).__name__}: {exc}")
            if len(done) >= COMMIT_EVERY:
                catalog.mark_stage(done, NAME, VERSION)
                done = []
            meter.advance(message=photo.display_path[-60:])
    finally:
        if done:
            catalog.mark_stage(done, NAME, VERSION)
    meter.emit("clustering people")
    summary = update_people(catalog, params, full) if todo or not catalog.get_pref("faces.clustering") else {}
    return {"photos": len(todo), "faces": found, "failed": failed,
            **{k: v for k, v in summary.items() if k in ("mode", "people", "new_people", "assigned", "unassigned")}}


STAGE = Stage(NAME, run, after=(), description="faces: detection, 128-D embeddings, people")

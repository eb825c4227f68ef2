"""Per-photo stage "faces": detect, align and embed the faces of each photo
(once per content) from the pass's one decode, then bring people up to date
(``finish``: incrementally once people exist)."""

from __future__ import annotations

import logging
from typing import Optional

from ..pipeline import Need, PhotoInput, PhotoStage
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
CONFIG = DetectorConfig()
_analyzers: dict = {}


def image_need(width: int, height: int, jpeg: bool) -> Need:
    """The size the detector scans (a 12 MP JPEG by DCT scaling straight to
    ~2000 px, scanned without upsampling; small photos fitted and upsampled),
    as ``FaceAnalyzer.load`` decodes it."""
    long_side = max(width, height)
    if not long_side:
        return Need("long", CONFIG.effective)
    return Need("long", CONFIG.decode_side(long_side, jpeg))


def detect(inp: PhotoInput, config: Optional[DetectorConfig] = None) -> dict:
    config = config or CONFIG
    key = (config, inp.settings.models_dir, inp.settings.prefs.device)
    analyzer = _analyzers.get(key)
    if analyzer is None:
        analyzer = _analyzers[key] = FaceAnalyzer(config, inp.settings)
    image = inp.image()
    full_size = image.info.get("full_size", image.size)
    faces = analyzer.analyze(image, full_size)
    return {"faces": faces, "full_size": full_size, "selfie": selfie_face(faces, inp.loaded)}


def prepare(settings) -> None:
    """Export the MTCNN networks once, before the workers start (each would
    export them otherwise)."""
    from ..runtime import onnx_path
    from . import mtcnn

    if CONFIG.detector == "mtcnn":
        for name in mtcnn.NETS:
            onnx_path(mtcnn.spec(name), settings.models_dir)


def load(catalog, photos: list) -> dict:
    """The EXIF fields the selfie test reads."""
    return {p.content_hash: catalog.capture_info(p.content_hash) for p in photos}


_updated: set[str] = set()  # catalogs whose faces this process wrote since the last clustering


def write(catalog, done: list) -> dict:
    _updated.add(str(catalog.path))
    found = 0
    for photo, r in done:
        catalog.save_faces(photo.content_hash, r["faces"], r["full_size"], r["selfie"])
        found += len(r["faces"])
    return {"faces": found}


def finish(catalog, settings, progress, cancel, params: ClusterParams = ClusterParams(),
           full: Optional[bool] = None) -> dict:
    """``full``: re-cluster everything (True), only place new faces (False),
    or decide from the library's growth (None, what ``analyze`` does)."""
    summary = {}
    if str(catalog.path) in _updated or not catalog.get_pref("faces.clustering") or full:
        summary = update_people(catalog, params, full)
        _updated.discard(str(catalog.path))
    return {k: v for k, v in summary.items() if k in ("mode", "people", "new_people", "assigned", "unassigned")}


STAGE = PhotoStage(NAME, VERSION, write=write, compute=detect, image=image_need, load=load, finish=finish,
                   prepare=prepare,
                   description="faces: detection, 128-D embeddings, people")

"""The labelled development set of series grouping: real photos and the
failure classes of real libraries, in both directions.

Built deterministically from ``../shared/photos`` (not shipped; used by the
tests and the benchmarks). Every item carries two labels:

- ``moment``: items with the same moment are *redundant* with each other
  (one may be trashed when another is kept): an original and its copies
  (B&W, sideways without EXIF, heavy blur, a third of the brightness, noise,
  shaken, re-encoded and resized, cropped, a small zoom or camera move),
  the frames of a real burst or focus stack, an HDR on/off pair;
- ``scene``: items of one scene but another moment are a *similar moment*
  (the user picks): a person stepping into the frame (a person pasted into
  a copy), another person at the same spot, the same scene from another
  position (two views of one large photo that share a fifth of it).

Everything else is *different*. ``wanted`` marks the photos whose content no
other photo shows: trashing one loses something (plan safety counts them).
``damaged`` copies are worse than their original: the ranker must put the
original first.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter, ImageOps

LONG_SIDE = 1200  # every item is at most this large (keeps the set fast)

BURSTS = {
    "pcb": [f"bursts/focus-stack-pcb/pcb_00{i}.jpg" for i in range(1, 8)],
    "ring": [f"bursts/focusstack-ring/step{i}.jpg" for i in range(6)],
    "hdr-canon": ["exif/jpg/hdr/canon_hdr_NO.jpg", "exif/jpg/hdr/canon_hdr_YES.jpg"],
    "hdr-iphone": ["exif/jpg/hdr/iphone_hdr_NO.jpg", "exif/jpg/hdr/iphone_hdr_YES.jpg"],
}
HEIF_BURST = "heif/heif_other/nokia/bird_burst.heic"
# Originals that get the damaged and edited copies.
ORIGINALS = [
    "immich/albums/nature/el_torcal_rocks.jpg", "immich/albums/nature/tanners_ridge.jpg",
    "immich/albums/nature/silver_fir.jpg", "immich/albums/text/japanese-shop.jpg",
    "people/human/group-1.jpg", "people/human/group-5.jpg", "people/human/person-vlado.jpg",
    "faces/knn_examples/test/obama_and_biden.jpg", "immich/albums/nature/prairie_falcon.jpg",
    "immich/albums/text/book-beside-flowers.jpg", "people/compreface/groups/010_2.jpg",
    "text/receipts", "people/compreface/groups/014_5.jpg", "faces/knn_examples/test/kit_with_rose.jpg",
]
# Scenes without people that get a person stepping in (and another person at the same spot).
EMPTY_SCENES = ["immich/albums/nature/el_torcal_rocks.jpg", "immich/albums/nature/tanners_ridge.jpg",
                "immich/albums/nature/silver_fir.jpg", "immich/albums/text/japanese-shop.jpg",
                "immich/albums/nature/prairie_falcon.jpg"]
PEOPLE = ["people/compreface/person_B/007_B.jpg", "people/compreface/person_C/009_C.jpg",
          "people/human/person-vlado5.jpg", "people/compreface/person_B/008_B.jpg",
          "people/human/person-vlado1.jpg"]
# Large photos seen from two positions (two views sharing a fifth of the frame).
WIDE = ["immich/albums/text/craft-beer.jpg", "immich/albums/text/handwritten-notes.jpg",
        "people/human/group-4.jpg", "people/compreface/groups/016_8.jpg", "people/human/group-2.jpg"]
# Unrelated photos that only add distractors (each its own moment).
OTHERS = ["people/compreface/groups/000_5.jpg", "people/compreface/groups/011_3.jpg",
          "people/compreface/groups/012_4.jpg", "people/compreface/groups/013_4.jpg",
          "people/compreface/groups/015_6.jpg", "immich/albums/nature/cyclamen_persicum.jpg",
          "immich/albums/nature/notocactus_minimus.jpg", "immich/albums/nature/wood_anemones.jpg",
          "immich/albums/nature/polemonium_reptans.jpg", "immich/albums/nature/orychophragmus_violaceus.jpg",
          "faces/knn_examples/test/alex_lacamoire1.jpg", "faces/knn_examples/test/johnsnow_test1.jpg",
          "faces/knn_examples/test/obama1.jpg", "people/compreface/person_A/001_A.jpg",
          "people/compreface/person_A/003_A.jpg", "people/compreface/person_A/004_A.jpg",
          "people/human/group-1.jpg#unused"]
DAMAGES = ("blur", "dark", "noise", "shaken")  # copies worse than their original


@dataclass
class DevItem:
    name: str  # file name in the written set
    cls: str  # the class of this item: original, bw, sideways, blur, ..., person-in, other-position
    moment: str
    scene: str
    image: Image.Image
    wanted: bool = False  # its content is in no other item of the set (trashing it loses something)
    damaged: bool = False
    source: str = ""


def _load(root: Path, rel: str) -> Optional[Image.Image]:
    from ..imaging.decode import decode

    path = root / rel
    if rel == "text/receipts":  # the first receipt photo of that folder
        files = sorted(p for p in path.glob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
        if not files:
            return None
        path = files[0]
    if not path.is_file():
        return None
    image = decode(str(path), name=str(path), target=LONG_SIDE)
    image.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def _noise(image: Image.Image, sigma: float, seed: int) -> Image.Image:
    a = np.asarray(image, np.float32)
    a = a + np.random.default_rng(seed).normal(0, sigma, a.shape[:2])[..., None]
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def _shaken(image: Image.Image, length_frac: float) -> Image.Image:
    import cv2

    length = max(3, int(max(image.size) * length_frac)) | 1
    kernel = np.zeros((length, length), np.float32)
    np.fill_diagonal(kernel, 1.0 / length)
    return Image.fromarray(cv2.filter2D(np.asarray(image), -1, kernel))


def _zoom_shift(image: Image.Image, rng: random.Random) -> Image.Image:
    w, h = image.size
    zoom = rng.uniform(0.88, 0.94)
    cw, ch = w * zoom, h * zoom
    x0 = (w - cw) / 2 + rng.uniform(-0.03, 0.03) * w
    y0 = (h - ch) / 2 + rng.uniform(-0.03, 0.03) * h
    out = image.rotate(rng.uniform(-1.5, 1.5), resample=Image.Resampling.BILINEAR)
    return out.resize((w, h), Image.Resampling.BILINEAR, box=(x0, y0, x0 + cw, y0 + ch))


def copies(image: Image.Image, seed: int) -> dict[str, Image.Image]:
    """The redundant copies of one original, by class."""
    rng = random.Random(seed)
    w, h = image.size
    long = max(w, h)
    return {
        "bw": ImageOps.grayscale(image).convert("RGB"),
        "sideways": image.transpose(Image.Transpose.ROTATE_90),  # pixels turned, no orientation tag
        "blur": image.filter(ImageFilter.GaussianBlur(long * 0.012)),
        "dark": Image.eval(image, lambda v: v // 3),
        "noise": _noise(image, 28, seed),
        "shaken": _shaken(image, 0.02),
        "reencode": _jpeg(image.resize((w // 2, h // 2), Image.Resampling.BILINEAR), 55),
        "crop": image.crop((int(w * 0.12), int(h * 0.1), int(w * 0.88), int(h * 0.9))),
        "zoom": _zoom_shift(image, rng),
        "edit": ImageEnhance.Color(ImageEnhance.Contrast(image).enhance(1.3)).enhance(1.5),
    }


def _person(root: Path, rel: str, height: int) -> Optional[Image.Image]:
    im = _load(root, rel)
    if im is None:
        return None
    w, h = im.size
    # The middle of a portrait: the person, with a little of their background.
    box = (int(w * 0.2), int(h * 0.05), int(w * 0.8), int(h * 0.98))
    person = im.crop(box)
    scale = height / person.size[1]
    return person.resize((max(1, int(person.size[0] * scale)), height), Image.Resampling.LANCZOS)


def _paste(scene: Image.Image, person: Image.Image, spot: tuple[float, float]) -> Image.Image:
    out = scene.copy()
    w, h = scene.size
    x = int(spot[0] * w - person.size[0] / 2)
    y = int(h - person.size[1] - spot[1] * h)
    mask = Image.new("L", person.size, 0)
    from PIL import ImageDraw

    ImageDraw.Draw(mask).ellipse((0, 0, person.size[0] - 1, person.size[1] * 1.3), fill=255)
    out.paste(person, (x, y), mask.filter(ImageFilter.GaussianBlur(3)))
    return out


def build(root: Path, small: bool = False) -> list[DevItem]:
    """The development set (``small``: a subset for the default test run)."""
    items: list[DevItem] = []
    originals = ORIGINALS[:5] if small else ORIGINALS
    for k, rel in enumerate(originals):
        image = _load(root, rel)
        if image is None:
            continue
        moment = f"orig{k}"
        items.append(DevItem(f"{moment}_original.jpg", "original", moment, moment, image, source=rel))
        for cls, copy in copies(image, seed=k).items():
            items.append(DevItem(f"{moment}_{cls}.jpg", cls, moment, moment, copy, damaged=cls in DAMAGES, source=rel))
        items.append(DevItem(f"{moment}_exact.jpg", "exact", moment, moment, image, source=rel))
    bursts = dict(list(BURSTS.items())[:2]) if small else BURSTS
    for label, rels in bursts.items():
        for rel in rels:
            image = _load(root, rel)
            if image is not None:
                items.append(DevItem(f"burst_{label}_{Path(rel).stem}.jpg", "burst", f"burst-{label}",
                                     f"burst-{label}", image, source=rel))
    if not small and (root / HEIF_BURST).is_file():
        from .realset import burst_frames

        for i, frame in enumerate(burst_frames(root / HEIF_BURST)):
            frame.thumbnail((LONG_SIDE, LONG_SIDE))
            items.append(DevItem(f"burst_bird_{i}.jpg", "burst", "burst-bird", "burst-bird", frame.convert("RGB"),
                                 source=HEIF_BURST))
    scenes = EMPTY_SCENES[:2] if small else EMPTY_SCENES
    for k, rel in enumerate(scenes):
        scene = _load(root, rel)
        if scene is None:
            continue
        # The same scene label as the original's copies when it is one of them.
        base = f"orig{originals.index(rel)}" if rel in originals else f"scene{k}"
        if rel not in originals:
            items.append(DevItem(f"{base}_original.jpg", "original", base, base, scene, source=rel))
        spot = (0.3 + 0.1 * k, 0.02)
        for j in range(2):  # one person stepping in, another person at the same spot
            person = _person(root, PEOPLE[(k + j) % len(PEOPLE)], int(scene.size[1] * 0.55))
            if person is None:
                continue
            cls = "person-in" if j == 0 else "other-person"
            items.append(DevItem(f"{base}_{cls}.jpg", cls, f"{base}-{cls}", base,
                                 _paste(scene, person, spot), wanted=True, source=rel))
    wide = WIDE[:2] if small else WIDE
    for k, rel in enumerate(wide):
        image = _load(root, rel)
        if image is None:
            continue
        w, h = image.size
        horizontal = w >= h
        for j in range(2):
            if horizontal:
                box = (0, 0, int(w * 0.6), h) if j == 0 else (int(w * 0.4), 0, w, h)
            else:
                box = (0, 0, w, int(h * 0.6)) if j == 0 else (0, int(h * 0.4), w, h)
            items.append(DevItem(f"wide{k}_view{j}.jpg", "other-position", f"wide{k}-view{j}", f"wide{k}",
                                 image.crop(box), wanted=True, source=rel))
    others = OTHERS[:4] if small else OTHERS
    for k, rel in enumerate(others):
        if "#" in rel:
            continue
        image = _load(root, rel)
        if image is not None:
            items.append(DevItem(f"other{k}.jpg", "unrelated", f"other{k}", f"other{k}", image, source=rel))
    # Every moment's sole photo, and the content only it shows, is wanted.
    by_moment: dict[str, int] = {}
    for it in items:
        by_moment[it.moment] = by_moment.get(it.moment, 0) + 1
    for it in items:
        it.wanted = it.wanted or by_moment[it.moment] == 1
    return items


def write(items: list[DevItem], folder: Path, timestamp: Optional[float] = None) -> dict[str, Path]:
    """Write the set as JPEG files without EXIF (every file the same mtime by
    default: a library whose only date is the copy time, the hardest case)."""
    import os

    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for it in items:
        path = folder / it.name
        it.image.save(path, "JPEG", quality=92)
        if timestamp is not None:
            os.utime(path, (timestamp, timestamp))
        out[it.name] = path
    return out


def pair_kind(a: DevItem, b: DevItem) -> str:
    if a.moment == b.moment:
        return "redundant"
    if a.scene == b.scene:
        return "similar"
    return "different"


def pair_class(a: DevItem, b: DevItem) -> str:
    """The failure class a pair belongs to (the less common item's class)."""
    kind = pair_kind(a, b)
    if kind == "different":
        return "unrelated"
    classes = {a.cls, b.cls} - {"original"}
    if not classes:
        return "original"
    if kind == "redundant" and len(classes) == 2:
        return "copy-copy"
    return sorted(classes)[0]

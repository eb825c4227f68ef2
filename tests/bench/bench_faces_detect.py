"""Face detector options compared in one run, on the same photos: faces found,
false faces, seconds per photo, and what the faces do to clustering.

    nice -n 10 .venv/bin/python tests/bench/bench_faces_detect.py [--dump DIR] [--quick] [--only NAME ...]

Photos (../shared/photos):
- ``REAL``: every face labelled by eye in faces/, immich/metadata/faces and
  the exif/ and immich/ photos that show people (wedding and party snapshots
  from 640 px cameras, an ad, a poster, an old portrait). ``hard`` faces
  (profiles, faces mostly cut off by the border, faces looking down in
  smoke) are counted apart: no option is judged on them.
- synthetic group photos: real face crops (the six named people) pasted with
  soft edges onto real face-free photos at 12 face widths from 2.5% to 10% of
  the long side, 20 per photo; six 4032x3024 JPEGs (a 12 MP phone) and two
  1600x1200 ones (an old camera, a downloaded photo).
- every other decodable photo in ../shared/photos: any detection there is a
  false face, except on ``IGNORE`` photos (people a few pixels tall).

Per option: recall of labelled faces (real, hard, synthetic per size), false
faces, CPU ms per photo for decoding + detection (phone-size photos apart),
and, on a catalog per option, people from the faces found: pairwise
precision/recall and BCubed F (tests/bench/bench_faces.py's metrics).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "photos"

# Boxes x0, y0, x1, y1 normalized to the upright photo. Identities: the folder
# names of faces/knn_examples; other people get a name per photo.
REAL: dict[str, list[tuple[str, tuple[float, float, float, float]]]] = {
    "faces/knn_examples/test/alex_lacamoire1.jpg": [("alex_lacamoire", (0.409, 0.201, 0.617, 0.516))],
    "faces/knn_examples/test/johnsnow_test1.jpg": [("kit_harington", (0.341, 0.156, 0.585, 0.318))],
    "faces/knn_examples/test/kit_with_rose.jpg": [("rose_leslie", (0.158, 0.186, 0.309, 0.293)),
                                                  ("kit_harington", (0.493, 0.131, 0.709, 0.286))],
    "faces/knn_examples/test/obama1.jpg": [("obama", (0.369, 0.245, 0.630, 0.710))],
    "faces/knn_examples/test/obama_and_biden.jpg": [("biden", (0.368, 0.314, 0.462, 0.445)),
                                                    ("obama", (0.567, 0.273, 0.678, 0.430)),
                                                    ("girl", (0.797, 0.744, 0.875, 0.852))],
    "faces/knn_examples/train/alex_lacamoire/img1.jpg": [("alex_lacamoire", (0.317, 0.172, 0.685, 0.440))],
    "faces/knn_examples/train/biden/biden.jpg": [("biden", (0.432, 0.109, 0.764, 0.255))],
    "faces/knn_examples/train/biden/biden2.jpg": [("biden", (0.376, 0.247, 0.762, 0.633))],
    "faces/knn_examples/train/kit_harington/john1.jpeg": [("kit_harington", (0.569, 0.184, 0.677, 0.401))],
    "faces/knn_examples/train/kit_harington/john2.jpeg": [("kit_harington", (0.449, 0.262, 0.746, 0.762))],
    "faces/knn_examples/train/obama/obama.jpg": [("obama", (0.384, 0.125, 0.679, 0.361))],
    "faces/knn_examples/train/obama/obama2.jpg": [("obama", (0.273, 0.242, 0.701, 0.466)),
                                                  ("hard:bystander", (0.80, 0.30, 1.0, 0.54))],
    "faces/knn_examples/train/rose_leslie/img1.jpg": [("rose_leslie", (0.482, 0.140, 0.691, 0.476))],
    "faces/knn_examples/train/rose_leslie/img2.jpg": [("rose_leslie", (0.296, 0.194, 0.761, 0.500))],
    "faces/test_images/32bit.png": [("obama", (0.273, 0.242, 0.701, 0.466)),
                                    ("hard:bystander", (0.80, 0.30, 1.0, 0.54))],
    "faces/test_images/biden.jpg": [("biden", (0.432, 0.109, 0.764, 0.255))],
    "faces/test_images/obama.jpg": [("obama", (0.384, 0.125, 0.679, 0.361))],
    "faces/test_images/obama2.jpg": [("obama", (0.273, 0.242, 0.701, 0.466)),
                                     ("hard:bystander", (0.80, 0.30, 1.0, 0.54))],
    "faces/test_images/obama3.jpg": [("obama", (0.441, 0.119, 0.666, 0.257))],
    "faces/test_images/obama_partial_face.jpg": [("obama", (0.000, 0.125, 0.391, 0.322))],
    "faces/test_images/obama_partial_face2.jpg": [("obama", (0.633, 0.125, 1.000, 0.361))],
    "immich/metadata/faces/portrait.jpg": [("marie", (0.327, 0.251, 0.435, 0.380)),
                                           ("hard:pierre_profile", (0.64, 0.11, 0.77, 0.33))],
    "immich/metadata/faces/portrait-orientation-6.jpg": [("marie", (0.327, 0.251, 0.435, 0.380)),
                                                         ("hard:pierre_profile", (0.64, 0.11, 0.77, 0.33))],
    # Snapshots with people from exif/ and immich/ (labelled by eye).
    "exif/jpg/exif-org/canon-ixus.jpg": [("wedding_guest", (0.389, 0.421, 0.447, 0.498)),
                                         ("bride", (0.458, 0.438, 0.516, 0.515)),
                                         ("groom", (0.508, 0.454, 0.566, 0.531)),
                                         ("hard:photographer", (0.0, 0.43, 0.08, 0.57))],
    "exif/jpg/exif-org/kodak-dc210.jpg": [("devil", (0.455, 0.487, 0.537, 0.596)),
                                          ("cap", (0.011, 0.535, 0.08, 0.627)),
                                          ("hard:smoke", (0.21, 0.34, 0.32, 0.48)),
                                          ("hard:laughing_profile", (0.66, 0.52, 0.77, 0.70)),
                                          ("hard:headband", (0.69, 0.34, 0.81, 0.48))],
    "exif/jpg/exif-org/sony-cybershot.jpg": [("seaside", (0.164, 0.188, 0.222, 0.265))],
    "exif/jpg/exif-org/sony-d700.jpg": [("shop_young", (0.359, 0.238, 0.414, 0.311)),
                                        ("hard:shop_older_profile", (0.11, 0.11, 0.23, 0.28))],
    "exif/jpg/invalid/image00971.jpg": [("ad_boy", (0.777, 0.233, 0.877, 0.511))],
    "exif/jpg/invalid/image01137.jpg": [("ad_girl", (0.102, 0.406, 0.523, 0.984))],
    "exif/tiff/DudleyLeavittUtah.tiff": [("leavitt", (0.337, 0.257, 0.658, 0.506))],
    "exif/jpg/xmp/no_exif.jpg": [("poster", (0.612, 0.056, 0.727, 0.135))],
    "immich/albums/text/craft-beer.jpg": [("bar", (0.464, 0.259, 0.552, 0.39))],
}
# People a few pixels tall (a band on a stage, figures on a field, 100-200 px
# thumbnails): neither found nor false whatever an option does.
IGNORE = {"exif/tiff/BSG1.tiff", "immich/formats/avif/10bit-HDR-P3-nclx.avif", "exif/jpg/tests/nikon_D3100_TypeError.jpg",
          "exif/jpg/Konica_Minolta_DiMAGE_Z3.jpg", "exif/jpg/long_description.jpg"}
BACKGROUNDS = ["exif/heic/mobile/iphone_13_pro_max.heic", "immich/metadata/gps-position/empty_gps.jpg",
               "exif/heic/mobile/HMD_Nokia_8.3_5G_hdr.heif", "exif/jpg/hdr/iphone_hdr_NO.jpg",
               "heif/heif_other/pug.heic", "heif/heif_other/cat.hif"]
SMALL_BACKGROUNDS = ["immich/albums/nature/tanners_ridge.jpg", "immich/albums/nature/prairie_falcon.jpg"]
SIZES = (0.025, 0.03, 0.035, 0.04, 0.045, 0.05, 0.055, 0.06, 0.07, 0.085, 0.10)  # face width / long side


@dataclass
class Option:
    name: str
    run: Callable  # (path) -> list[(box normalized, score)]
    config: object = None  # the DetectorConfig the stage would run with (None: not a stage config)
    decode_cpu: float = 0.0  # CPU seconds spent decoding, summed over the photos


def _timed_load(option: Option, load: Callable, path: str):
    c = time.process_time()
    image = load(path)
    option.decode_cpu += time.process_time() - c
    return image


def detector_option(name: str, config) -> Option:
    from photoorg.engine.faces.detect import FaceAnalyzer

    fa = FaceAnalyzer(config)

    def run(path: str):
        return fa.boxes(_timed_load(option, fa.load, path))
    option = Option(name, run, config)
    return option


def legacy_option(name: str) -> Option:
    """The stage before this comparison, exactly: decoded with the short side
    at >= 1024 px, fitted to 1024 px, HOG on RGB with one upsampling step."""
    from photoorg.engine.faces.detect import _model
    from photoorg.engine.imaging.decode import decode, fit

    def run(path: str):
        image = _timed_load(option, lambda p: decode(p, name=p, target=1024), path)
        small = fit(image, 1024) if max(image.size) > 1024 else image
        rgb = np.ascontiguousarray(np.asarray(small.convert("RGB")))
        h, w = rgb.shape[:2]
        rects, scores, _ = _model("hog").run(rgb, 1, 0.0)
        return [((r.left() / w, r.top() / h, (r.right() + 1) / w, (r.bottom() + 1) / h), s) for r, s in zip(rects, scores)]
    option = Option(name, run, None)
    return option


def adaptive_option(name: str, first, second, small_factor: float = 2.0) -> Option:
    """A cheap first pass; the full one only where the first found a group
    (two faces or more) or a face under ``small_factor`` x its smallest."""
    from photoorg.engine.faces.detect import FaceAnalyzer

    a, b = FaceAnalyzer(first), FaceAnalyzer(second)

    def run(path: str):
        image = _timed_load(option, a.load, path)
        found = a.boxes(image)
        limit = small_factor * first.min_face(max(image.size))
        share = image.width / max(image.size)  # box widths are shares of the width
        if len(found) >= 2 or any((box[2] - box[0]) * share < limit for box, _ in found):
            found = b.boxes(_timed_load(option, b.load, path))
        return found
    option = Option(name, run, None)
    return option


def options(quick: bool) -> list[Option]:
    from photoorg.engine.faces.detect import DetectorConfig as C

    base = C(side=1024, upsample=1, native=False, gray=False)
    opts = [
        legacy_option("before: 1024 up1 rgb"),
        detector_option("1024 up1 rgb, long-side draft", base),
        detector_option("1280 up0 rgb", C(side=1280, upsample=0, gray=False)),
        detector_option("1536 up0 rgb", C(side=1536, upsample=0, gray=False)),
        detector_option("1536 up0 rgb t-0.3", C(side=1536, upsample=0, gray=False, min_score=-0.3)),
        detector_option("1536 up0 gray", C(side=1536, upsample=0, gray=True)),
        detector_option("2048 up0 rgb", C(side=2048, upsample=0, gray=False)),
        detector_option("native 2048 rgb (the stage)", C()),
        detector_option("native 2048 gray", C(gray=True)),
        detector_option("native 2048 gray t-0.2", C(gray=True, min_score=-0.2)),
        detector_option("native 2048 gray t-0.3", C(gray=True, min_score=-0.3)),
        adaptive_option("1280 gray, then native 2048", C(side=1280, upsample=0, gray=True), C()),
    ]
    return [o for o in opts if o.name.startswith(("before", "1024 up1 rgb", "native 2048"))] if quick else opts


def pick(opts: list[Option], only: Optional[list[str]]) -> list[Option]:
    """The options named exactly in ``only`` (the first one stays first: it is
    the speed baseline)."""
    if not only:
        return opts
    names = {o.name for o in opts}
    unknown = [n for n in only if n not in names]
    if unknown:
        raise SystemExit(f"unknown option(s) {unknown}; options: {sorted(names)}")
    return [o for n in only for o in opts if o.name == n]


def _match(found: list, truth: list) -> tuple[dict[int, int], list[int]]:
    """Truth index -> detection index (the detection's centre inside the
    truth box, widths within 2.5x, nearest centre first); unmatched detections."""
    pairs = []
    for i, (_, t) in enumerate(truth):
        tw = t[2] - t[0]
        for j, (d, _) in enumerate(found):
            cx, cy, dw = (d[0] + d[2]) / 2, (d[1] + d[3]) / 2, d[2] - d[0]
            if t[0] <= cx <= t[2] and t[1] <= cy <= t[3] and 0.4 <= dw / max(tw, 1e-6) <= 2.5:
                pairs.append((abs(cx - (t[0] + t[2]) / 2) + abs(cy - (t[1] + t[3]) / 2), i, j))
    got, used = {}, set()
    for _, i, j in sorted(pairs):
        if i not in got and j not in used:
            got[i] = j
            used.add(j)
    return got, [j for j in range(len(found)) if j not in used]


def _face_crops(by_identity: bool = True) -> list[tuple[str, Image.Image, float]]:
    """(identity, crop, face width in the crop) from the six people's photos
    at full resolution, faces of at least 150 px only."""
    from photoorg.engine.imaging.decode import decode

    out, seen = [], set()
    for rel, faces in REAL.items():
        if not rel.startswith("faces/knn_examples"):
            continue
        image = decode(str(SHARED / rel), name=rel)
        for who, (x0, y0, x1, y1) in faces:
            if who in ("girl",) or who.startswith("hard:"):
                continue
            w, h = image.size
            fw = (x1 - x0) * w
            if fw < 150 or (rel, who) in seen:
                continue
            seen.add((rel, who))
            box = (int(x0 * w - 0.45 * fw), int(y0 * h - 0.55 * fw), int(x1 * w + 0.45 * fw), int(y1 * h + 0.65 * fw))
            box = (max(box[0], 0), max(box[1], 0), min(box[2], w), min(box[3], h))
            out.append((who, image.crop(box), fw, (x0 * w - box[0], y0 * h - box[1])))
    return out


def synthetic_groups(folder: Path, seed: int = 0) -> dict[str, list]:
    """Group photos from real face crops at SIZES; returns their truth."""
    from photoorg.engine.imaging.decode import decode

    rng = np.random.default_rng(seed)
    crops = _face_crops()
    truth = {}
    plans = [(bg, (4032, 3024)) for bg in BACKGROUNDS] + [(bg, (1600, 1200)) for bg in SMALL_BACKGROUNDS]
    k = 0
    for n, (bg, size) in enumerate(plans):
        back = decode(str(SHARED / bg), name=bg)
        if back.width < back.height:
            back = back.transpose(Image.Transpose.ROTATE_90)
        sheet = back.resize(size, Image.Resampling.BICUBIC)
        cols, rows = 5, 4
        cw, ch = size[0] / cols, size[1] / rows
        faces = []
        for cell in range(cols * rows):
            who, crop, fw, (ox, oy) = crops[k % len(crops)]
            target = SIZES[k % len(SIZES)] * size[0]
            k += 1
            s = target / fw
            piece = crop.resize((max(1, round(crop.width * s)), max(1, round(crop.height * s))), Image.Resampling.LANCZOS)
            if rng.random() < 0.5:
                piece = piece.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
                ox = crop.width - ox - fw
            mask = Image.new("L", piece.size, 0)
            ImageDraw.Draw(mask).ellipse((0, 0, piece.width - 1, piece.height - 1), fill=255)
            mask = mask.filter(ImageFilter.GaussianBlur(max(1.0, piece.width * 0.04)))
            cx = (cell % cols + 0.5) * cw + rng.uniform(-0.15, 0.15) * cw
            cy = (cell // cols + 0.5) * ch + rng.uniform(-0.15, 0.15) * ch
            px, py = int(cx - piece.width / 2), int(cy - piece.height / 2)
            sheet.paste(piece, (px, py), mask)
            fx0, fy0 = px + ox * s, py + oy * s
            faces.append((f"{who}@{target / size[0]:.3f}",
                          (fx0 / size[0], fy0 / size[1], (fx0 + target) / size[0], (fy0 + target) / size[1])))
        path = folder / f"group{n}_{size[0]}.jpg"
        sheet.save(path, quality=90)
        truth[str(path)] = faces
    return truth


def photo_sets(workdir: Path) -> tuple[dict[str, list], list[str], set[str]]:
    """Truth per labelled photo (real and synthetic), every other photo, and
    the phone-size photos (>= 3000 px long side) for the speed figure."""
    from photoorg.engine.imaging.decode import IMAGE_EXTENSIONS, open_header

    truth = {str(SHARED / rel): faces for rel, faces in REAL.items()}
    truth.update(synthetic_groups(workdir))
    others, big = [], set()
    for p in sorted(SHARED.rglob("*")):
        if not p.is_file() or p.suffix.lower() not in IMAGE_EXTENSIONS:
            continue
        rel = str(p.relative_to(SHARED))
        try:
            size = open_header(str(p), str(p)).size
        except Exception:  # noqa: BLE001 - an unreadable file is no photo here
            continue
        if max(size) >= 3000:
            big.add(str(p))
        if rel not in REAL and rel not in IGNORE and not rel.startswith("faces/"):
            others.append(str(p))
    big.update(p for p in truth if "_4032" in p)
    return truth, others, big


def evaluate(opts: list[Option], truth: dict, others: list[str], big: set[str], dump: Optional[Path]) -> dict:
    rows = {o.name: {"cpu": [], "cpu_big": [], "found": 0, "total": 0, "hard": 0, "hard_total": 0,
                     "by_size": {}, "fp": 0, "fp_where": [], "missed": [], "errors": 0} for o in opts}
    paths = list(truth) + others
    for n, path in enumerate(paths):
        faces = truth.get(path, [])
        for o in opts:  # interleaved: load changes hit every option alike
            r = rows[o.name]
            c = time.process_time()
            try:
                found = o.run(path)
            except Exception:  # noqa: BLE001 - unreadable photos should fail alike for all: counted
                r["errors"] += 1
                continue
            cpu = time.process_time() - c
            r["cpu"].append(cpu)
            if path in big:
                r["cpu_big"].append(cpu)
            got, extra = _match(found, faces)
            for i, (who, box) in enumerate(faces):
                hard = who.startswith("hard:")
                r["hard_total" if hard else "total"] += 1
                if i in got:
                    r["hard" if hard else "found"] += 1
                elif not hard:
                    r["missed"].append(f"{Path(path).name}:{who}")
                if "@" in who:
                    size = float(who.rsplit("@", 1)[1])
                    hit, tot = r["by_size"].get(size, (0, 0))
                    r["by_size"][size] = (hit + (i in got), tot + 1)
            r["fp"] += len(extra)
            for j in extra:
                r["fp_where"].append((path, found[j]))
        if n % 25 == 0:
            print(f"  ... {n}/{len(paths)} photos, load {os.getloadavg()[0]:.1f}", flush=True)
    if dump:
        _dump_false(rows, dump)
    return rows


def _dump_false(rows: dict, folder: Path) -> None:
    """Crops of every false face, to look at (are they really not faces?)."""
    from photoorg.engine.imaging.decode import decode

    folder.mkdir(parents=True, exist_ok=True)
    seen = {}
    for name, r in rows.items():
        for path, (box, score) in r["fp_where"]:
            key = (path, tuple(round(v, 2) for v in box))
            seen.setdefault(key, (score, []))[1].append(name)
    for k, ((path, box), (score, names)) in enumerate(sorted(seen.items())):
        image = decode(path, name=path)
        w, h = image.size
        m = 0.3 * (box[2] - box[0])
        crop = image.crop((int((box[0] - m) * w), int((box[1] - m) * h), int((box[2] + m) * w), int((box[3] + m) * h)))
        crop.thumbnail((160, 160))
        crop.save(folder / f"fp{k:03d}_{Path(path).stem}_{score:+.2f}.png")
        print(f"  fp{k:03d} {Path(path).name} {[round(v, 3) for v in box]} score {score:+.2f}: {', '.join(names)}")


def report(rows: dict, opts: list[Option]) -> None:
    base = np.mean(rows[opts[0].name]["cpu"])
    base_big = np.mean(rows[opts[0].name]["cpu_big"])
    sizes = sorted(next(iter(rows.values()))["by_size"])
    print(f"\n{'option':<30} {'faces':>7} {'hard':>5} {'false':>5} {'ms/photo':>9} {'x':>5} {'decode':>6} {'ms big':>7} {'x':>5} {'err':>3}  "
          + " ".join(f"{s * 100:>4.1f}%" for s in sizes))
    for o in opts:
        r = rows[o.name]
        cpu, cpu_big = np.mean(r["cpu"]) * 1000, np.mean(r["cpu_big"]) * 1000
        by = " ".join(f"{r['by_size'][s][0]:>2}/{r['by_size'][s][1]:<2}" for s in sizes)
        print(f"{o.name:<30} {r['found']:>3}/{r['total']:<3} {r['hard']:>2}/{r['hard_total']:<2} {r['fp']:>5} "
              f"{cpu:>9.0f} {cpu / base / 1000:>5.2f} {o.decode_cpu / len(r['cpu']) * 1000:>6.0f} {cpu_big:>7.0f} {cpu_big / base_big / 1000:>5.2f} {r['errors']:>3}  {by}")
    print("\nmissed (not hard):")
    for o in opts:
        print(f"  {o.name}: {', '.join(rows[o.name]['missed']) or '-'}")


def people_figures(opts: list[Option], truth: dict, workdir: Path) -> None:
    """The faces stage with each stage option on the labelled photos (real and
    synthetic): people against the labelled identities."""
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.faces import metrics
    from dataclasses import replace
    from functools import partial

    from photoorg.engine.faces import stage as faces_stage
    from photoorg.engine.progress import CancelToken
    from photoorg.engine.scan.scanner import scan
    from photoorg.engine.settings import Settings

    lib = workdir / "people_lib"
    if not lib.exists():
        lib.mkdir()
        for k, path in enumerate(truth):
            shutil.copy(path, lib / f"{k:03d}_{Path(path).name}")
    names = {f"{k:03d}_{Path(path).name}": path for k, path in enumerate(truth)}
    print(f"\npeople from the faces found ({len(truth)} labelled photos, one catalog per option):")
    for o in opts:
        if o.config is None:
            continue
        settings = Settings.for_catalog(workdir / f"people_{abs(hash(o.name))}.sqlite", workers=1)
        with Catalog(settings.catalog_path) as cat:
            scan(cat, [str(lib)], settings)
            c = time.process_time()
            stage = replace(faces_stage.STAGE, compute=partial(faces_stage.detect, config=o.config))
            out = stage.run(cat, settings, lambda p: None, CancelToken())  # workers=1: runs in this process
            cpu = time.process_time() - c
            table = cat.face_table()
            refs = [cat.face(int(i)) for i in table["id"]]
            labels = []
            by_photo: dict[str, list] = {}
            for f in refs:
                by_photo.setdefault(f.path, []).append(f)
            ident = {}
            for path, fs in by_photo.items():
                src = names[Path(path).name]
                found = [((f.box[0], f.box[1], f.box[0] + f.box[2], f.box[1] + f.box[3]), 0.0) for f in fs]
                got, _ = _match(found, truth[src])
                back = {j: i for i, j in got.items()}
                for j, f in enumerate(fs):
                    who = truth[src][back[j]][0].split("@")[0] if j in back else f"false:{f.id}"
                    if Path(src).name in ("portrait.jpg", "portrait-orientation-6.jpg") or "knn_examples" in src \
                            or "test_images" in src or "group" in Path(src).name:
                        ident[f.id] = who
                    else:
                        ident[f.id] = f"{Path(src).name}:{who}"
            truth_ids = [ident[f.id] for f in refs]
            pred = np.array([f.person_id if f.person_id is not None else -1 for f in refs])
            pp, pr, pf = metrics.pairwise_prf(pred, truth_ids)
            bp, br, bf = metrics.bcubed(pred, truth_ids)
            print(f"  {o.name:<30} {len(refs)} faces, {len(set(pred[pred >= 0].tolist()))} people, "
                  f"{int((pred < 0).sum())} in none; pairwise P {pp:.3f} R {pr:.3f}; BCubed P {bp:.3f} R {br:.3f} "
                  f"F {bf:.3f}; stage {cpu / out['photos']:.2f} s CPU/photo incl. embeddings")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dump", type=Path, default=None, help="write crops of false faces here")
    ap.add_argument("--quick", action="store_true", help="before, native 2048 (rgb, gray, gray with lower thresholds) only")
    ap.add_argument("--no-people", action="store_true", help="skip the clustering part")
    ap.add_argument("--only", nargs="+", default=None, metavar="NAME", help="these options only (exact names)")
    args = ap.parse_args()
    if not SHARED.is_dir():
        raise SystemExit(f"{SHARED} not found")
    print(f"uptime: {os.popen('uptime').read().strip()}")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HOME"] = tmp
        work = Path(tmp)
        truth, others, big = photo_sets(work)
        opts = pick(options(args.quick), args.only)
        print(f"{sum(len(v) for v in truth.values())} labelled faces in {len(truth)} photos, {len(others)} other photos, "
              f"{len(big)} photos of >= 3000 px; {len(opts)} options")
        rows = evaluate(opts, truth, others, big, args.dump)
        report(rows, opts)
        print(f"uptime: {os.popen('uptime').read().strip()}")
        if not args.no_people:
            people_figures(opts, truth, work)
            print(f"uptime: {os.popen('uptime').read().strip()}")


if __name__ == "__main__":
    main()

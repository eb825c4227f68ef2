"""Face detectors side by side on the real photos of ../shared/photos:
dlib's HOG on the whole photo (the detector before) against the default,
MTCNN with HOG's confirming look around each face (engine/faces/detect.py).
Per photo the faces each finds (matched at IoU >= 0.3), then the totals,
the faces only one of them finds (with MTCNN's probability: look at them
with --sheet) and the CPU per photo of detection, alignment and embedding
(one core), also on 12 MP photos when --corpus names a folder of them
(tests/bench/bench_analyze.py --corpus DIR keeps one).

    nice -n 10 .venv/bin/python tests/bench/bench_face_detectors.py [--corpus DIR] [--sheet OUT.png]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "photos"
FOLDERS = ("people", "faces", "immich", "exif/jpg", "heif", "text")

from photoorg.engine.faces.mtcnn_boxes import iou  # noqa: E402


def analyzers():
    from photoorg.engine.faces.detect import DetectorConfig, FaceAnalyzer

    return {"hog": FaceAnalyzer(DetectorConfig(detector="hog")), "default": FaceAnalyzer()}


def photos(folders) -> list[Path]:
    return [p for d in folders for p in sorted((SHARED / d).rglob("*")) if p.is_file()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, help="a folder of 12 MP JPEGs to time the two detectors on")
    ap.add_argument("--sheet", type=Path, help="save the faces only one detector finds as a contact sheet")
    args = ap.parse_args()
    if not SHARED.is_dir():
        raise SystemExit(f"needs the real photos in {SHARED}")
    fa = analyzers()
    cpu = {k: 0.0 for k in fa}
    found = {k: 0 for k in fa}
    matched, only = 0, {k: [] for k in fa}
    n = 0
    for path in photos(FOLDERS):
        try:
            image = fa["hog"].load(str(path))
        except Exception:  # not a photo, or one the decoder refuses (the scan skips it too)
            continue
        n += 1
        faces = {}
        for name, analyzer in fa.items():
            start = time.process_time()
            faces[name] = analyzer.analyze(image, image.info.get("full_size"))
            cpu[name] += time.process_time() - start
            found[name] += len(faces[name])
        used = set()
        for f in faces["hog"]:
            best = max(range(len(faces["default"])), key=lambda j: iou(f.box, faces["default"][j].box), default=None)
            if best is not None and best not in used and iou(f.box, faces["default"][best].box) >= 0.3:
                used.add(best)
                matched += 1
            else:
                only["hog"].append((path, f))
        only["default"] += [(path, f) for j, f in enumerate(faces["default"]) if j not in used]
    rel = lambda p: str(p.relative_to(SHARED))  # noqa: E731
    print(f"{n} photos: HOG finds {found['hog']} faces, the default {found['default']}; {matched} found by both")
    for name in fa:
        print(f"only {name}: {len(only[name])}")
        for path, f in only[name]:
            print(f"  {rel(path)}  box {tuple(round(v, 3) for v in f.box)}  quality {f.quality:.2f}  "
                  f"score {f.det_score:.2f}")
    print("CPU per photo (detection, alignment, embedding), these photos: "
          + ", ".join(f"{k} {1000 * v / max(n, 1):.0f} ms" for k, v in cpu.items()))
    if args.corpus:
        files = sorted(p for p in args.corpus.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg"))[:100]
        cpu = {k: 0.0 for k in fa}
        for path in files:
            image = fa["hog"].load(str(path))
            for name, analyzer in fa.items():
                start = time.process_time()
                analyzer.analyze(image, image.info.get("full_size"))
                cpu[name] += time.process_time() - start
        print(f"CPU per photo, {len(files)} photos of {args.corpus}: "
              + ", ".join(f"{k} {1000 * v / max(len(files), 1):.0f} ms" for k, v in cpu.items()))
    if args.sheet:
        from PIL import Image, ImageDraw

        tiles = []
        for name in fa:
            for path, f in only[name]:
                im = fa["hog"].load(str(path))
                w, h = im.size
                x0, y0, x1, y1 = f.box[0] * w, f.box[1] * h, f.box[2] * w, f.box[3] * h
                pad = x1 - x0
                tile = im.crop((x0 - pad, y0 - pad, x1 + pad, y1 + pad)).convert("RGB").resize((150, 150))
                ImageDraw.Draw(tile).text((2, 2), f"only {name}", fill="yellow")
                tiles.append(tile)
        sheet = Image.new("RGB", (150 * 6, 150 * max(1, -(-len(tiles) // 6))))
        for i, tile in enumerate(tiles):
            sheet.paste(tile, ((i % 6) * 150, (i // 6) * 150))
        sheet.save(args.sheet)
        print(f"sheet: {args.sheet}")


if __name__ == "__main__":
    main()

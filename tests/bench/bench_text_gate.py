"""The privacy stage's fast text gate, old detector against new, on the real
photos of ../shared/photos: per photo the boxes of the fast pass with
PP-OCRv6 small (the gate of 3 boxes it had) and with PP-OCRv4 mobile (the
gate in ``privacy.text``), the CPU each costs, and for every photo either
gate sends on, the lines the full pass recognizes. Prints the photos the
new gate would lose (4+ recognized lines, not sent), the photos only the
old gate sent and what they read, and the cost per photo.

    nice -n 10 .venv/bin/python tests/bench/bench_text_gate.py [--json OUT]

One core, about 4 minutes on this project's machine.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "photos"
OLD_GATE = 3  # boxes the PP-OCRv6 fast pass needed before this change


def engines():
    from rapidocr import RapidOCR
    from rapidocr.utils.typings import ModelType, OCRVersion

    from photoorg.engine.privacy import text

    base = {"Global.log_level": "error", "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.use_cuda": False}
    fast = {"Det.limit_type": "max", "Det.limit_side_len": text.FAST_SIDE, "Det.box_thresh": text.FAST_BOX_THRESH}
    v4 = {"Det.model_path": str(text.fast_detector_path()), "Det.ocr_version": OCRVersion.PPOCRV4,
          "Det.model_type": ModelType.MOBILE}
    return {"fast_v6": RapidOCR(params={**base, **fast}), "fast_v4": RapidOCR(params={**base, **fast, **v4}),
            "full": RapidOCR(params=base)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, help="write every photo's row here")
    args = ap.parse_args()
    if not SHARED.is_dir():
        raise SystemExit(f"needs the real photos in {SHARED}")
    from photoorg.engine.imaging.decode import decode, fit
    from photoorg.engine.privacy import text

    eng = engines()
    cpu = {k: 0.0 for k in eng}
    rows = []
    for path in sorted(p for p in SHARED.rglob("*") if p.is_file()):
        try:
            image = fit(decode(str(path), name=str(path), target=1024), 1024)
        except Exception:  # not a photo, or one the decoder refuses: the scan skips it too
            continue
        rgb = np.ascontiguousarray(np.asarray(image.convert("RGB")))
        row = {"photo": str(path.relative_to(SHARED))}
        for kind in ("fast_v6", "fast_v4"):
            start = time.process_time()
            found = eng[kind](rgb, use_det=True, use_cls=False, use_rec=False)
            cpu[kind] += time.process_time() - start
            row[kind] = 0 if found.boxes is None else len(found.boxes)
        if row["fast_v6"] >= OLD_GATE or row["fast_v4"] >= text.MIN_FAST_BOXES:
            start = time.process_time()
            found = eng["full"](rgb, use_det=True, use_cls=False, use_rec=True)
            cpu["full"] += time.process_time() - start
            row["lines"] = [t.strip() for t, s in zip(found.txts or (), found.scores or ())
                            if s >= text.MIN_LINE_SCORE and len(t.strip()) >= 2]
        rows.append(row)
    n = len(rows)
    old_sent = [r for r in rows if r["fast_v6"] >= OLD_GATE]
    new_sent = [r for r in rows if r["fast_v4"] >= text.MIN_FAST_BOXES]
    heavy = [r for r in old_sent if len(r["lines"]) >= 4]
    lost = [r for r in heavy if r["fast_v4"] < text.MIN_FAST_BOXES]
    only_old = [r for r in old_sent if r["fast_v4"] < text.MIN_FAST_BOXES]
    print(f"{n} photos decoded")
    print(f"fast pass CPU per photo: PP-OCRv6 small {1000 * cpu['fast_v6'] / n:.0f} ms, "
          f"PP-OCRv4 mobile {1000 * cpu['fast_v4'] / n:.0f} ms")
    print(f"sent on to the full pass: old gate ({OLD_GATE} v6 boxes) {len(old_sent)}, "
          f"new gate ({text.MIN_FAST_BOXES} v4 boxes) {len(new_sent)}")
    weakest = sorted(r["fast_v4"] for r in heavy)[:3]
    print(f"photos with 4+ recognized lines: {len(heavy)}; fewest v4 boxes among them: {weakest}")
    print(f"lost by the new gate: {len(lost)}", *(f"  {r['photo']}" for r in lost), sep="\n")
    print(f"sent only by the old gate: {len(only_old)}, recognized lines there: "
          f"{sum(len(r['lines']) for r in only_old)}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "cpu_s": cpu}, indent=1))


if __name__ == "__main__":
    main()

"""This project's grouping against the tools a user would pick instead, on the
same labelled development set in the same run.

    .venv/bin/pip install --no-deps imagededup PyWavelets   # the bench only
    apt-get install findimagedupes                           # Debian
    .venv/bin/python tests/bench/bench_series_peers.py [--small] [--faces]

The set (engine/series/devset.py) is written as JPEG files with one shared
date (no EXIF: visual evidence alone decides). Each tool's groups are scored
pairwise against the *redundant* labels (the pairs a clean-up may remove):
precision, recall, F1, and photos per second of wall time. photoorg's time
covers scan, embedding, keypoints, verification and ranking (its whole
series analysis); the peers only hash. imagededup's CNN method needs
MobileNet weights downloaded from the network at run time and torchvision:
it is not run (nothing downloads here). findimagedupes runs at its default
threshold and at a looser one.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PHOTOS = REPO.parent / "shared" / "photos"


def imagededup_groups(folder: Path, method: str, threshold: int) -> list[list[str]]:
    # imagededup imports its plotting (matplotlib) and CNN (torchvision)
    # modules at package import; the hashing methods need neither.
    for name, attrs in {"imagededup.utils.plotter": ["plot_duplicates"], "imagededup.utils.models": ["CustomModel"],
                        "imagededup.methods.cnn": ["CNN"]}.items():
        if name not in sys.modules:
            module = types.ModuleType(name)
            for a in attrs:
                setattr(module, a, None)
            sys.modules[name] = module
    import logging

    from imagededup import methods

    logging.getLogger("imagededup").setLevel(logging.WARNING)
    hasher = getattr(methods, method)(verbose=False)
    found = hasher.find_duplicates(image_dir=str(folder), max_distance_threshold=threshold)
    return [[name, *dups] for name, dups in found.items() if dups]


def findimagedupes_groups(folder: Path, threshold: str = "90%") -> list[list[str]]:
    out = subprocess.run(["findimagedupes", "-q", "-t", threshold, str(folder)], capture_output=True, text=True,
                         check=True, timeout=3600)
    groups = []
    for line in out.stdout.splitlines():
        names = [Path(p).name for p in line.split(str(folder) + "/") if p.strip()]
        if len(names) > 1:
            groups.append([n.strip() for n in names])
    return groups


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="the subset the default test run uses")
    parser.add_argument("--faces", action="store_true", help="also run the faces stage (plan safety by faces)")
    args = parser.parse_args()
    if not PHOTOS.is_dir():
        print(f"no photos at {PHOTOS}", file=sys.stderr)
        return 1
    from photoorg.engine.series import devset
    from photoorg.engine.series.deveval import evaluate, format_report, lost_photos, run_pipeline

    items = devset.build(PHOTOS, small=args.small)
    n = len(items)
    print(f"development set: {n} photos, {len({i.moment for i in items})} moments, "
          f"{len({i.scene for i in items})} scenes")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        run = run_pipeline(items, Path(tmp) / "photoorg", faces=args.faces)
        seconds = time.monotonic() - started
        report = evaluate(items, run.groups)
        print("\nphotoorg (this project)\n" + format_report(report))
        lost = lost_photos(items, run.trashed, [])
        print(f"default clean-up: moves {len(run.trashed)} photos, wanted photos among them: {len(lost)} {lost[:5]}")
        firsts = run.original_first
        print(f"original ranked first among its damaged copies: {sum(firsts.values())} of {len(firsts)}")
        rows.append(("photoorg series (embedding + local features)", report.redundant, seconds))
        folder = Path(tmp) / "photoorg" / "photos"
        peers = [("imagededup PHash (distance <= 10)", lambda: imagededup_groups(folder, "PHash", 10)),
                 ("imagededup DHash (distance <= 10)", lambda: imagededup_groups(folder, "DHash", 10)),
                 ("imagededup WHash (distance <= 10)", lambda: imagededup_groups(folder, "WHash", 10)),
                 ("imagededup PHash (distance <= 16)", lambda: imagededup_groups(folder, "PHash", 16))]
        if shutil.which("findimagedupes"):
            peers += [("findimagedupes (default, 90%)", lambda: findimagedupes_groups(folder, "90%")),
                      ("findimagedupes (80%)", lambda: findimagedupes_groups(folder, "80%"))]
        else:
            print("findimagedupes is not installed (apt-get install findimagedupes): not compared")
        for name, fn in peers:
            started = time.monotonic()
            try:
                groups = fn()
            except ImportError as exc:
                print(f"{name}: cannot run ({exc}); pip install --no-deps imagededup PyWavelets")
                continue
            seconds = time.monotonic() - started
            rows.append((name, evaluate(items, [("redundant", g) for g in groups]).redundant, seconds))
    print("\nimagededup CNN: not run (its MobileNet weights download from the network at first use).")
    print(f"\n| tool | precision | recall | F1 | photos/s |\n|---|---|---|---|---|")
    for name, score, seconds in rows:
        print(f"| {name} | {score.precision:.3f} | {score.recall:.3f} | {score.f1:.3f} | {n / seconds:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

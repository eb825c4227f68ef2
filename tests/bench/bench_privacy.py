"""Privacy benchmark on the real photos of ../shared/photos: the cost of
text detection before (one detection + recognition pass at 1024 px on every
photo) and after (concept skip, fast detection-only pass, recognition only
where enough text boxes were found), measured photo by photo in the same run
so that both see the same load; documents found by each; portraits under
the paper's rule and under size thresholds relative to the short side; and
close-people photos under the person-level rule and the subject rule.

    nice -n 10 .venv/bin/python tests/bench/bench_privacy.py [--catalog FILE]
    nice -n 10 .venv/bin/python tests/bench/bench_privacy.py --labelled [--catalog FILE] [--keep FILE]

Without --catalog, ../shared/photos is scanned into a temporary catalog and
the embed and faces stages run first (~1 min on 2 cores).

``--labelled``: the photos of tests/data/privacy_labels.json (text photos:
signs, plates, banners, labels, a menu board, receipts, pages; people at
events and portraits) go through the faces and privacy stages, and every
photo is printed with its label, whether it was flagged private and why,
then per class (personal documents/receipts/screenshots; signs, plates,
banners, menus and shop fronts; people photos) the share flagged, the
reason for each flagged photo and every personal document missed.
``--keep FILE`` saves the analysed catalog: ``--catalog FILE`` then reruns
in seconds (stages already done are skipped).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "photos"


def build_catalog(path: Path):
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.pipeline import run_stages
    from photoorg.engine.scan.scanner import scan
    from photoorg.engine.settings import Settings

    settings = Settings.for_catalog(path, workers=1)
    catalog = Catalog(path)
    scan(catalog, [str(SHARED)], settings)
    run_stages(catalog, settings, only=["embed", "faces"])
    return catalog


def short(path: str) -> str:
    return path.split("photos/", 1)[-1]


def text_costs(catalog) -> None:
    from photoorg.engine.errors import DecodeError
    from photoorg.engine.imaging.decode import decode, fit
    from photoorg.engine.privacy import rules, stage
    from photoorg.engine.privacy.text import detect_text, find_text

    photos = catalog.photos_needing_stage("bench-privacy", 1)
    concepts, has = catalog.feature_matrix(stage.CONCEPT_MODEL, stage.CONCEPT_KIND, [p.content_hash for p in photos])
    # Load both engines before timing.
    from PIL import Image
    warm = Image.new("RGB", (640, 480), "white")
    detect_text(warm)
    find_text(warm)
    before = after = 0.0
    passes: dict[str, int] = {}
    cost: dict[str, float] = {}
    docs_before, docs_after, n = set(), set(), 0
    for i, p in enumerate(photos):
        info = catalog.capture_info(p.content_hash) or {}
        widths = [r[0] for r in catalog.query("SELECT x1 - x0 FROM faces WHERE content_hash = ?", (p.content_hash,))]
        png = (info.get("format") or "").upper() == "PNG" and not info.get("camera_make")
        try:
            t0 = time.perf_counter()
            old = find_text(fit(decode(p.path, name=p.path, target=stage.TEXT_SIDE), stage.TEXT_SIDE))
            t1 = time.perf_counter()
            new, how = stage.text_evidence(p.path, 178.9, concepts[i] if has[i] else None, png)
            t2 = time.perf_counter()
        except DecodeError:
            continue
        n += 1
        before += t1 - t0
        after += t2 - t1
        passes[how] = passes.get(how, 0) + 1
        cost[how] = cost.get(how, 0.0) + t2 - t1
        if rules.is_document(old, widths):
            docs_before.add(short(p.path))
        if rules.is_document(new, widths):
            docs_after.add(short(p.path))
    print(f"text detection on {n} photos, same run, photo by photo:")
    print(f"  before (det+rec at 1024 px on every photo): {before / n:.3f} s/photo ({before:.1f} s)")
    print(f"  after (concept skip, fast det at 640 px, rec where >= 3 boxes): {after / n:.3f} s/photo "
          f"({after:.1f} s), ratio {before / max(after, 1e-9):.1f}x")
    for how, count in passes.items():
        print(f"    {how}: {count} photos, {cost[how] / count:.3f} s/photo")
    print(f"  documents before {len(docs_before)}, after {len(docs_after)}; "
          f"lost {sorted(docs_before - docs_after)}, new {sorted(docs_after - docs_before)}")
    text = sorted(d for d in docs_after if d.startswith("immich/albums/text/"))
    print(f"  immich/albums/text documents after: {len(text)} {text}")


def portraits(catalog) -> None:
    from photoorg.engine.privacy import rules

    rows = catalog.query("SELECT f.content_hash, f.x0, f.y0, f.x1, f.y1, f.full_w, f.full_h FROM faces f")
    by: dict[str, list] = {}
    for r in rows:
        by.setdefault(r[0], []).append(r)
    paths = {r[0]: short(r[1]) for r in catalog.query("SELECT content_hash, path FROM photos WHERE status = 'ok'")}
    variants = {"paper (0.05 of width, any number of faces)": rules.PAPER_PORTRAIT}
    for t in (0.1, 0.15, 0.2, 0.25):
        variants[f"{t} of short side, <= 2 main faces"] = rules.PortraitRule(min_face=t)
    print(f"portraits among {len(paths)} photos ({len(by)} with faces):")
    for name, rule in variants.items():
        hit = sorted(paths.get(h, h) for h, fs in by.items()
                     if rules.is_portrait([tuple(f[1:5]) for f in fs], (fs[0][5], fs[0][6]) if fs[0][5] else None, rule))
        print(f"  {name}: {len(hit)}")
        for h in hit:
            print(f"      {h}")


def close_people(catalog) -> None:
    from photoorg.engine.privacy.rules import CLOSE_MIN_DAYS, CLOSE_MIN_PHOTOS

    old_close = {r[0] for r in catalog.query(
        "SELECT f.person_id FROM faces f JOIN photos p ON p.content_hash = f.content_hash AND +p.status = 'ok' "
        "WHERE f.person_id IS NOT NULL GROUP BY f.person_id HAVING count(DISTINCT f.content_hash) >= ? "
        "AND count(DISTINCT coalesce(substr(p.capture_time, 1, 10), '')) >= ?", (CLOSE_MIN_PHOTOS, CLOSE_MIN_DAYS))}
    old = {short(r[0]) for r in catalog.query(
        "SELECT p.path FROM photos p WHERE p.status = 'ok' AND p.content_hash IN "
        f"(SELECT content_hash FROM faces WHERE person_id IN ({','.join(map(str, old_close)) or 'NULL'}))")}
    new = {short(p.path) for p in catalog.privacy_list() if "close_people" in p.reasons}
    print(f"close people: before (any photo of a person in >= {CLOSE_MIN_PHOTOS} photos over >= {CLOSE_MIN_DAYS} "
          f"dates, file times counted) {len(old_close)} people, {len(old)} photos; after (capture dates only, "
          f"the person is the subject) {len(catalog.close_people())} people, {len(new)} photos")
    print(f"  no longer private: {sorted(old - new)}")


def labelled(catalog_file, keep=None) -> None:
    import json
    import shutil

    from photoorg.engine.catalog import Catalog
    from photoorg.engine.pipeline import run_stages
    from photoorg.engine.scan.scanner import scan
    from photoorg.engine.settings import Settings

    labels = json.loads((REPO / "tests" / "data" / "privacy_labels.json").read_text())["photos"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalog.sqlite"
        settings = Settings.for_catalog(path, workers=1)
        if catalog_file:
            shutil.copy(catalog_file, path)
        catalog = Catalog(path)
        if not catalog_file:
            folders = sorted({str(SHARED / Path(k).parts[0]) if Path(k).parts[0] in ("text", "people", "faces")
                              else str(SHARED / "immich" / "albums" / "text") for k in labels})
            scan(catalog, folders, settings)
        t0 = time.perf_counter()
        run_stages(catalog, settings, only=["faces", "privacy"])
        print(f"faces + privacy stages: {time.perf_counter() - t0:.0f} s")
        seen = {}
        for p in catalog.privacy_list():
            rel = short(p.path)
            if rel in labels:
                seen[rel] = p
        # Three classes, as the issue counts them: what must be flagged, and
        # the two kinds of photo of which at most 2 % may be.
        classes = {"documents, receipts, screenshots (personal text)": [],
                   "signs, plates, banners, menus, shop fronts (text, not personal)": [],
                   "people photos (events, groups, portraits)": []}
        names = list(classes)
        for rel, lab in sorted(labels.items()):
            p = seen.get(rel)
            if p is None:
                print(f"  (not in the catalog: {rel})")
                continue
            flag = "PRIVATE" if p.is_private else "-"
            mark = "" if p.is_private == lab["private"] else "   <-- differs from the label"
            print(f"  {flag:<8} {','.join(p.reasons) or '':<18} {rel:<66} {lab['what']}{mark}")
            key = names[0] if lab["private"] else names[2] if rel.startswith(("people/", "faces/")) else names[1]
            classes[key].append((rel, p, lab))
        print("per class: flagged share, and the reason for each flagged photo")
        for key, items in classes.items():
            flagged = [(rel, p, lab) for rel, p, lab in items if p.is_private]
            print(f"{key}: flagged {len(flagged)} of {len(items)} ({len(flagged) / max(len(items), 1):.1%})")
            for rel, p, lab in flagged:
                print(f"    {rel}: {', '.join(p.reasons)}")
            for rel, p, lab in items:
                if not p.is_private and lab["private"]:
                    print(f"    MISSED {rel} ({lab['what']})")
            for rel, p, lab in items:
                if lab.get("why"):  # the photos whose label was argued: what was seen
                    print(f"    label of {rel}: {'private' if lab['private'] else 'not private'}, {lab['why']}")
        if keep:
            catalog.close()
            shutil.copy(path, keep)
            print(f"catalog kept as {keep} (--catalog {keep} prints these figures again in seconds)")
            return
        catalog.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--catalog", help="a catalog of ../shared/photos where embed and faces ran")
    ap.add_argument("--labelled", action="store_true", help="private flags on the labelled photos, photo by photo")
    ap.add_argument("--keep", metavar="FILE", help="--labelled: copy the catalog there afterwards (to rerun fast)")
    args = ap.parse_args()
    if args.labelled:
        labelled(args.catalog, args.keep)
        return
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    with tempfile.TemporaryDirectory() as tmp:
        if args.catalog:
            from photoorg.engine.catalog import Catalog
            catalog = Catalog(args.catalog)
        else:
            catalog = build_catalog(Path(tmp) / "catalog.sqlite")
        portraits(catalog)
        close_people(catalog)
        text_costs(catalog)
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()

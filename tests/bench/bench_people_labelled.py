"""People on real multi-face photos, against hand-made labels
(tests/data/people_labels.json: party and group photos of people/human and
people/compreface, the face_recognition examples of faces/).

    nice -n 10 .venv/bin/python tests/bench/bench_people_labelled.py [--catalog FILE] [--variants]

Without --catalog, ../shared/photos/people and ../shared/photos/faces are
scanned into a temporary catalog and the faces stage runs (~3 min on 2 busy
cores); with it, a catalog where that already ran is copied and re-clustered.
Printed: pairwise precision/recall, BCubed P/R/F, the share of faces of
reasonable quality (``quality.REVIEW_QUALITY``) that are in a person or
offered as a suggestion, and every person that holds two faces of one photo.
``--variants`` also clusters the same embeddings with the hdbscan package
(min_cluster_size 2) and with plain DBSCAN-like linking, for comparison.

Run with another checkout's interpreter (e.g. the main branch's .venv) to
measure that code: what it lacks (suggestions) is reported as absent.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "photos"
LABELS = REPO / "tests" / "data" / "people_labels.json"


def iou(a, b) -> float:
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def truth_for(faces, labels: dict) -> list[str]:
    """The labelled identity of each face (by box overlap), or a unique
    'unlabelled:' name when no label matches."""
    out = []
    for f in faces:
        rel = f.path.split("photos/", 1)[-1]
        box = (f.box[0], f.box[1], f.box[0] + f.box[2], f.box[1] + f.box[3])
        best = max(labels.get(rel, []), key=lambda e: iou(e["box"], box), default=None)
        out.append(best["who"] if best and iou(best["box"], box) >= 0.5 else f"unlabelled:{f.id}")
    return out


def build_catalog(path: Path):
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.pipeline import run_stages
    from photoorg.engine.scan.scanner import scan
    from photoorg.engine.settings import Settings

    settings = Settings.for_catalog(path, workers=1)
    catalog = Catalog(path)
    scan(catalog, [str(SHARED / "people"), str(SHARED / "faces")], settings)
    run_stages(catalog, settings, only=["faces"])
    return catalog


def figures(name: str, pred, truth, quality, offered, photo) -> dict:
    from photoorg.engine.faces import metrics
    from photoorg.engine.faces.quality import REVIEW_QUALITY

    pred = np.asarray(pred)
    pp, pr, _ = metrics.pairwise_prf(pred, truth)
    bp, br, bf = metrics.bcubed(pred, truth)
    ok = np.asarray(quality) >= REVIEW_QUALITY
    covered = (pred >= 0) | np.asarray(offered, bool)
    clashes = sorted({(int(p), ph) for p, ph in zip(pred, photo) if p >= 0
                      and sum(1 for q, h in zip(pred, photo) if q == p and h == ph) > 1})
    repeat = np.array([sum(1 for u in truth if u == w) > 1 for w in truth]) & ok
    print(f"{name}: pairwise P {pp:.3f} R {pr:.3f} | BCubed P {bp:.3f} R {br:.3f} F {bf:.3f} | "
          f"faces {len(pred)}, of reasonable quality {int(ok.sum())}: assigned {int((ok & (pred >= 0)).sum())}, "
          f"assigned or suggested {int((ok & covered).sum())} ({(ok & covered).sum() / max(ok.sum(), 1):.0%}) | "
          f"of people seen 2+ times: {int((repeat & covered).sum())}/{int(repeat.sum())} | "
          f"people {len(set(pred[pred >= 0].tolist()))} | persons with 2 faces of one photo: {len(clashes)}")
    return {"pairwise_precision": pp, "bcubed_f": bf, "clashes": clashes}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--catalog", help="a catalog of the people and faces photos where the faces stage ran")
    ap.add_argument("--variants", action="store_true", help="also hdbscan and DBSCAN-like on the same faces")
    ap.add_argument("--list", action="store_true", help="print each face: photo, label, person, suggestions")
    args = ap.parse_args()
    labels = json.loads(LABELS.read_text())["photos"]
    with tempfile.TemporaryDirectory() as tmp:
        from photoorg.engine.catalog import Catalog
        from photoorg.engine.faces.people import recluster

        path = Path(tmp) / "catalog.sqlite"
        if args.catalog:
            shutil.copy(args.catalog, path)
            catalog = Catalog(path)
        else:
            catalog = build_catalog(path)
        # Start from nothing the user said: every face automatic, then cluster.
        with catalog.write() as db:
            db.execute("UPDATE faces SET person_id = NULL, assigned_by = NULL, distance = NULL")
            db.execute("DELETE FROM people")
        recluster(catalog)
        t = catalog.face_table()
        faces = [catalog.face(int(i)) for i in t["id"]]
        truth = truth_for(faces, labels)
        photo = [f.content_hash for f in faces]
        pred = np.array([f.person_id if f.person_id is not None else -1 for f in faces])
        from photoorg.engine.faces.suggest import face_suggestions, review_groups

        suggestions = face_suggestions(catalog)
        # Offered: an "is this X?" candidate, or a "new person?" group of 2+ look-alike faces.
        # ("Seen once" is a group of faces that match nobody: not an offer.)
        grouped = {f for g in review_groups(catalog) if g.kind == "new_person" for f in g.face_ids}
        offered = np.array([bool(suggestions.get(f.id)) or f.id in grouped for f in faces])
        figures("people (the faces stage's clustering)", pred, truth, t["quality"], offered, photo)
        if args.list:
            for f, who, p in zip(faces, truth, pred):
                s = ", ".join(f"{c.person_id}:{c.distance:.2f}" for c in suggestions.get(f.id, []))
                print(f"  {f.id:>4} q{f.quality:.2f} {f.path.split('photos/', 1)[-1]:<48} {who:<28} {p:>4}  {s}")
        if args.variants:
            variants(t, truth, photo)
        catalog.close()


def variants(t: dict, truth, photo) -> None:
    import time

    from photoorg.engine.faces.cluster import dbscan_like

    x = t["embedding"]
    none = np.zeros(len(x), bool)
    t0 = time.perf_counter()
    figures("dbscan_like (eps 0.5, no cannot-link)", dbscan_like(x, t["quality"]), truth, t["quality"], none, photo)
    from photoorg.engine.faces.cluster import ClusterParams, constrained_clusters

    _, groups = np.unique(photo, return_inverse=True)
    figures("constrained linkage (eps 0.5, cannot-link)",
            constrained_clusters(x, groups, t["quality"], ClusterParams()), truth, t["quality"], none, photo)
    import hdbscan

    for mcs, ms in ((2, 1), (2, 2), (3, 1)):
        t0 = time.perf_counter()
        lab = hdbscan.HDBSCAN(min_cluster_size=mcs, min_samples=ms).fit(x.astype(np.float64)).labels_
        figures(f"hdbscan (min_cluster_size {mcs}, min_samples {ms}; {time.perf_counter() - t0:.2f} s)",
                lab, truth, t["quality"], none, photo)


if __name__ == "__main__":
    main()

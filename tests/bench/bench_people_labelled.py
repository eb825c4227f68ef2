"""People on real multi-face photos, against hand-made labels
(tests/data/people_labels.json: party and group photos of people/human and
people/compreface, the face_recognition examples of faces/).

    nice -n 10 .venv/bin/python tests/bench/bench_people_labelled.py [--catalog FILE] [--variants]

Without --catalog, ../shared/photos/people and ../shared/photos/faces are
scanned into a temporary catalog and the faces stage runs (~3 min on 2 busy
cores); with it, a catalog where that already ran is copied and re-clustered.
Printed: pairwise precision/recall, BCubed P/R/F, the share of faces of
reasonable quality (``quality.REVIEW_QUALITY``) in each review state (in a
person; in a grouped suggestion, "is this X?" or "a new person?"; unsure,
with its nearest people) and how often the top offer is right, the faces
left out that share a label with another face (a person the clustering could
have joined), every person that holds two faces of one photo, and the same
figures after a user answers Y to every top offer (then a full
re-clustering, which must keep those answers).
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
          f"assigned or offered {int((ok & covered).sum())} ({(ok & covered).sum() / max(ok.sum(), 1):.0%}) | "
          f"of people seen 2+ times: {int((repeat & covered).sum())}/{int(repeat.sum())} | "
          f"people {len(set(pred[pred >= 0].tolist()))} | persons with 2 faces of one photo: {len(clashes)}")
    return {"pairwise_precision": pp, "bcubed_f": bf, "clashes": clashes}


def person_identity(pred, truth) -> dict[int, str]:
    """Each person's identity: the label most of its faces carry."""
    from collections import Counter

    votes: dict[int, Counter] = {}
    for p, w in zip(pred, truth):
        if p >= 0:
            votes.setdefault(int(p), Counter())[w] += 1
    return {p: c.most_common(1)[0][0] for p, c in votes.items()}


def review_states(faces, truth, pred, quality, groups) -> None:
    """Every face of reasonable quality by state: (a) in a person, (b) in a
    grouped suggestion ("is this X?" or "a new person?" of 2+ faces), (c)
    unsure with its candidates; and how often the top offer is right (the
    right person, or a new person when nobody in People is that person)."""
    from photoorg.engine.faces.quality import REVIEW_QUALITY

    ident = person_identity(pred, truth)
    known = set(ident.values())
    who = {f.id: w for f, w in zip(faces, truth)}
    ok = {f.id for f, q in zip(faces, quality) if q >= REVIEW_QUALITY}
    assigned = {f.id for f, p in zip(faces, pred) if p >= 0} & ok
    state: dict[str, list[bool]] = {"grouped": [], "unsure": []}
    nearest_right = []
    for g in groups:
        pure = len({who[f] for f in g.face_ids}) == 1
        for f in g.face_ids:
            w = who[f]
            if g.kind == "is_this":
                right = ident.get(g.person_id) == w
            elif g.kind == "new_person":
                right = w not in known and pure  # one new person, all of them
            else:
                right = w not in known  # "a new person": nobody in People is this face
                cands = g.suggestions.get(f, [])
                if cands:
                    nearest_right.append(ident.get(cands[0].person_id) == w)
            state["unsure" if g.kind == "unsure" else "grouped"].append(right)
    n = len(ok)
    a, b, c = len(assigned), len(state["grouped"]), len(state["unsure"])
    print(f"faces of reasonable quality {n}: (a) in a person {a} ({a / n:.0%}), "
          f"(b) in a grouped suggestion {b} ({b / n:.0%}), (c) unsure with candidates {c} ({c / n:.0%}); "
          f"(a)+(b) {(a + b) / n:.0%}, (a)+(b)+(c) {(a + b + c) / n:.0%}; in no state {n - a - b - c}")
    for key, label in (("grouped", "(b)"), ("unsure", "(c)")):
        rights = state[key]
        print(f"  {label} top offer right (the person, or 'a new person' when nobody known is): "
              f"{sum(rights)}/{len(rights)}" + (f" ({sum(rights) / len(rights):.0%})" if rights else ""))
    if nearest_right:
        print(f"  (c) the nearest listed person right: {sum(nearest_right)}/{len(nearest_right)}")


def could_join(faces, truth, pred, quality, x) -> None:
    """For the faces of reasonable quality in no person and with no close
    candidate: how many share their label with another face (a person seen
    2-3 times that the clustering could have joined), with the distance."""
    from photoorg.engine.faces.quality import REVIEW_QUALITY

    truth = np.asarray(truth)
    loose = [i for i in range(len(faces)) if pred[i] < 0 and quality[i] >= REVIEW_QUALITY]
    again = [i for i in loose if (truth == truth[i]).sum() > 1]
    print(f"faces of reasonable quality in no person: {len(loose)}; of them labelled as someone seen again: "
          f"{len(again)}")
    for i in again:
        others = [j for j in np.nonzero(truth == truth[i])[0] if j != i]
        d = min(float(np.linalg.norm(x[i] - x[j])) for j in others)
        print(f"    face {faces[i].id} {truth[i]}: nearest other face of that label at {d:.2f}")


def held_out(catalog, faces, truth) -> None:
    """The other side of the review: a face of a known person that the
    clustering had missed. Each face of reasonable quality in a person of 2+
    faces is taken out in turn (as unknown, nothing rejected), and its top
    offer is compared with its person."""
    from collections import Counter

    from photoorg.engine.faces.quality import REVIEW_QUALITY
    from photoorg.engine.faces.suggest import review_groups

    person = {f.id: catalog.face(f.id).person_id for f in faces}
    size = Counter(p for p in person.values() if p is not None)
    kinds: Counter = Counter()
    right = 0
    tried = [f for f in faces if person[f.id] is not None and size[person[f.id]] >= 2 and f.quality >= REVIEW_QUALITY]
    for f in tried:
        with catalog.write() as db:
            db.execute("UPDATE faces SET person_id = NULL, assigned_by = NULL WHERE id = ?", (f.id,))
        g = next(g for g in review_groups(catalog) if f.id in g.face_ids)
        kinds[g.kind] += 1
        right += g.kind == "is_this" and g.person_id == person[f.id]
        with catalog.write() as db:
            db.execute("UPDATE faces SET person_id = ?, assigned_by = 'auto' WHERE id = ?", (person[f.id], f.id))
    print(f"held out, one at a time: {len(tried)} faces of people with 2+ faces; offered as {dict(kinds)}; "
          f"'is this <their person>?' {right}/{len(tried)}")


def accept_every_offer(catalog, groups) -> dict:
    """What a user who answers Y to every top offer gets (through the same
    catalog calls as the window and the CLI)."""
    counts = {"into a person": 0, "new people": 0}
    for g in groups:
        if g.kind == "is_this":
            for f in g.face_ids:
                catalog.accept_suggestions([f], g.person_id)
                counts["into a person"] += 1
        elif g.kind == "new_person":
            catalog.accept_as_new_person(g.face_ids)
            counts["new people"] += 1
        else:
            for f in g.face_ids:
                catalog.accept_as_new_person([f])
                counts["new people"] += 1
    return counts


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
            db.execute("DELETE FROM face_rejections")
        recluster(catalog)
        t = catalog.face_table()
        faces = [catalog.face(int(i)) for i in t["id"]]
        truth = truth_for(faces, labels)
        photo = [f.content_hash for f in faces]
        pred = np.array([f.person_id if f.person_id is not None else -1 for f in faces])
        from photoorg.engine.faces.suggest import face_suggestions, review_groups

        suggestions = face_suggestions(catalog)
        groups = review_groups(catalog)
        grouped = {f for g in groups if g.kind == "new_person" for f in g.face_ids}
        unsure = {f for g in groups if g.kind == "unsure" for f in g.face_ids}
        offered = np.array([bool(suggestions.get(f.id)) or f.id in grouped for f in faces])
        before = figures("before review (the faces stage's clustering; offered = 'is this X?' or a 'new person?' "
                         "group)", pred, truth, t["quality"], offered, photo)
        figures("the same, unsure faces counted as offered", pred, truth, t["quality"],
                offered | np.array([f.id in unsure for f in faces]), photo)
        review_states(faces, truth, pred, t["quality"], groups)
        could_join(faces, truth, pred, t["quality"], t["embedding"])
        if args.list:
            for f, who, p in zip(faces, truth, pred):
                kind = next((g.kind for g in groups if f.id in g.face_ids), "")
                cands = next((g.suggestions.get(f.id, []) for g in groups if f.id in g.face_ids), [])
                s = ", ".join(f"{c.person_id}:{c.distance:.2f}" for c in cands)
                print(f"  {f.id:>4} q{f.quality:.2f} {f.path.split('photos/', 1)[-1]:<48} {who:<28} {p:>4}  "
                      f"{kind:<10} {s}")
        held_out(catalog, faces, truth)
        counts = accept_every_offer(catalog, groups)
        recluster(catalog)  # the answers are decisions: a full re-clustering keeps them
        after = np.array([catalog.face(f.id).person_id or -1 for f in faces])
        pinned = sum(1 for f in faces if catalog.face(f.id).assigned_by == "user")
        moved = [(f, w) for f, w, p0, p1 in zip(faces, truth, pred, after) if p0 < 0 and p1 >= 0
                 and catalog.face(f.id).assigned_by != "user"]
        for f, w in moved:
            mates = {w2 for g2, w2 in zip(faces, truth) if catalog.face(g2.id).person_id == catalog.face(f.id).person_id
                     and g2.id != f.id}
            print(f"  after: face {f.id} ({w}, q{f.quality:.2f}) joined a person automatically "
                  f"{'rightly' if mates == {w} else 'WRONGLY, with ' + ', '.join(sorted(mates))} "
                  f"at {catalog.scalar('SELECT distance FROM faces WHERE id = ?', (f.id,))}")
        res = figures(f"after Y to every top offer ({counts}) and a full re-clustering ({pinned} faces pinned)",
                      after, truth, t["quality"], np.zeros(len(faces), bool), photo)
        print(f"pairwise precision before {before['pairwise_precision']:.3f}, after {res['pairwise_precision']:.3f}; "
              f"BCubed F before {before['bcubed_f']:.3f}, after {res['bcubed_f']:.3f}")
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

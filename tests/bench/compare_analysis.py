"""Compare the analysis results of two catalogs of the same photos, per domain.

    .venv/bin/python tests/bench/compare_analysis.py BASELINE.sqlite NEW.sqlite [--root-a DIR --root-b DIR]

Photos are matched by their path below their scanned folder (so two copies of
the same folder compare). Prints, per domain, what differs and the figures
the tolerances are stated on (README, "Analysis: speed"):

- series: groups (as sets of photos) per kind, and each group's pick;
- faces: faces found per photo (count), boxes matched at IoU >= 0.5;
- privacy: the private photos and document kinds;
- events: each album (as a set of photos) and its event label;
- scores: interest (general, quality) per photo, importance in albums:
  mean and largest absolute difference, rank correlation;
- embeddings: cosine similarity of the backbone embeddings.

Exit status 0 always: it reports; the tolerances are judged by a person.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

import numpy as np


def _open(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def _relpaths(conn: sqlite3.Connection, root: str | None) -> tuple[dict[int, str], dict[str, str]]:
    rows = conn.execute("SELECT id, path, content_hash FROM photos WHERE status = 'ok'").fetchall()
    if root is None:
        roots = [r[0] for r in conn.execute("SELECT path FROM roots")] if _has(conn, "roots") else []
        root = min(roots, key=len) if roots else str(Path(rows[0]["path"]).parent)
    def rel(p: str) -> str:
        return str(Path(p).relative_to(root)) if p.startswith(root) else p
    by_id = {r["id"]: rel(r["path"]) for r in rows}
    by_hash: dict[str, str] = {}
    for r in rows:
        by_hash.setdefault(r["content_hash"], rel(r["path"]))
    return by_id, by_hash


def _has(conn, table: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone() is not None


def series(conn, by_id):
    groups = {}
    for s in conn.execute("SELECT id, kind, pick_photo_id FROM series"):
        members = frozenset(by_id[r[0]] for r in conn.execute(
            "SELECT photo_id FROM series_members WHERE series_id = ?", (s["id"],)) if r[0] in by_id)
        first = conn.execute("SELECT photo_id FROM series_members WHERE series_id = ? ORDER BY rank LIMIT 1",
                             (s["id"],)).fetchone()
        groups[(s["kind"], members)] = by_id.get(s["pick_photo_id"] or (first[0] if first else None))
    return groups


def faces(conn, by_hash):
    out: dict[str, list] = {p: [] for p in by_hash.values()}
    for r in conn.execute("SELECT content_hash, x0, y0, x1, y1 FROM faces"):
        if r[0] in by_hash:
            out[by_hash[r[0]]].append(tuple(r[1:]))
    return out


def _iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def privacy(path: str, by_hash):
    from photoorg.engine.catalog import Catalog

    with Catalog(path, readonly=True) as cat:
        private = {by_hash[h] for h in _private_hashes(cat) if h in by_hash}
    conn = _open(path)
    kinds = {by_hash[r[0]]: r[1] for r in conn.execute(
        "SELECT content_hash, doc_kind FROM photo_privacy WHERE document = 1") if r[0] in by_hash}
    return private, kinds


def _private_hashes(cat) -> set[str]:
    out = set()
    for item in cat.private_photos():
        h = item.get("content_hash") if isinstance(item, dict) else getattr(item, "content_hash", item)
        out.add(h)
    return out


def albums(conn, by_id):
    out = {}
    for a in conn.execute("SELECT id, mode, event, event_confidence FROM albums"):
        members = frozenset(by_id[r[0]] for r in conn.execute(
            "SELECT photo_id FROM album_photos WHERE album_id = ?", (a["id"],)) if r[0] in by_id)
        out[(a["mode"], members)] = (a["event"], a["event_confidence"])
    return out


def importance(conn, by_id):
    return {(a, by_id[p]): imp for a, p, imp in conn.execute(
        "SELECT al.mode, ap.photo_id, ap.importance FROM album_photos ap JOIN albums al ON al.id = ap.album_id")
        if p in by_id and imp is not None}


def interest(conn, by_hash):
    out = {}
    for r in conn.execute("SELECT content_hash, quality_raw, dims FROM interest"):
        if r[0] in by_hash:
            dims = json.loads(r[2])
            out[by_hash[r[0]]] = (dims.get("general", dims.get("interest", 0.0)), r[1] or 0.0)
    return out


def embeddings(conn, by_hash):
    out = {}
    for r in conn.execute("SELECT content_hash, data FROM features WHERE model = 'effnet_lite0' AND kind = 'embedding'"):
        if r[0] in by_hash:
            out[by_hash[r[0]]] = np.frombuffer(r[1], "<f2").astype(np.float32)
    return out


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 3:
        return float("nan")
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def _numbers(label: str, a: dict, b: dict) -> dict:
    common = sorted(set(a) & set(b))
    x = np.array([a[k] for k in common], np.float64)
    y = np.array([b[k] for k in common], np.float64)
    d = np.abs(x - y)
    out = {"compared": len(common), "only_a": len(set(a) - set(b)), "only_b": len(set(b) - set(a)),
           "mean_abs_diff": round(float(d.mean()), 4) if len(d) else 0.0,
           "max_abs_diff": round(float(d.max()), 4) if len(d) else 0.0, "spearman": round(_spearman(x, y), 4)}
    print(f"  {label}: {out}")
    return out


def compare(a_path: str, b_path: str, root_a=None, root_b=None) -> dict:
    ca, cb = _open(a_path), _open(b_path)
    ida, ha = _relpaths(ca, root_a)
    idb, hb = _relpaths(cb, root_b)
    report: dict = {"photos": (len(ha), len(hb))}
    print(f"photos: {len(ha)} / {len(hb)}")

    sa, sb = series(ca, ida), series(cb, idb)
    same_groups = set(sa) & set(sb)
    picks_differ = [sorted(k[1])[:3] for k in same_groups if sa[k] != sb[k]]
    report["series"] = {"groups_a": len(sa), "groups_b": len(sb), "same": len(same_groups),
                        "only_a": [(k[0], sorted(k[1])) for k in set(sa) - set(sb)],
                        "only_b": [(k[0], sorted(k[1])) for k in set(sb) - set(sa)],
                        "picks_differ": len(picks_differ)}
    print(f"series: {len(sa)} / {len(sb)} groups, {len(same_groups)} the same, picks differ in {len(picks_differ)}")
    for k in set(sa) - set(sb):
        print(f"  only in A: {k[0]} {sorted(k[1])}")
    for k in set(sb) - set(sa):
        print(f"  only in B: {k[0]} {sorted(k[1])}")

    fa, fb = faces(ca, ha), faces(cb, hb)
    count_diff = {p: (len(fa[p]), len(fb.get(p, []))) for p in fa if len(fa[p]) != len(fb.get(p, []))}
    matched = sum(1 for p in fa for box in fa[p] if any(_iou(box, o) >= 0.5 for o in fb.get(p, [])))
    total_a, total_b = sum(map(len, fa.values())), sum(map(len, fb.values()))
    report["faces"] = {"faces_a": total_a, "faces_b": total_b, "matched_iou_0.5": matched,
                       "photos_with_other_count": count_diff}
    print(f"faces: {total_a} / {total_b} found, {matched} of A's matched in B (IoU >= 0.5); "
          f"{len(count_diff)} photos with another count")
    for p, (x, y) in sorted(count_diff.items()):
        print(f"  {p}: {x} -> {y}")

    pa, ka = privacy(a_path, ha)
    pb, kb = privacy(b_path, hb)
    report["privacy"] = {"private_a": len(pa), "private_b": len(pb), "only_a": sorted(pa - pb),
                         "only_b": sorted(pb - pa),
                         "kinds_differ": sorted(p for p in set(ka) | set(kb) if ka.get(p) != kb.get(p))}
    print(f"privacy: {len(pa)} / {len(pb)} private; only A {sorted(pa - pb)}; only B {sorted(pb - pa)}; "
          f"document kinds differ: {report['privacy']['kinds_differ']}")

    aa, ab = albums(ca, ida), albums(cb, idb)
    same = set(aa) & set(ab)
    events_differ = {tuple(sorted(k[1]))[:2]: (aa[k][0], ab[k][0]) for k in same if aa[k][0] != ab[k][0]}
    conf = [abs((aa[k][1] or 0) - (ab[k][1] or 0)) for k in same]
    report["events"] = {"albums_a": len(aa), "albums_b": len(ab), "same_members": len(same),
                        "events_differ": len(events_differ),
                        "max_confidence_diff": round(max(conf), 4) if conf else 0.0}
    print(f"events: {len(aa)} / {len(ab)} albums, {len(same)} with the same photos, "
          f"{len(events_differ)} with another event; largest confidence change "
          f"{report['events']['max_confidence_diff']}")
    for k, v in events_differ.items():
        print(f"  {k}: {v[0]} -> {v[1]}")

    print("scores:")
    ia, ib = interest(ca, ha), interest(cb, hb)
    report["interest_general"] = _numbers("interest (general)", {k: v[0] for k, v in ia.items()},
                                          {k: v[0] for k, v in ib.items()})
    report["interest_quality_raw"] = _numbers("quality (raw)", {k: v[1] for k, v in ia.items()},
                                              {k: v[1] for k, v in ib.items()})
    report["importance"] = _numbers("importance in albums", importance(ca, ida), importance(cb, idb))

    ea, eb = embeddings(ca, ha), embeddings(cb, hb)
    common = sorted(set(ea) & set(eb))
    cos = np.array([float(ea[k] @ eb[k] / (np.linalg.norm(ea[k]) * np.linalg.norm(eb[k]) + 1e-9)) for k in common])
    report["embedding_cosine"] = {"compared": len(common), "min": round(float(cos.min()), 4) if len(cos) else None,
                                  "mean": round(float(cos.mean()), 4) if len(cos) else None}
    print(f"embeddings: cosine similarity min {report['embedding_cosine']['min']}, "
          f"mean {report['embedding_cosine']['mean']} over {len(common)} photos")
    return report


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--root-a")
    ap.add_argument("--root-b")
    ap.add_argument("--json", metavar="FILE", help="also write the report as JSON")
    args = ap.parse_args(argv)
    report = compare(args.a, args.b, args.root_a, args.root_b)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, default=list))
    return 0


if __name__ == "__main__":
    sys.exit(main())

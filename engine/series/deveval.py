"""Measuring a grouping on the development set (``devset.py``).

A grouping is given as groups of file names with a kind: "redundant" (the
series stage's redundant groups and identical copies; a peer tool's
duplicate sets) or "similar" (stacks of similar moments). Redundant groups
are merged transitively (a photo in two of them links both).

Reported per kind (pairwise precision, recall, F1) and per class (for a
redundant class, the share of its pairs found redundant; for a negative
class, the share of its pairs wrongly called redundant), and the plan's
safety: photos a plan would trash whose moment no kept photo shows.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from .devset import DevItem, pair_class, pair_kind


@dataclass
class KindScore:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int

    def to_json(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "true_pairs": self.true_pairs, "predicted_pairs": self.predicted_pairs}


@dataclass
class Report:
    redundant: KindScore
    same_scene: KindScore  # redundant or similar, against truth redundant or similar
    per_class: dict[str, dict] = field(default_factory=dict)
    false_redundant: list[tuple[str, str, str]] = field(default_factory=list)
    missed_redundant: list[tuple[str, str, str]] = field(default_factory=list)


def _score(tp: int, true_pairs: int, predicted: int) -> KindScore:
    p = tp / predicted if predicted else 1.0
    r = tp / true_pairs if true_pairs else 1.0
    return KindScore(p, r, 2 * p * r / (p + r) if p + r else 0.0, true_pairs, predicted)


def _components(names: Sequence[str], groups: Iterable[Sequence[str]]) -> dict[str, int]:
    parent = {n: n for n in names}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for g in groups:
        g = [n for n in g if n in parent]
        for a, b in zip(g, g[1:]):
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[rb] = ra
    return {n: find(n) for n in names}


def evaluate(items: Sequence[DevItem], groups: Iterable[tuple[str, Sequence[str]]]) -> Report:
    groups = list(groups)
    names = [it.name for it in items]
    redundant = _components(names, [g for kind, g in groups if kind == "redundant"])
    scene = _components(names, [g for kind, g in groups])
    tp = pred = true = 0
    s_tp = s_pred = s_true = 0
    per_class: dict[str, Counter] = defaultdict(Counter)
    report_false, report_missed = [], []
    for a, b in itertools.combinations(items, 2):
        kind = pair_kind(a, b)
        cls = pair_class(a, b)
        linked = redundant[a.name] == redundant[b.name]
        same_scene = scene[a.name] == scene[b.name]
        true += kind == "redundant"
        pred += linked
        tp += linked and kind == "redundant"
        s_true += kind != "different"
        s_pred += same_scene
        s_tp += same_scene and kind != "different"
        c = per_class[f"{kind}:{cls}"]
        c["pairs"] += 1
        c["called_redundant"] += linked
        c["called_same_scene"] += same_scene
        if linked and kind != "redundant":
            report_false.append((cls, a.name, b.name))
        if kind == "redundant" and not linked:
            report_missed.append((cls, a.name, b.name))
    classes = {}
    for key, c in sorted(per_class.items()):
        kind = key.split(":", 1)[0]
        share = c["called_redundant"] / c["pairs"]
        classes[key] = {"pairs": c["pairs"], "recall" if kind == "redundant" else "called_redundant": round(share, 4),
                        "same_scene": round(c["called_same_scene"] / c["pairs"], 4)}
    return Report(_score(tp, true, pred), _score(s_tp, s_true, s_pred), classes, report_false, report_missed)


def lost_photos(items: Sequence[DevItem], trashed: Iterable[str], kept: Iterable[str]) -> list[str]:
    """Trashed photos whose moment no photo that stays shows: a loss a
    person would mind (a person who stepped in, another part of the scene,
    the only shot of a moment)."""
    by_name = {it.name: it for it in items}
    trashed = set(trashed)
    staying_moments = {by_name[n].moment for n in by_name if n not in trashed}
    return sorted(n for n in trashed if n in by_name and by_name[n].moment not in staying_moments)


def format_report(report: Report) -> str:
    lines = [f"redundant pairs: precision {report.redundant.precision:.3f} recall {report.redundant.recall:.3f} "
             f"F1 {report.redundant.f1:.3f} ({report.redundant.true_pairs} true, "
             f"{report.redundant.predicted_pairs} predicted)",
             f"same scene (redundant or similar): precision {report.same_scene.precision:.3f} "
             f"recall {report.same_scene.recall:.3f}"]
    lines.append(f"{'class':34} {'pairs':>6} {'redundant':>10} {'same scene':>10}")
    for key, c in report.per_class.items():
        share = c.get("recall", c.get("called_redundant"))
        lines.append(f"{key:34} {c['pairs']:>6} {share:>10.3f} {c['same_scene']:>10.3f}")
    return "\n".join(lines)


@dataclass
class PipelineRun:
    items: list[DevItem]
    paths: dict[str, str]  # item name -> file path
    groups: list[tuple[str, list[str]]]  # (kind, member names): the catalog's series
    trashed: list[str]  # names the default clean-up plan would move
    kept_reasons: dict[str, str]
    original_first: dict[str, bool]  # moment -> the original ranks first among itself and its damaged copies
    seconds: float = 0.0


def run_pipeline(items: list[DevItem], root, faces: bool = False, timestamp: float = 1.6e9) -> PipelineRun:
    """Write the set into ``root``, scan it into a new catalog, run the
    stages (embed, series, and faces when asked), read back the groups, the
    default clean-up plan and the ranking of each original among its
    damaged copies."""
    import time
    from pathlib import Path

    import numpy as np

    from ..catalog import Catalog
    from ..curation import make_plan
    from ..pipeline import run_stages
    from ..scan.scanner import scan
    from ..settings import Settings
    from .devset import write
    from .ranking import FEATURE_MODEL, SeriesRanking
    from .stage import full_size_first

    root = Path(root)
    paths = {k: str(v) for k, v in write(items, root / "photos", timestamp).items()}
    name_of = {v: k for k, v in paths.items()}
    settings = Settings.for_catalog(root / "catalog.sqlite", workers=2)
    started = time.monotonic()
    with Catalog(settings.catalog_path) as cat:
        scan(cat, [str(root / "photos")], settings)
        stages = ["embed", "series"] + (["faces"] if faces else [])
        outcomes = run_stages(cat, settings, only=stages)
        failed = [o.to_json() for o in outcomes if o.status != "done"]
        if failed:
            raise RuntimeError(f"stages failed: {failed}")
        seconds = time.monotonic() - started
        photo_path = {p.id: p.path for p in cat.photos()}
        groups = []
        for info in cat.series_list():
            kind = "similar" if info.kind == "similar" else "redundant"
            groups.append((kind, [name_of[photo_path[m.photo_id]] for m in info.members]))
        plan = make_plan(cat, settings)
        trashed = [name_of[i.path] for i in plan.items]
        kept = {name_of[k.path]: k.reason for k in plan.kept}
        # The ranker on each original and its damaged copies.
        ranking = SeriesRanking(settings)
        by_name = {name_of[p.path]: p for p in cat.photos()}
        vectors = cat.get_features(FEATURE_MODEL, ranking.feature_kind, [p.content_hash for p in by_name.values()])
        original_first = {}
        for it in items:
            if it.cls != "original":
                continue
            team = [it] + [o for o in items if o.moment == it.moment and o.damaged]
            if len(team) < 2:
                continue
            photos = [by_name[t.name] for t in team]
            if not all(p.content_hash in vectors for p in photos):
                from .stage import ensure_vectors
                from ..progress import CancelToken

                vectors.update(ensure_vectors(cat, settings, ranking, photos, CancelToken()))
            order, _ = ranking.rank(np.stack([vectors[p.content_hash] for p in photos]))
            order = full_size_first(order, [(p.width or 0) * (p.height or 0) for p in photos])
            original_first[it.moment] = order[0] == 0
    return PipelineRun(items, paths, groups, trashed, kept, original_first, seconds)

"""STAGE "series": redundant shots, similar moments and exact duplicates, ranked.

Runs after "embed" (it reads the backbone embeddings). Grouping is
recomputed over the whole library each run: candidates by embedding (a few
per photo), verified by local features (``verified.py``, ``local.py``;
keypoints and pair evidence are cached, so a run costs only what is new).
Series keep a stable key (their earliest photo's content), so a user's pick
survives regrouping; a pick whose series changed kind follows its photo. Ranking uses the PAU head: each member's stream vector
is computed once per content and cached in the features table (model
``pau_ranker``, kind ``vector-<head fingerprint>``), so only new photos
cost a backbone pass. A member whose file cannot be read is ranked last
with no score; it never stops the stage.
"""

from __future__ import annotations

import logging
from typing import Optional

import numpy as np

from ..analysis.backbone_runner import MODEL_NAME, STAGE_OUTPUTS, BackboneRunner, preprocess
from ..pipeline import Stage
from ..progress import CancelToken, ProgressCallback, ProgressMeter
from ..runtime import batches, prefetch_map
from ..settings import Settings
from . import local
from .evidence import PairEvidence, ensure_keypoints
from .grouping import Group, GroupingParams, PhotoItem, exact_duplicates
from .verified import build_groups, candidate_pairs, grouping_window, usable_items, verify_pairs
from .ranking import FEATURE_MODEL, SeriesRanking

log = logging.getLogger(__name__)

NAME = "series"
GROUPING = f"verified-{local.VERSION}"  # series_state 'grouping': what the stored series were grouped by
KINDS = ("series", "similar", "duplicates")
VECTOR_BATCH = 32


def library_items(catalog) -> tuple[list[PhotoItem], dict[int, object]]:
    photos = catalog.photos()
    hashes = list(dict.fromkeys(p.content_hash for p in photos))
    emb = catalog.get_features(MODEL_NAME, "embedding", hashes)
    dh = catalog.get_features(MODEL_NAME, "dhash", hashes)
    items = [PhotoItem(p.id, p.content_hash, p.capture_ts, emb.get(p.content_hash), dh.get(p.content_hash), p.path)
             for p in photos]
    return items, {p.id: p for p in photos}


def ensure_vectors(catalog, settings: Settings, ranking: SeriesRanking, photos: list, cancel: CancelToken,
                   meter: Optional[ProgressMeter] = None) -> dict[str, np.ndarray]:
    """PAU stream vectors by content hash, computing the missing ones."""
    kind = ranking.feature_kind
    wanted = list(dict.fromkeys(p.content_hash for p in photos))
    have = catalog.get_features(FEATURE_MODEL, kind, wanted)
    todo = [p for p in {p.content_hash: p for p in photos}.values() if p.content_hash not in have]
    if todo:  # only after a new ranking head: the per-photo pass made the others (features_stage.py)
        runner = BackboneRunner(settings)
        loaded = prefetch_map(lambda p: _backbone_input(p, settings), todo, workers=max(1, settings.workers),
                              ahead=2 * VECTOR_BATCH)
        for chunk in batches(loaded, VECTOR_BATCH):
            cancel.raise_if_cancelled()
            good = [(h, a) for h, a in chunk if not isinstance(a, str)]
            if good:
                maps = runner.run(np.stack([a for _, a in good]), stages=True)
                vectors = ranking.vectors({s: maps[s] for s in STAGE_OUTPUTS})
                new = {h: v for (h, _), v in zip(good, vectors)}
                catalog.put_features(FEATURE_MODEL, kind, new, dtype="<f2")
                have.update(new)
            for h, a in chunk:
                if isinstance(a, str):
                    log.info("series: cannot rank %s: %s", h, a)
            if meter is not None:
                meter.advance(len(chunk), "ranking")
    return have


def _backbone_input(photo, settings: Settings) -> tuple[str, object]:
    """(content hash, the backbone's input array or the reason it failed)."""
    from ..analysis.embed_stage import image_need
    from ..analysis.worker import reason_of
    from ..imaging.decoded import DecodedPhoto

    need = image_need(photo.width or 0, photo.height or 0, False)
    try:
        return photo.content_hash, preprocess(DecodedPhoto(photo.path, [need], settings.prefs.max_megapixels).image(need))
    except Exception as exc:  # noqa: BLE001 - an unreadable member is ranked last
        return photo.content_hash, reason_of(exc, photo.path)


def _duplicate_members(group: Group, photos: dict) -> list[tuple[int, int, None]]:
    # Among byte-identical copies keep first the one the user rated, then the
    # shortest path (usually the original folder, not a backup copy).
    ordered = sorted(group.members, key=lambda pid: (-(photos[pid].rating or 0), len(photos[pid].path), pid))
    return [(pid, rank, None) for rank, pid in enumerate(ordered, 1)]


def full_size_first(order: list[int], pixels: list[int]) -> list[int]:
    """A downscaled copy never beats the full-size shot: members with under
    half the pixels of the series' largest go after the others. The PAU head
    sees every photo at 224 px and cannot tell a thumbnail from an original."""
    largest = max(pixels) if pixels else 0
    return sorted(order, key=lambda i: pixels[i] * 2 < largest)  # stable: keeps PAU order


def _grouping_state(catalog) -> str:
    row = catalog.db.execute("SELECT value FROM series_state WHERE name = 'grouping'").fetchone()
    return row[0] if row else ""


def run(catalog, settings: Settings, progress: ProgressCallback, cancel: CancelToken,
        params: GroupingParams = GroupingParams()) -> dict:
    meter = ProgressMeter(NAME, progress, total=None)
    meter.emit("grouping")
    previous = _grouping_state(catalog)
    items, photos = library_items(catalog)
    duplicates = exact_duplicates(items)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # small products: one BLAS thread is fastest (see verified.group_verified)
        usable = usable_items(items)
        pairs = candidate_pairs(usable, grouping_window(params))
        cancel.raise_if_cancelled()
        candidates = sorted({int(i) for i in pairs[:, 0]} | {int(j) for j in pairs[:, 1]})
        meter.total = len(candidates)
        ensure_keypoints(catalog, settings, [photos[usable[i].photo_id] for i in candidates], cancel, meter)
        meter.emit("verifying")
        evidence = PairEvidence(catalog)
        verdicts = verify_pairs(usable, pairs, evidence)
        evidence.flush()
    groups = build_groups(usable, verdicts, grouping_window(params))
    cancel.raise_if_cancelled()
    ranked = [g for g in groups if g.kind in ("series", "similar")]
    members = [photos[pid] for g in ranked for pid in g.members]
    meter.total = len(members)
    ranking = SeriesRanking(settings)
    vectors = ensure_vectors(catalog, settings, ranking, members, cancel, meter) if ranked else {}
    user_picks = catalog.user_picks()
    keys: dict[str, list[str]] = {k: [] for k in KINDS}
    unranked = 0
    for g in ranked:
        cancel.raise_if_cancelled()
        pids = g.members
        ok = [pid for pid in pids if photos[pid].content_hash in vectors]
        rows = []
        if len(ok) >= 2:
            order, scores = ranking.rank(np.stack([vectors[photos[pid].content_hash] for pid in ok]))
            order = full_size_first(order, [(photos[pid].width or 0) * (photos[pid].height or 0) for pid in ok])
            rows = [(ok[i], rank, float(round(scores[i], 4))) for rank, i in enumerate(order, 1)]
        elif ok:
            rows = [(ok[0], 1, None)]
        missing = [pid for pid in pids if pid not in ok]
        unranked += len(missing)
        rows += [(pid, len(rows) + k + 1, None) for k, pid in enumerate(missing)]
        sid = catalog.save_series(g.kind, g.key, rows)
        catalog.carry_user_pick(sid, g.kind, user_picks)
        keys[g.kind].append(g.key)
    for g in duplicates:
        catalog.save_series("duplicates", g.key, _duplicate_members(g, photos))
        keys["duplicates"].append(g.key)
    removed = sum(catalog.delete_series_except(kind, k) for kind, k in keys.items())
    with catalog.write() as db:
        db.execute("INSERT INTO series_state(name, value) VALUES ('grouping', ?) "
                   "ON CONFLICT(name) DO UPDATE SET value = excluded.value", (GROUPING,))
    meter.emit("done")
    series = [g for g in ranked if g.kind == "series"]
    similar = [g for g in ranked if g.kind == "similar"]
    return {"series": len(series), "photos_in_series": sum(len(g.members) for g in series),
            "similar_stacks": len(similar), "duplicate_groups": len(duplicates), "unranked": unranked,
            "removed": removed, "candidate_pairs": int(len(pairs)), "pairs_verified": evidence.computed,
            "regrouped_after_upgrade": previous != GROUPING, "head": ranking.head.name}


STAGE = Stage(NAME, run, after=("embed", "series_features"), description="redundant shots, similar moments, exact duplicates, best-shot ranking")

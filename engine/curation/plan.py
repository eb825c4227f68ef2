"""The curation plan: what "keep the best, trash the rest" would move.

Rules, in order of strength:
1. A photo the user protected (rating >= 1 or flag 'pick') is always kept.
2. In a group of redundant shots (kind 'series') the best N are kept: the
   series' pick first, then by rank; photos the user rejected come last.
   Similar-moment stacks (kind 'similar') are planned only when the caller
   names them (``series_ids``) or asks for them (``include_similar``): by
   default a clean-up acts on redundant shots and identical copies only.
2b. Content safety (``series.safety``): a shot that shows a person no kept
   shot shows, or that no kept shot is a redundant copy of (small overlap,
   a changed region), is kept, with the reason.
3. In a group of exact duplicates (kind 'duplicates', same content hash) one
   copy is kept, in the most meaningful place (``places.best_copy``). When a
   series keeper has identical copies, the best-placed copy is the one kept.
4. Keep wins: a photo any rule keeps is never proposed.
5. Only photos in a series are proposed, each with the photos whose survival
   justifies it (``kept_by``); a photo in no series is proposed only when the
   caller asks for rejected photos (flag 'reject' or rating -1).
6. A library-wide plan also proposes true copies of videos (``video.cleanup``),
   the longest copy kept.
The plan is checked against these invariants before it is returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from ..paths import display
from ..settings import Settings
from . import places


@dataclass(frozen=True)
class PlanItem:
    photo_id: int
    path: str  # OS path
    size: int
    mtime_ns: int
    content_hash: str
    series_id: Optional[int]
    reason: str
    kept_by: tuple[int, ...]  # photos that stay and make this one redundant

    def to_json(self) -> dict[str, Any]:
        return {"photo_id": self.photo_id, "path": display(self.path), "size": self.size,
                "series_id": self.series_id, "reason": self.reason, "kept_by": list(self.kept_by)}


@dataclass(frozen=True)
class KeptPhoto:
    photo_id: int
    path: str
    series_id: Optional[int]
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"photo_id": self.photo_id, "path": display(self.path), "series_id": self.series_id,
                "reason": self.reason}


@dataclass
class Plan:
    keep: int
    items: list[PlanItem] = field(default_factory=list)
    kept: list[KeptPhoto] = field(default_factory=list)
    series_ids: list[int] = field(default_factory=list)
    include_rejected: bool = False
    include_similar: bool = False

    @property
    def bytes_freed(self) -> int:
        return sum(i.size for i in self.items)

    def to_json(self) -> dict[str, Any]:
        return {"keep": self.keep, "series": len(self.series_ids), "include_rejected": self.include_rejected,
                "include_similar": self.include_similar,
                "count": len(self.items), "bytes_freed": self.bytes_freed,
                "items": [i.to_json() for i in self.items], "kept": [k.to_json() for k in self.kept]}


class PlanError(AssertionError):
    """The plan broke one of its invariants (a bug, never shown as a plan)."""


def _protected(p) -> bool:
    return (p.rating or 0) >= 1 or p.flag == "pick"


def _rejected(p) -> bool:
    return p.flag == "reject" or p.rating == -1


def make_plan(catalog, settings: Optional[Settings] = None, series_ids: Optional[Iterable[int]] = None,
              keep: int = 1, include_rejected: bool = False, include_similar: bool = False) -> Plan:
    """Propose what to trash. ``series_ids`` limits the plan to some series
    (of any kind); ``include_rejected`` also proposes photos the user rejected
    (even outside series, when the whole library is planned);
    ``include_similar`` adds the similar-moment stacks to a library-wide plan."""
    from ..series.safety import ContentSafety

    if keep < 1:
        raise ValueError("keep must be at least 1: a series is never emptied")
    wanted = None if series_ids is None else set(series_ids)
    all_series = [s for s in catalog.series_list() if (s.id in wanted if wanted is not None
                                                       else include_similar or s.kind != "similar")]
    member_ids = {m.photo_id for s in all_series for m in s.members}
    extra = set(catalog.rejected_photo_ids()) if include_rejected and wanted is None else set()
    photos = catalog.curation_photos(member_ids | extra)
    plan = Plan(keep=keep, series_ids=[s.id for s in all_series], include_rejected=include_rejected,
                include_similar=include_similar)
    safety = ContentSafety(catalog)
    safety.load_faces(p.content_hash for p in photos.values())

    keep_reason: dict[int, tuple[Optional[int], str]] = {}
    # photo id -> (series, reason, kept_by); the first rule to propose it wins
    proposals: dict[int, tuple[Optional[int], str, set[int]]] = {}

    # Rule 3 first: the best-placed copy of every duplicated content.
    winner_of_hash: dict[str, int] = {}
    for s in all_series:
        if s.kind != "duplicates":
            continue
        copies = [photos[m.photo_id] for m in s.members if m.photo_id in photos]
        if not copies:
            continue
        pool = [p for p in copies if _protected(p)] or [p for p in copies if not _rejected(p)]
        if not pool and not include_rejected:
            pool = copies
        if not pool:  # every copy rejected, and the user asked for rejects to go
            for p in copies:
                proposals.setdefault(p.id, (s.id, "rejected by you (every copy)", set()))
            continue
        winner = places.best_copy([(p.id, p.path, p.mtime_ns) for p in pool])
        winner_of_hash[photos[winner].content_hash] = winner
        keep_reason.setdefault(winner, (s.id, "best-placed copy of identical files"))
        for p in copies:
            if p.id != winner:
                proposals.setdefault(p.id, (s.id, f"identical copy of {display(photos[winner].path)}", {winner}))

    # Rule 2: the best N of every series.
    for s in all_series:
        if s.kind == "duplicates":
            continue
        members = [photos[m.photo_id] for m in s.members if m.photo_id in photos]
        if not members:
            continue
        order = {m.photo_id: i for i, m in enumerate(s.members)}
        ranked = sorted(members, key=lambda p: (_rejected(p), p.id != s.pick_photo_id, order[p.id]))
        eligible = [p for p in ranked if not (include_rejected and _rejected(p))]
        keepers = eligible[:keep]
        keeper_ids = {p.id for p in keepers}
        kept_ids = set()
        for rank, p in enumerate(keepers, 1):
            # An identical copy in a better place stands in for this keeper.
            stand_in = winner_of_hash.get(p.content_hash, p.id)
            kept_ids.add(stand_in)
            why = "pick of the series" if p.id == s.pick_photo_id else f"best {rank} of {len(members)}"
            keep_reason.setdefault(stand_in, (s.id, why))
        total = len(members)
        kept_hashes = [photos[k].content_hash for k in kept_ids if k in photos]
        for p in ranked:
            if p.id in keeper_ids:
                continue
            if _rejected(p) and include_rejected:
                why = "rejected by you"
            else:
                unsafe = safety.reason_to_keep(p.content_hash, kept_hashes)
                if unsafe is not None:
                    keep_reason.setdefault(p.id, (s.id, unsafe))
                    continue
                why = f"rank {order[p.id] + 1} of {total}; the series keeps its best {keep}"
            proposals.setdefault(p.id, (s.id, why, set(kept_ids)))
        for p in keepers:
            if p.id not in kept_ids:  # a keeper whose better-placed copy stays
                winner = winner_of_hash[p.content_hash]
                proposals.setdefault(p.id, (s.id, f"identical copy of {display(photos[winner].path)}", {winner}))

    # Rule 1 and rejected photos outside series.
    for p in photos.values():
        if _protected(p):
            keep_reason[p.id] = (keep_reason.get(p.id, (None, ""))[0], "rated or picked by you")
    for pid in sorted(extra - member_ids):
        p = photos.get(pid)
        if p is not None and not _protected(p):
            proposals.setdefault(pid, (None, "rejected by you", set()))

    # Rule 4: keep wins.
    for pid, (sid, why) in keep_reason.items():
        if pid in photos:
            plan.kept.append(KeptPhoto(pid, photos[pid].path, sid, why))
    for pid, (sid, why, kept_by) in proposals.items():
        if pid in keep_reason:
            continue
        p = photos[pid]
        plan.items.append(PlanItem(pid, p.path, p.size, p.mtime_ns, p.content_hash, sid, why,
                                   tuple(sorted(k for k in kept_by if k in keep_reason))))
    plan.items.sort(key=lambda i: (i.series_id is None, i.series_id or 0, i.path))
    plan.kept.sort(key=lambda k: (k.series_id is None, k.series_id or 0, k.path))
    _check(plan, all_series, photos, member_ids, include_rejected)
    if wanted is None:
        # Rule 6: copies of a video (the same clip, a trimmed copy), checked frame
        # by frame (video/cleanup.py); items without a photo id.
        from ..video.cleanup import add_video_copies

        add_video_copies(catalog, plan)
    return plan


def _check(plan: Plan, all_series, photos, member_ids: set[int], include_rejected: bool) -> None:
    """The invariants that make a plan safe to apply."""
    proposed = {i.photo_id for i in plan.items}
    kept = {k.photo_id for k in plan.kept}
    if proposed & kept:
        raise PlanError(f"photos both kept and proposed: {sorted(proposed & kept)}")
    kept_hashes = {photos[k].content_hash for k in kept}
    for item in plan.items:
        p = photos[item.photo_id]
        if _protected(p):
            raise PlanError(f"protected photo {p.id} proposed")
        if item.kept_by:
            if not set(item.kept_by) <= kept:
                raise PlanError(f"photo {p.id} justified by photos that are not kept")
        elif not (include_rejected and _rejected(p)):
            raise PlanError(f"photo {p.id} proposed with nothing kept in its place")
        if item.photo_id not in member_ids and not (include_rejected and _rejected(p)):
            raise PlanError(f"photo {p.id} is in no series")
    for s in all_series:
        ids = [m.photo_id for m in s.members if m.photo_id in photos]
        survivors = [i for i in ids if i not in proposed]
        if s.kind == "duplicates" and not survivors and any(photos[i].content_hash in kept_hashes for i in ids):
            continue
        if ids and not survivors and not any(photos[i].content_hash in kept_hashes for i in ids) \
                and not (include_rejected and all(_rejected(photos[i]) for i in ids)):
            raise PlanError(f"series {s.id} would lose every photo")

"""The Series view's data: one strip per series, members in rank order,
with what a clean-up would do to each (from the curation plan), loaded on a
worker thread by ``load_strips``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Optional

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt

StripRole = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Member:
    photo_id: int
    content_hash: str
    name: str
    rank: Optional[int]
    score: Optional[float]
    is_pick: bool
    goes: bool  # a clean-up with the current "keep" would move it
    why: str  # the plan's reason (kept or moved)
    flag: Optional[str] = None
    rating: Optional[int] = None
    tied: tuple[int, ...] = ()  # ranks of other members with the very same score (the model cannot tell them apart)


@dataclass(frozen=True)
class Strip:
    id: int
    kind: str  # 'series' (redundant shots) | 'similar' (similar moments) | 'duplicates' | 'videos' (copies of a video)
    user_pick: bool
    pick_photo_id: Optional[int]
    members: tuple[Member, ...]
    bytes_freed: int
    capture_ts: Optional[float]

    @property
    def pick(self) -> Optional[Member]:
        return next((m for m in self.members if m.is_pick), None)

    @property
    def best(self) -> Optional[Member]:
        """The ranking model's first (rank 1), whoever is picked now."""
        return next((m for m in self.members if m.rank == 1), None)


def mark_ties(members: list[Member]) -> list[Member]:
    """Members whose scores are equal (as stored) name each other's ranks."""
    import dataclasses

    by_score: dict[float, list[Member]] = {}
    for m in members:
        if m.score is not None:
            by_score.setdefault(round(m.score, 4), []).append(m)
    out = []
    for m in members:
        same = by_score.get(round(m.score, 4), []) if m.score is not None else []
        ties = tuple(sorted(o.rank or 0 for o in same if o.photo_id != m.photo_id))
        out.append(dataclasses.replace(m, tied=ties) if ties else m)
    return out


@dataclass
class StripData:
    strips: list[Strip]
    plan: Any = None  # the curation Plan for every series (None without curation)
    total_bytes: int = 0
    keep: int = 1
    errors: list[str] = field(default_factory=list)
    # Series of the catalog left with one shot (the others cleaned up):
    # not shown as strips, but the view says so instead of "no series yet".
    settled: int = 0


def load_strips(catalog, settings, keep: int) -> StripData:
    """Runs on a worker thread."""
    infos = catalog.series_list()
    rows = catalog.grid_rows([m.photo_id for s in infos for m in s.members])
    plan, goes, why, errors = None, {}, {}, []
    from photoorg.engine.curation import make_plan

    stack_goes, stack_why = {}, {}
    if infos or catalog.scalar("SELECT count(*) FROM video_duplicates"):  # (copies of a video are planned too)
        try:
            # The default clean-up (redundant shots and identical copies) ...
            plan = make_plan(catalog, settings, keep=keep)
            goes = {i.photo_id: i for i in plan.items}
            why = {k.photo_id: k.reason for k in plan.kept}
            # ... and what cleaning a similar-moment stack itself would do.
            stacks = [s.id for s in infos if s.kind == "similar"]
            if stacks:
                stack_plan = make_plan(catalog, settings, series_ids=stacks, keep=keep)
                stack_goes = {(i.series_id, i.photo_id): i for i in stack_plan.items}
                stack_why = {(k.series_id, k.photo_id): k.reason for k in stack_plan.kept}
        except Exception as exc:  # noqa: BLE001 - the strips still show without a plan
            errors.append(f"could not plan a clean-up: {exc}")
    strips, settled = [], 0
    for s in infos:
        members = []
        for m in s.members:
            r = rows.get(m.photo_id)
            if r is None:
                continue
            if s.kind == "similar":
                item = stack_goes.get((s.id, m.photo_id))
                reason = item.reason if item else stack_why.get((s.id, m.photo_id), "")
            else:
                item = goes.get(m.photo_id)
                reason = item.reason if item else why.get(m.photo_id, "")
            members.append(Member(m.photo_id, r.content_hash, r.name, m.rank, m.score,
                                  m.photo_id == s.pick_photo_id, item is not None, reason, r.flag, r.rating))
        if len(members) < 2:
            settled += 1
            continue
        if s.kind != "duplicates":  # identical copies are not ranked by the model
            members = mark_ties(members)
        if s.kind == "similar":
            freed = sum(stack_goes[(s.id, m.photo_id)].size for m in members if (s.id, m.photo_id) in stack_goes)
        else:
            freed = sum(goes[m.photo_id].size for m in members if m.photo_id in goes)
        times = [rows[m.photo_id].capture_ts for m in members if rows[m.photo_id].capture_ts]
        strips.append(Strip(s.id, s.kind, s.user_pick, s.pick_photo_id, tuple(members), freed,
                            min(times) if times else None))
    strips += video_strips(catalog, plan)
    # Redundant shots and copies first (what "Clean up all" acts on), then the stacks the user picks from.
    strips.sort(key=lambda s: (s.kind == "similar", s.capture_ts is None, s.capture_ts or 0, s.id))
    # (Items with neither a series nor a photo are video copies; rejected photos outside series are not counted.)
    total = sum(i.size for i in plan.items if i.series_id is not None or i.photo_id is None) if plan else 0
    return StripData(strips, plan, total, keep, errors, settled)


def video_strips(catalog, plan) -> list[Strip]:
    """Copies of a video (video/cleanup.py) as strips of kind 'videos': the
    copy a clean-up keeps first, each member a video of the grid (its row id
    and poster); the pick cannot be changed here (the longest copy stays)."""
    from photoorg.engine.video.browse import grid_id, poster_key
    from photoorg.engine.video.cleanup import video_groups

    goes = {i.path: i for i in plan.items if i.photo_id is None} if plan else {}
    why = {k.path: k.reason for k in plan.kept if k.photo_id is None} if plan else {}
    out = []
    for g in video_groups(catalog):
        ids = [v.id for v in g.members]
        info = {r[0]: (r[1], r[2]) for r in catalog.query(
            f"SELECT video_id, analysed_at, capture_ts FROM video_info WHERE video_id IN ({','.join('?' * len(ids))})",
            tuple(ids))}
        members = tuple(
            Member(grid_id(v.id), poster_key(v.id, info.get(v.id, (None, None))[0]), os.path.basename(v.path), rank,
                   None, rank == 1, v.path in goes, goes[v.path].reason if v.path in goes else why.get(v.path, ""))
            for rank, v in enumerate(g.members, 1))
        times = [info[v][1] for v in ids if v in info and info[v][1]]
        out.append(Strip(grid_id(g.keeper.id), "videos", False, grid_id(g.keeper.id), members,
                         sum(goes[v.path].size for v in g.members if v.path in goes), min(times) if times else None))
    return out


class SeriesModel(QAbstractListModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.data_: StripData = StripData([])

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.data_.strips)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.data_.strips):
            return None
        strip = self.data_.strips[index.row()]
        if role == StripRole:
            return strip
        if role == Qt.ItemDataRole.DisplayRole:
            return f"series {strip.id}"
        return None

    def set_data(self, data: StripData) -> None:
        """Replace the strips; the layout stays when the same series remain."""
        same = [s.id for s in data.strips] == [s.id for s in self.data_.strips]
        if same:
            self.data_ = data
            if data.strips:
                self.dataChanged.emit(self.index(0), self.index(len(data.strips) - 1))
            return
        self.beginResetModel()
        self.data_ = data
        self.endResetModel()

    def row_of(self, series_id: int) -> int:
        return next((i for i, s in enumerate(self.data_.strips) if s.id == series_id), -1)

    def strip(self, row: int) -> Optional[Strip]:
        return self.data_.strips[row] if 0 <= row < len(self.data_.strips) else None

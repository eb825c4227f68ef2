"""Near-duplicate videos in the clean-up: the same clip twice, or a trimmed
copy, goes to the trash beside the photos' copies (one journaled
transaction, undone like them), the longest / sharpest copy kept.

Only true copies move. The stage's match (duplicates.py: difference hashes
of the sampled frames, aligned) finds candidates; two clips of the same
scene filmed twice can pass it. Before a video is proposed, its frames are
compared with the kept video's at the aligned times, pixel by pixel on small
grey pictures: a re-encoded or trimmed copy differs by its compression only,
another take of the scene by its framing and movement. A copy that fails the
check is kept, with the reason.

Journal items of videos have no photo id; ``video_curation_items`` maps
them to their videos, whose status follows the moves and the undo.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, Optional

import numpy as np

CHECK_FRAMES = 8
CHECK_WIDTH = 64
# Mean absolute difference (0-255) of small grey frames at aligned times (the
# closest of three frames): on clips made here from the real photos (still,
# panning, shaken), re-encoded and trimmed copies measured 0.4-2.3, other
# takes of the same scene (the same photos, other camera paths) 42-63.
MAX_FRAME_DIFF = 7.0
MAX_DURATION_GAP_S = 0.6  # "the same clip": lengths this close


@dataclass(frozen=True)
class VideoFile:
    id: int
    path: str
    size: int
    mtime_ns: int
    duration: float
    pixels: int
    fps: float = 30.0


def _grey(frames: list[np.ndarray]) -> list[np.ndarray]:
    return [f.astype(np.float32).mean(axis=2) for f in frames]


def frame_difference(copy: VideoFile, keeper: VideoFile, offset_s: float) -> Optional[float]:
    """The largest mean difference between the copy's frames and the
    keeper's at the copy's time + ``offset_s``; None when either cannot be read."""
    from .frames import read_frames

    span = max(0.1, copy.duration)
    times = [round(span * (i + 0.5) / CHECK_FRAMES, 3) for i in range(CHECK_FRAMES)]
    a = read_frames(copy.path, times, width=CHECK_WIDTH)
    if len(a.frames) != len(times):
        return None
    # A re-encoded copy's timestamps may be a frame off (another start offset,
    # B-frame delay): each frame is compared with the keeper's frame at the
    # aligned time and the frames either side, the closest one counting.
    step = 1.0 / max(1.0, keeper.fps or 30.0)
    near = []
    for k in (-1, 0, 1):
        b = read_frames(keeper.path, [max(0.0, t + offset_s + k * step) for t in times], width=CHECK_WIDTH)
        if len(b.frames) == len(times):
            near.append(_grey(b.frames))
    if not near:
        return None
    diffs = []
    for i, fa in enumerate(_grey(a.frames)):
        best = None
        for frames in near:
            fb = frames[i]
            if fa.shape != fb.shape:
                h, w = min(fa.shape[0], fb.shape[0]), min(fa.shape[1], fb.shape[1])
                fa_, fb = fa[:h, :w], fb[:h, :w]
            else:
                fa_ = fa
            d = float(np.abs(fa_ - fb).mean())
            best = d if best is None else min(best, d)
        diffs.append(best)
    return max(diffs)


def _files(catalog, ids: Iterable[int]) -> dict[int, VideoFile]:
    from ..paths import fs_path

    ids = list(ids)
    if not ids:
        return {}
    rows = catalog.query(
        f"SELECT v.id, v.path, v.raw_path, v.size, v.mtime_ns, i.duration_s, i.width * i.height, i.fps FROM videos v "
        f"JOIN video_info i ON i.video_id = v.id WHERE v.status = 'ok' AND v.id IN ({','.join('?' * len(ids))})",
        tuple(ids))
    return {r[0]: VideoFile(r[0], fs_path(r[1], r[2]), r[3], r[4], r[5] or 0.0, r[6] or 0, r[7] or 30.0)
            for r in rows}


def _rank(v: VideoFile, place_rank: dict[int, int]) -> tuple:
    """The copy to keep first: the longest, then the most pixels, then the
    best place (curation.places), then the oldest id."""
    return (-round(v.duration, 1), -v.pixels, place_rank.get(v.id, 0), v.id)


@dataclass
class VideoGroup:
    """Videos that are copies of one another (the stage's pairs, joined):
    ``members`` ranked, the one to keep first; ``kinds``: video id -> how it
    was matched ("same clip", "trimmed copy"; none for the first of a pair)."""

    members: list[VideoFile]
    kinds: dict[int, str]

    @property
    def keeper(self) -> VideoFile:
        return self.members[0]


def video_groups(catalog) -> list[VideoGroup]:
    """The groups of near-duplicate videos still on disk, in the order the
    clean-up ranks them (the Series view's strips and ``photoorg series``)."""
    from ..curation import places

    pairs = [tuple(r) for r in catalog.query("SELECT video_id, duplicate_of, kind FROM video_duplicates")]
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for a, b, _ in pairs:
        parent[root(a)] = root(b)
    by_root: dict[int, list[int]] = {}
    for v in list(parent):
        by_root.setdefault(root(v), []).append(v)
    files = _files(catalog, parent)
    kinds = {a: kind for a, _, kind in pairs}
    out = []
    for members in by_root.values():
        group = [files[v] for v in members if v in files and os.path.exists(files[v].path)]
        if len(group) < 2:
            continue
        best = places.best_copy([(v.id, v.path, v.mtime_ns) for v in group])
        place_rank = {v.id: 0 if v.id == best else 1 for v in group}
        group.sort(key=lambda v: _rank(v, place_rank))
        out.append(VideoGroup(group, {v.id: kinds[v.id] for v in group if v.id in kinds}))
    out.sort(key=lambda g: g.keeper.id)
    return out


def video_series_json(catalog) -> list[dict]:
    """``photoorg series``: each group of copied videos, the one a clean-up
    keeps first (rank 1)."""
    from ..paths import display

    return [{"id": g.keeper.id, "kind": "video copies", "pick": display(g.keeper.path),
             "videos": [{"id": v.id, "path": display(v.path), "rank": rank, "duration": round(v.duration, 2),
                         "copy": g.kinds.get(v.id)} for rank, v in enumerate(g.members, 1)]}
            for g in video_groups(catalog)]


@dataclass
class VideoProposal:
    file: VideoFile
    keeper: VideoFile
    reason: str


def video_copies(catalog) -> tuple[list[VideoProposal], list[tuple[VideoFile, str]]]:
    """(copies to trash, videos kept with the reason) from the stored
    near-duplicate pairs, every proposal checked frame by frame."""
    from .duplicates import match
    from .store import signatures

    groups = video_groups(catalog)
    if not groups:
        return [], []
    sigs = {vid: (sig, times) for vid, sig, times, _ in signatures(catalog)}
    proposals, kept = [], []
    for g in groups:
        group = g.members
        keeper = group[0]
        kept.append((keeper, "the longest, sharpest copy of its video"))
        for v in group[1:]:
            sig_v, sig_k = sigs.get(v.id, (None, [])), sigs.get(keeper.id, (None, []))
            m = match(*sig_v, *sig_k)
            if m is None:
                kept.append((v, f"not the same footage as {os.path.basename(keeper.path)}"))
                continue
            # match() places the one with fewer samples onto the other at offset_s.
            offset = m["offset_s"] if len(sig_v[0]) <= len(sig_k[0]) else -m["offset_s"]
            diff = frame_difference(v, keeper, offset)
            if diff is None or diff > MAX_FRAME_DIFF:
                why = "its frames could not be compared" if diff is None else \
                    f"another take, not a copy (frames differ by {diff:.0f}/255)"
                kept.append((v, f"{why}: {os.path.basename(keeper.path)} is kept beside it"))
                continue
            same = abs(v.duration - keeper.duration) <= MAX_DURATION_GAP_S
            what = "the same video as" if same else "a trimmed copy of"
            proposals.append(VideoProposal(v, keeper, f"{what} {os.path.basename(keeper.path)} (kept)"))
    return proposals, kept


def add_video_copies(catalog, plan) -> None:
    """Append the video copies to a library-wide clean-up plan (photo_id
    None; kept_by empty: the keeper is a video, checked on disk here)."""
    from ..curation.fileops import file_hash
    from ..curation.plan import KeptPhoto, PlanItem

    proposals, kept = video_copies(catalog)
    for p in proposals:
        try:
            if os.stat(p.keeper.path).st_size != p.keeper.size:
                continue  # the keeper changed since analysis: nothing moves in its name
            digest = file_hash(p.file.path)
        except OSError:
            continue
        plan.items.append(PlanItem(None, p.file.path, p.file.size, p.file.mtime_ns, digest, None, p.reason, ()))
    for v, why in kept:
        plan.kept.append(KeptPhoto(None, v.path, None, why))


def mark_trashed(catalog, item_ids: list[int]) -> None:
    """Journal items of videos that moved: map them to their videos, which
    leave the library (status 'trashed')."""
    if not item_ids:
        return
    marks = ",".join("?" * len(item_ids))
    with catalog.write() as db:
        db.execute(f"INSERT OR IGNORE INTO video_curation_items(item_id, video_id) SELECT ci.id, v.id "
                   f"FROM curation_items ci JOIN videos v ON v.path = ci.path "
                   f"WHERE ci.id IN ({marks}) AND ci.photo_id IS NULL", tuple(item_ids))
        db.execute(f"UPDATE videos SET status = 'trashed' WHERE status = 'ok' AND id IN "
                   f"(SELECT video_id FROM video_curation_items WHERE item_id IN ({marks}))", tuple(item_ids))


def mark_restored(catalog, item_ids: list[int], status: str = "ok") -> None:
    """Undo: the videos of these journal items are back ('ok'), or lost ('missing')."""
    if not item_ids:
        return
    marks = ",".join("?" * len(item_ids))
    with catalog.write() as db:
        db.execute(f"UPDATE videos SET status = ? WHERE status = 'trashed' AND id IN "
                   f"(SELECT video_id FROM video_curation_items WHERE item_id IN ({marks}))", (status, *item_ids))


__all__ = ["VideoGroup", "add_video_copies", "frame_difference", "mark_restored", "mark_trashed", "video_copies",
           "video_groups", "video_series_json"]

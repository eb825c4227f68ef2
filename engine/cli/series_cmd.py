"""photoorg series: near-duplicate series with their members in rank order.

JSON (``--json``): ``{"series": [{"id", "kind", "pick", "user_pick",
"photos": [{"path", "rank", "score"}, ...]}, ...]}`` with rank 1 = best;
kind is "redundant" (the same moment and framing: bursts, copies, edits,
damaged copies; the default clean-up acts on these), "similar" (a stack of
similar moments: same scene, other framing, people or action; the user
picks) or "duplicates" (identical files); ``video_series``: groups of copied
videos (the same clip, a trimmed copy), the copy a clean-up keeps first.
``--pick SERIES PHOTO`` keeps another shot as the best of a series (the
choice is remembered and is what ``photoorg train-series`` learns from).
"""

from __future__ import annotations

from ..wording import count
import argparse

from ..errors import PhotoOrgError
from ..paths import display
from .common import Context


class UnknownSeries(PhotoOrgError):
    """A series or photo named on the command line does not exist."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("series", help="near-duplicate series, best shot first")
    p.add_argument("--kind", choices=["redundant", "similar", "duplicates", "series", "all"], default="all",
                   help="redundant shots, similar moments, identical copies, or all (default); "
                        "'series' is the old name of 'redundant'")
    p.add_argument("--pick", nargs=2, metavar=("SERIES", "PHOTO"),
                   help="keep PHOTO (a path or photo id) as the best of SERIES")
    p.set_defaults(func=run)


# Catalog kind -> the name the command line shows ('series' rows are redundant shots).
KIND_NAMES = {"series": "redundant", "similar": "similar", "duplicates": "duplicates"}
CATALOG_KINDS = {"redundant": "series", "series": "series", "similar": "similar", "duplicates": "duplicates"}


def series_json(catalog, info) -> dict:
    from ..quality.stage import why_in_series  # sharpness and exposure against the other shots

    photos = {p.id: p for p in catalog.photos(ids=[m.photo_id for m in info.members])}
    pick = photos.get(info.pick_photo_id)
    return {
        "id": info.id, "kind": KIND_NAMES.get(info.kind, info.kind),
        "pick": display(pick.path) if pick else None, "user_pick": info.user_pick,
        "photos": [{"path": display(photos[m.photo_id].path), "rank": m.rank, "score": m.score,
                    "why": why_in_series(catalog, m.photo_id)}
                   for m in info.members if m.photo_id in photos],
    }


def _pick(catalog, series_arg: str, photo_arg: str) -> None:
    try:
        series_id = int(series_arg)
    except ValueError:
        raise UnknownSeries(f"series id must be a number, not {series_arg!r}") from None
    info = catalog.series_by_id(series_id)
    if info is None:
        raise UnknownSeries(f"no series {series_id}; list them with 'photoorg series'")
    members = {m.photo_id for m in info.members}
    photos = catalog.photos(ids=members)
    chosen = [p.id for p in photos if photo_arg in (str(p.id), p.path, display(p.path))]
    if not chosen:
        import os

        target = os.path.abspath(photo_arg)
        chosen = [p.id for p in photos if os.path.abspath(p.path) == target]
    if not chosen:
        raise UnknownSeries(f"{photo_arg} is not a photo of series {series_id}")
    from ..catalog.user_commands import perform, set_series_pick

    perform(catalog, set_series_pick(series_id, chosen[0]))  # journalled: 'photoorg undo --action' reverts it


def run(ctx: Context) -> int:
    args = ctx.args
    with ctx.open(readonly=not args.pick) as catalog:
        if args.pick:
            _pick(catalog, *args.pick)
        infos = catalog.series_list(None if args.kind == "all" else CATALOG_KINDS[args.kind])
        data = {"series": [series_json(catalog, info) for info in infos]}
        if args.kind == "all":
            from ..video.cleanup import video_series_json

            data["video_series"] = video_series_json(catalog)  # copies of a video (video/cleanup.py)
    lines = []
    for s in data["series"]:
        lines.append(f"[{s['id']}] {s['kind']}, {count(len(s['photos']), 'photo')}"
                     + (" (your pick)" if s["user_pick"] else ""))
        for ph in s["photos"]:
            score = "-" if ph["score"] is None else f"{ph['score']:.2f}"
            mark = "*" if ph["path"] == s["pick"] else " "
            why = f"  ({ph['why']})" if ph.get("why") else ""
            lines.append(f"  {mark}{ph['rank'] or '-':>3}  {score:>5}  {ph['path']}{why}")
    for g in data.get("video_series", []):
        lines.append(f"[video {g['id']}] copies of a video, {count(len(g['videos']), 'video')}")
        lines += [f"  {'*' if v['rank'] == 1 else ' '}{v['rank']:>3}  {v['duration']:>7.1f} s  {v['path']}"
                  + (f"  ({v['copy']})" if v["copy"] else "") for v in g["videos"]]
    ctx.emit(data, "\n".join(lines) or "no series yet: run 'photoorg analyze'")
    return 0

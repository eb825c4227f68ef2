"""photoorg videos: the library's videos with their segments and highlights.

    photoorg videos [--json] [--analyse] [--highlights-only]

Each video: id, path, duration, container/codec/size/fps/rotation, capture
time and place, status (ok | partial | skipped, with the reason), segments
(start, end, scene, action, importance) and the highlights; near-duplicates
name the video they copy. ``--analyse`` first runs the videos stage on what
is not analysed yet.
"""

from __future__ import annotations

import argparse

from .common import Context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("videos", help="videos with segments, scenes, actions, importance and highlights")
    p.add_argument("--analyse", "--analyze", action="store_true", help="analyse new or changed videos first")
    p.add_argument("--highlights-only", action="store_true", help="leave the segments out, keep the highlights")
    p.set_defaults(func=run)


def _fmt(s: float) -> str:
    return f"{int(s // 60)}:{s % 60:04.1f}"


def run(ctx: Context) -> int:
    from ..video.store import list_videos

    args = ctx.args
    with ctx.open() as catalog:
        stage_summary = None
        if args.analyse:
            from ..pipeline import run_stages

            outcomes = run_stages(catalog, ctx.settings, only=["videos"])
            stage_summary = [o.to_json() for o in outcomes]
        rows = list_videos(catalog)
    data = []
    lines = []
    for v in rows:
        item = v.to_json()
        if args.highlights_only:
            item.pop("segments")
        data.append(item)
        head = f"{v.id:>5}  {v.path}  {(v.duration_s or 0):.1f} s  {v.status}" + (f" ({v.reason})" if v.reason else "")
        if v.duplicate_of:
            head += f"  [{v.duplicate_of['kind']} of video {v.duplicate_of['id']}]"
        lines.append(head)
        for h in v.highlights:
            lines.append(f"       highlight {h['highlight']}: {_fmt(h['start'])}-{_fmt(h['end'])}  {h['scene']} / "
                         f"{h['action']}  importance {h['importance']:.2f}")
    out = {"videos": data}
    if stage_summary is not None:
        out["analysis"] = stage_summary
    ctx.emit(out, "\n".join(lines) if lines else "no videos in the catalog")
    return 0

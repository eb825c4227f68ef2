"""photoorg clean-series: keep the best N of every group of redundant shots,
trash the rest. Similar-moment stacks are cleaned only when named
(``--series``) or asked for (``--include-similar``); a shot that shows a
person or part of the scene the kept shots lack is never trashed."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from ..curation import apply_plan, make_plan, recover, unfinished_transactions
from ..curation.errors import CurationError
from ..paths import display
from ..series.safety import SAFETY_REASONS
from .common import Context, ProgressPrinter


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("clean-series", help="keep the best of every series, send the rest to the trash")
    p.add_argument("--keep", type=int, default=1, metavar="N", help="photos kept per series (default 1)")
    p.add_argument("--dry-run", action="store_true", help="print the plan, move nothing")
    p.add_argument("--series", type=int, nargs="+", metavar="ID", help="only these series")
    p.add_argument("--include-similar", action="store_true",
                   help="also clean the stacks of similar moments (same scene, other framing or people)")
    p.add_argument("--include-rejected", action="store_true",
                   help="also trash photos you flagged as rejected, in series or not")
    p.add_argument("--quarantine", metavar="FOLDER",
                   help="move into this folder instead of the system trash (default: the preference)")
    p.add_argument("--resume", action="store_true",
                   help="finish a curation that was interrupted (see 'photoorg undo --list')")
    p.set_defaults(func=run)


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} bytes"


def _where(result) -> str:
    return f"the quarantine folder {display(result.destination)}" if result.mode == "quarantine" else "the trash"


def run(ctx: Context) -> int:
    args = ctx.args
    if args.keep < 1:
        raise CurationError("--keep must be at least 1: a series is never emptied")
    printer = ProgressPrinter(quiet=args.dry_run)
    with ctx.open(readonly=args.dry_run) as catalog:
        if args.quarantine:
            prefs = dataclasses.replace(ctx.settings.prefs, trash_mode="quarantine", quarantine_dir=args.quarantine)
            ctx.settings = ctx.settings.with_prefs(prefs)
        unfinished = unfinished_transactions(catalog)
        if args.resume:
            if not unfinished:
                raise CurationError("no interrupted curation to resume")
            result = recover(catalog, ctx.settings, unfinished[0].id, "complete", printer, ctx.cancel)
            printer.finish()
            return _report(ctx, result, {"resumed": True})
        plan = make_plan(catalog, ctx.settings, series_ids=args.series, keep=args.keep,
                         include_rejected=args.include_rejected, include_similar=args.include_similar)
        if args.dry_run:
            for t in unfinished:
                sys.stderr.write(f"photoorg: note: curation {t.id} was interrupted; "
                                 f"'photoorg undo {t.id}' puts its files back\n")
            lines = [f"would move {len(plan.items)} files ({human_size(plan.bytes_freed)}) from "
                     f"{len(plan.series_ids)} series, keeping the best {plan.keep} of each"]
            lines += [f"  {display(i.path)}  ({i.reason})" for i in plan.items]
            lines += [f"  keeps {display(k.path)}  ({k.reason})" for k in plan.kept if k.reason in SAFETY_REASONS]
            ctx.emit({"dry_run": True, "transaction_id": None, **plan.to_json(),
                      "would_move": [i.to_json() for i in plan.items]}, "\n".join(lines))
            return 0
        result = apply_plan(catalog, ctx.settings, plan, printer, ctx.cancel)
    printer.finish()
    return _report(ctx, result, {"keep": plan.keep, "series": len(plan.series_ids)})


def _report(ctx: Context, result, extra: dict) -> int:
    if result.transaction_id is None:
        ctx.emit({"dry_run": False, **result.to_json(), **extra}, "nothing to move: every series keeps all it has")
        return 0
    lines = [f"moved {len(result.moved)} files ({human_size(result.bytes_freed)}) to {_where(result)}; "
             f"transaction {result.transaction_id} (undo with 'photoorg undo {result.transaction_id}')"]
    lines += [f"  {display(o.path)} -> {display(o.dest)}" for o in result.moved]
    lines += [f"  skipped {display(o.path)}: {o.reason}" for o in result.skipped]
    lines += [f"  FAILED {display(o.path)}: {o.reason}" for o in result.failed]
    if result.not_moved:
        lines.append(f"  {len(result.not_moved)} files not moved ({'cancelled' if result.cancelled else 'stopped'})")
    ctx.emit({"dry_run": False, **result.to_json(), **extra}, "\n".join(lines))
    if result.error or result.failed:
        reason = result.error or (
            f"{len(result.failed)} files could not be moved ({result.failed[0].reason}); they were not touched")
        sys.stderr.write(f"photoorg: {reason}\n")
        return 1
    return 130 if result.cancelled else 0

"""photoorg undo [TRANSACTION]: put back the files of a curation."""

from __future__ import annotations

import argparse
import sys
import time

from ..curation import transactions, undo, unfinished_transactions
from ..paths import display
from .clean_series_cmd import human_size
from .common import Context, ProgressPrinter


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("undo", help="restore the files of the last (or the given) curation")
    p.add_argument("transaction", type=int, nargs="?", metavar="TRANSACTION",
                   help="transaction id (default: the latest one not undone)")
    p.add_argument("--list", action="store_true", help="list curation transactions, interrupted ones first")
    p.add_argument("--action", type=int, nargs="?", const=0, metavar="ID",
                   help="undo a journalled action instead (a folder removal, a pick, a name...; "
                        "default: the latest one not undone)")
    p.set_defaults(func=run)


def _list(ctx: Context) -> int:
    with ctx.open(readonly=True) as catalog:
        rows = transactions(catalog)
        unfinished = unfinished_transactions(catalog)
    lines = []
    for t in unfinished:
        lines.append(f"INTERRUPTED: curation {t.id} ({t.state}); 'photoorg undo {t.id}' puts its files back")
    for t in rows:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(t.created_at))
        counts = ", ".join(f"{n} {s}" for s, n in sorted(t.counts.items()))
        lines.append(f"{t.id:>5}  {when}  {t.state:<9} {t.mode:<10} {human_size(t.bytes_moved):>10}  {counts}")
    ctx.emit({"transactions": [t.to_json() for t in rows], "unfinished": [t.to_json() for t in unfinished]},
             "\n".join(lines) or "no curation yet")
    return 0


def _undo_action(ctx: Context) -> int:
    with ctx.open() as catalog:
        action = catalog.last_action() if not ctx.args.action else \
            next((a for a in catalog.actions(limit=10_000) if a.id == ctx.args.action), None)
        if action is None or action.state != "done":
            sys.stderr.write("photoorg: no such action to undo" + (f" ({ctx.args.action})" if ctx.args.action else "")
                             + "\n")
            return 1
        drifted = catalog.undo_action(action.id)
    ctx.emit({"action": action.id, "kind": action.kind, "label": action.label, "rows": action.rows,
              "changed_since": drifted}, f"undone: {action.label} (action {action.id})")
    return 0


def run(ctx: Context) -> int:
    if ctx.args.list:
        return _list(ctx)
    if ctx.args.action is not None:
        return _undo_action(ctx)
    printer = ProgressPrinter()
    with ctx.open() as catalog:
        result = undo(catalog, ctx.settings, ctx.args.transaction, printer, ctx.cancel)
    printer.finish()
    lines = [f"restored {len(result.restored)} files of curation {result.transaction_id}"]
    lines += [f"  {display(o.path)}" + (f"  ({o.reason})" if o.reason else "") for o in result.restored]
    lines += [f"  LOST {display(o.path)}: {o.reason}" for o in result.lost]
    lines += [f"  FAILED {display(o.path)}: {o.reason}" for o in result.failed]
    ctx.emit(result.to_json(), "\n".join(lines))
    if not result.complete:
        why = (f"{len(result.failed)} files could not be put back ({result.failed[0].reason}); "
               f"run 'photoorg undo {result.transaction_id}' again once fixed") if result.failed else \
            "undo was cancelled; run it again to finish"
        sys.stderr.write(f"photoorg: {why}\n")
        return 1
    if result.lost:
        sys.stderr.write(f"photoorg: {len(result.lost)} files were no longer in the trash\n")
        return 1
    return 0

"""photoorg scan PATH...: add or refresh folders in the catalog."""

from __future__ import annotations

import argparse
import os
import sys

from ..scan.scanner import NothingToScan, scan
from .common import Context, ProgressPrinter


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scan", help="add or refresh photo folders")
    p.add_argument("paths", nargs="+", metavar="PATH", help="folders to scan")
    p.add_argument("--workers", type=int, default=None, help="reader processes (default: CPU cores)")
    p.set_defaults(func=run)


def run(ctx: Context) -> int:
    printer = ProgressPrinter()
    if not any(os.path.isdir(os.path.expanduser(p)) for p in ctx.args.paths):
        # Refused before the catalog is opened: a mistyped path stores nothing.
        raise NothingToScan(f"no such folder: {', '.join(ctx.args.paths)}; nothing was added")
    with ctx.open() as catalog:
        summary = scan(catalog, ctx.args.paths, ctx.settings, printer, ctx.cancel)
    printer.finish()
    result = summary.to_json()
    lines = [
        f"{summary.added} added, {summary.updated} updated, {summary.unchanged} unchanged, "
        f"{summary.moved} moved, {summary.missing} missing, {len(summary.skipped)} skipped"
        + (f", {summary.videos} videos recorded" if summary.videos else "")
        + f" in {summary.elapsed_s:.1f}s"
    ]
    for item in summary.skipped:
        lines.append(f"  skipped {item['path']}: {item['reason']}")
    if summary.cancelled:
        lines.append("cancelled: everything read so far is saved; scan again to finish")
    for path in summary.refused:
        lines.append(f"no such folder: {path} (not added to the library)")
    ctx.emit(result, "\n".join(lines))
    if summary.refused:
        print(f"photoorg scan: no such folder: {', '.join(summary.refused)}; it was not added", file=sys.stderr)
    return 130 if summary.cancelled else 2 if summary.refused else 0

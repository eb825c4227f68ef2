"""photoorg analyze: run every analysis stage not yet done."""

from __future__ import annotations

import argparse

from ..pipeline import run_stages, stages
from ..stage_failures import failure_line
from .common import Context, ProgressPrinter


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="run every analysis stage not yet done")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default=None,
                   help="where models run (default: the saved preference, auto)")
    p.add_argument("--only", nargs="+", metavar="STAGE", default=None,
                   help=f"run only these stages ({', '.join(s.name for s in stages())})")
    p.set_defaults(func=run)


def run(ctx: Context) -> int:
    printer = ProgressPrinter()
    with ctx.open() as catalog:
        outcomes = run_stages(catalog, ctx.settings, printer, ctx.cancel, ctx.args.only)
        # The files a stage could not read, by name (not a bare "failed 1").
        failures = {o.name: failure_line(catalog, o.name) for o in outcomes if o.summary.get("failed")}
    printer.finish()
    lines = []
    for o in outcomes:
        detail = ", ".join(f"{k} {v}" for k, v in o.summary.items()
                           if isinstance(v, (int, float, str)) and not (k == "failed" and failures.get(o.name)))
        lines.append(f"{o.name}: {o.status} in {o.seconds:.1f}s" + (f" ({detail})" if detail else "")
                     + (f" - {o.error}" if o.error else ""))
        if failures.get(o.name):
            lines.append("  " + failures[o.name])
    ctx.emit({"stages": [o.to_json() for o in outcomes]}, "\n".join(lines) or "nothing to do")
    if any(o.status == "cancelled" for o in outcomes):
        return 130
    return 1 if any(o.status == "failed" for o in outcomes) else 0

"""photoorg doctor: what this machine lacks, with the command that installs it."""

from __future__ import annotations

import argparse

from .. import doctor
from .common import Context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="check what this machine has and lacks (window, tools, GPU, catalog)")
    p.add_argument("--only", nargs="+", choices=doctor.CHECKS, metavar="CHECK",
                   help=f"run only these checks ({', '.join(doctor.CHECKS)})")
    p.set_defaults(func=run)


def run(ctx: Context) -> int:
    checks = doctor.run_checks(ctx.settings.catalog_path, ctx.args.only)
    required_ok = all(c.ok for c in checks if c.required)
    lines = []
    for c in checks:
        lines.append(f"{c.status:<11} {c.name:<9} {c.detail}")
        if c.fix:
            lines.append(f"{'':<21} to install: {c.fix}")
    lines.append("everything the organizer needs is here" if required_ok
                 else "something the organizer needs is missing (see above)")
    ctx.emit({"ok": required_ok, "checks": [c.to_json() for c in checks]}, "\n".join(lines))
    return 0 if required_ok else 1

"""photoorg gui: open the window (the default with no subcommand)."""

from __future__ import annotations

import argparse
import importlib

from .common import Context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the window")
    p.add_argument("paths", nargs="*", metavar="PATH", help="folders to add and scan on start")
    p.set_defaults(func=run)


def run(ctx: Context) -> int:
    # Imported by name: the engine never imports Qt; the window is the app's.
    app_main = importlib.import_module("photoorg.app.main")
    return app_main.run(ctx.settings, ctx.args.paths)

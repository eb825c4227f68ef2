"""photoorg install-desktop [--uninstall]: the menu entry, icons and AppStream
metadata for this user (under $XDG_DATA_HOME)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import desktop
from ..errors import PhotoOrgError
from .common import Context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("install-desktop",
                       help="add the organizer to this user's application menu (and 'Open with' for folders)")
    p.add_argument("--uninstall", action="store_true", help="remove what install-desktop added")
    p.set_defaults(func=run)


def run(ctx: Context) -> int:
    if ctx.args.uninstall:
        removed = desktop.uninstall()
        ctx.emit({"removed": [str(p) for p in removed]},
                 f"removed {len(removed)} files" + "".join(f"\n  {p}" for p in removed))
        return 0
    # The entry opens the catalog given here, else the default one.
    catalog = Path(ctx.args.catalog).expanduser().absolute() if ctx.args.catalog else None
    try:
        files = desktop.install(catalog=catalog)
    except (OSError, FileNotFoundError) as exc:
        raise PhotoOrgError(f"cannot install the desktop entry: {exc}") from None
    ctx.emit({"installed": {k: str(p) for k, p in files.items()}},
             f"installed {desktop.APP_ID} for this user:" + "".join(f"\n  {p}" for p in files.values()))
    return 0

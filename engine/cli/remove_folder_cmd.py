"""photoorg remove-folder PATH: a library folder leaves the catalog.

Its photos leave the catalog with everything known about them; the files
are not touched. It is one journalled action: ``photoorg undo --action``
brings every row back (picks, stars, albums and series with it).
"""

from __future__ import annotations

import argparse

from ..catalog.user_commands import library_root, perform, remove_folder
from ..paths import display
from .common import Context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("remove-folder", help="remove a library folder and its photos from the catalog (files stay)")
    p.add_argument("path", metavar="PATH", help="the library folder: its path, or its name when that is unique")
    p.set_defaults(func=run)


def run(ctx: Context) -> int:
    with ctx.open() as catalog:
        root = library_root(catalog, ctx.args.path)
        action_id, removed = perform(catalog, remove_folder(root))
    ctx.emit({"folder": root, "photos_removed": removed, "action": action_id},
             f"removed {display(root)} from the library: {removed} photos left the catalog, the files stay; "
             f"'photoorg undo --action {action_id}' brings them back")
    return 0

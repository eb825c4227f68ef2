"""The ``photoorg`` console script: every capability as a subcommand.

Each subcommand lives in its own module with ``register(subparsers)``, listed
in ``COMMAND_MODULES`` (a listed module that fails to import is an error). Exit status: 0 on success, 1 with a one-line
reason on a domain error, 2 on bad usage, 130 when cancelled with Ctrl-C.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import signal
import sys
from typing import Optional, Sequence

from ..errors import Cancelled, PhotoOrgError
from ..progress import CancelToken
from .common import Context, build_settings, describe_fault

COMMAND_MODULES = [
    "scan_cmd",
    "analyze_cmd",
    "series_cmd",
    "albums_cmd",
    "people_cmd",
    "clean_series_cmd",
    "undo_cmd",
    "remove_folder_cmd",
    "export_story_cmd",
    "train_series_cmd",
    "train_events_cmd",
    "train_interest_cmd",
    "train_video_cmd",
    "videos_cmd",
    "gui_cmd",
    "doctor_cmd",
    "install_desktop_cmd",
]


def _common_options(default) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--catalog", metavar="FILE", default=default(None),
                        help="catalog file (default: the per-user catalog)")
    common.add_argument("--json", action="store_true", default=default(False),
                        help="machine-readable output on stdout")
    common.add_argument("-v", "--verbose", action="store_true", default=default(False),
                        help="log details to stderr")
    return common


def _command_module(argv: Sequence[str]) -> Optional[str]:
    """The module of the subcommand named in ``argv``, so that only it is
    imported (the window starts faster without every command's imports)."""
    tokens = iter(argv)
    for token in tokens:
        if token == "--catalog":
            next(tokens, None)  # its value
            continue
        if token.startswith("-"):
            continue
        module = token.replace("-", "_") + "_cmd"
        return module if module in COMMAND_MODULES else None
    return None


def _no_positional(argv: Sequence[str]) -> bool:
    tokens = iter(argv)
    for token in tokens:
        if token == "--catalog":
            next(tokens, None)
        elif not token.startswith("-"):
            return False
    return True


def build_parser(only: Optional[str] = None) -> argparse.ArgumentParser:
    # The options are accepted before and after the subcommand; the copy on
    # the subcommands has no defaults, so it never hides a value given before.
    common = _common_options(lambda value: argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="photoorg", parents=[_common_options(lambda value: value)],
        description="Organize a photo library: series, albums, events, people, curation.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    original_add = sub.add_parser

    def add_parser(name, **kwargs):  # every subcommand accepts the common options too
        kwargs.setdefault("parents", [common])
        return original_add(name, **kwargs)

    sub.add_parser = add_parser  # type: ignore[method-assign]
    for name in [only] if only else COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    only = _command_module(argv)
    if only is None and not any(a in ("-h", "--help") for a in argv) and _no_positional(argv):
        only, argv = "gui_cmd", ["gui", *argv]  # no subcommand: open the window
    parser = build_parser(only)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr,
    )
    cancel = CancelToken()
    ctx = Context(args, build_settings(args), cancel)

    # Ctrl-C asks long work to stop at the next item (the catalog stays
    # consistent); a second Ctrl-C interrupts immediately.
    def on_sigint(signum, frame):
        if cancel.cancelled:
            signal.default_int_handler(signum, frame)
        cancel.cancel()
        sys.stderr.write("\ncancelling... (Ctrl-C again to force)\n")

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        return args.func(ctx)
    except BrokenPipeError:  # output piped into head or similar
        sys.stderr.close()
        return 0
    except Cancelled:
        sys.stderr.write("photoorg: cancelled\n")
        return 130
    except KeyboardInterrupt:
        sys.stderr.write("photoorg: interrupted\n")
        return 130
    except (PhotoOrgError, Exception) as exc:  # one line, exit 1: never a traceback
        if isinstance(exc, PhotoOrgError):
            message = str(exc)
        else:
            if args.verbose:
                logging.getLogger("photoorg").exception("%s", type(exc).__name__)
            message = describe_fault(exc, ctx.settings.catalog_path)
        message = " ".join(message.split())
        if ctx.json:
            sys.stdout.write(json.dumps({"error": message}) + "\n")
        sys.stderr.write(f"photoorg: {message}\n")
        return 1
    finally:
        signal.signal(signal.SIGINT, previous)


if __name__ == "__main__":
    sys.exit(main())

"""What every subcommand shares: settings, opening the catalog, output.

Machine-readable results go to stdout (``--json``), progress and logs to
stderr, so ``photoorg series --json | jq`` works while a bar is drawn.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, TextIO

from ..catalog import Catalog
from ..faults import describe_fault  # noqa: F401 - the command line's one-line errors
from ..progress import CancelToken, Progress
from ..settings import Preferences, Settings, default_catalog_path


@dataclass
class Context:
    args: argparse.Namespace
    settings: Settings
    cancel: CancelToken

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    def open(self, *, readonly: bool = False) -> Catalog:
        """Open the catalog; the stored preferences then replace the defaults."""
        catalog = Catalog(self.settings.catalog_path, readonly=readonly)
        stored = catalog.get_pref("preferences", {})
        overrides = {k: v for k, v in vars(self.args).items() if k in ("device",) and v}
        prefs = Preferences.from_dict({**stored, **overrides})
        self.settings = self.settings.with_prefs(prefs)
        return catalog

    def emit(self, data: Any, text: Optional[str] = None) -> None:
        """Print the result: JSON with --json, else the human text (or JSON)."""
        if self.json or text is None:
            json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
            sys.stdout.write("\n")
        else:
            sys.stdout.write(text.rstrip("\n") + "\n")
        sys.stdout.flush()


def build_settings(args: argparse.Namespace) -> Settings:
    path = Path(args.catalog) if args.catalog else default_catalog_path()
    overrides: dict[str, Any] = {}
    if getattr(args, "workers", None):
        overrides["workers"] = args.workers
    return Settings.for_catalog(path, **overrides)


class ProgressPrinter:
    """A one-line bar on a terminal, a line every few seconds otherwise."""

    def __init__(self, stream: TextIO = sys.stderr, quiet: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet
        self.tty = stream.isatty()
        self._last = 0.0
        self._stage = ""

    def __call__(self, p: Progress) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        final = p.total is not None and p.done >= p.total
        if not self.tty and not final and p.stage == self._stage and now - self._last < 5:
            return
        self._last = now
        if p.total:
            frac = min(p.done / p.total, 1.0)
            bar = "#" * int(frac * 24)
            count = f"[{bar:<24}] {p.done}/{p.total}"
        else:
            count = f"{p.done}"
        eta = f" ~{p.eta_s:.0f}s left" if p.eta_s and p.eta_s > 1 else ""
        line = f"{p.stage}: {count} {p.rate:.1f}/s{eta} {p.message}"[:120]
        if self.tty:
            end = "\n" if p.stage != self._stage and self._stage else ""
            self.stream.write(end + "\r" + line.ljust(120))
        else:
            self.stream.write(line + "\n")
        self._stage = p.stage
        self.stream.flush()

    def finish(self) -> None:
        if self.tty and self._stage and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()


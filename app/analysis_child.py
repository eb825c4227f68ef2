"""The analysis process the window starts: ``python -m photoorg.app.analysis_child CATALOG``.

Analysis runs models whose native code holds Python's GIL for long stretches
(seconds while a model loads or exports, a tenth of a second per face with
dlib); in the window's own process that would freeze the window. So it runs
here, in a separate process, and reports on stdout one JSON object per line:
``{"progress": {...}}`` while it works and ``{"outcomes": [...]}`` at the end
(``{"error": "..."}`` if it could not run). SIGINT (or a line "cancel" on
stdin) cancels at the next item, like Ctrl-C on ``photoorg analyze``.

No Qt here: this module is imported by a process that never shows a window.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from dataclasses import asdict
from typing import Optional, Sequence

from photoorg.engine.catalog import Catalog
from photoorg.engine.errors import PhotoOrgError
from photoorg.engine.pipeline import run_stages
from photoorg.engine.progress import CancelToken, Progress
from photoorg.engine.settings import Preferences, Settings

LOCKED_EXIT = 75  # the catalog's lock was not free (the parent then runs analysis itself)


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, default=str) + "\n")
    sys.stdout.flush()


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="photoorg-analysis")
    parser.add_argument("catalog")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args(argv)
    cancel = CancelToken()
    signal.signal(signal.SIGINT, lambda *_: cancel.cancel())

    def watch_stdin() -> None:
        for line in sys.stdin:
            if line.strip() == "cancel":
                cancel.cancel()
                return

    threading.Thread(target=watch_stdin, daemon=True).start()
    settings = Settings.for_catalog(args.catalog, workers=max(1, args.workers))
    try:
        catalog = Catalog(settings.catalog_path)
    except PhotoOrgError as exc:
        _emit({"error": " ".join(str(exc).split())})
        return LOCKED_EXIT if "in use" in str(exc) else 1
    try:
        settings = settings.with_prefs(Preferences.from_dict(catalog.get_pref("preferences", {}) or {}))
        outcomes = run_stages(catalog, settings, lambda p: _emit({"progress": asdict(p)}), cancel,
                              args.only or None)
        _emit({"outcomes": [o.to_json() for o in outcomes]})
    finally:
        catalog.close()
    return 130 if cancel.cancelled else 0


def progress_from(data: dict) -> Progress:
    return Progress(**{k: data.get(k) for k in ("stage", "done", "total", "message", "rate", "eta_s")})


if __name__ == "__main__":
    sys.exit(main())

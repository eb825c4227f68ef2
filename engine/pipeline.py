"""The analysis pipeline: a chain of small, idempotent stages.

scan -> embed (backbone embeddings, concepts) -> series (grouping, ranking)
-> faces -> privacy -> interest -> albums (albums, events, importance).

Each stage module exposes ``STAGE``; each stage does only the work not done
yet (per-content state in the catalog), so ``photoorg analyze`` can be run
again after any interruption or rescan. A stage that fails is reported and the
stages that depend on it are skipped; the others still run.
"""

from __future__ import annotations

import importlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .errors import Cancelled, PhotoOrgError
from .progress import CancelToken, ProgressCallback, no_progress
from .settings import Settings

log = logging.getLogger(__name__)

# In run order. A module not written yet is skipped (the pipeline grows as
# capabilities land); tests/test_pipeline.py lists which ones exist.
STAGE_MODULES = [
    "photoorg.engine.analysis.embed_stage",
    "photoorg.engine.series.stage",
    "photoorg.engine.faces.stage",
    "photoorg.engine.privacy.stage",
    "photoorg.engine.interest.stage",
    "photoorg.engine.albums.stage",
    "photoorg.engine.video.stage",
    "photoorg.engine.xmp.stage",
]

StageFn = Callable[[Any, Settings, ProgressCallback, CancelToken], dict]


@dataclass(frozen=True)
class Stage:
    name: str
    run: StageFn  # (catalog, settings, progress, cancel) -> JSON-able summary
    after: tuple[str, ...] = ()  # stages whose results this one needs
    description: str = ""


@dataclass
class StageOutcome:
    name: str
    status: str  # done | failed | skipped | cancelled
    seconds: float = 0.0
    summary: dict = field(default_factory=dict)
    error: Optional[str] = None

    def to_json(self) -> dict:
        out = {"stage": self.name, "status": self.status, "seconds": round(self.seconds, 2), **self.summary}
        if self.error:
            out["error"] = self.error
        return out


def stages() -> list[Stage]:
    found = []
    for name in STAGE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        found.append(module.STAGE)
    return found


def run_stages(catalog, settings: Settings, progress: ProgressCallback = no_progress,
               cancel: Optional[CancelToken] = None, only: Optional[list[str]] = None) -> list[StageOutcome]:
    cancel = cancel or CancelToken()
    outcomes: list[StageOutcome] = []
    failed: set[str] = set()
    for stage in stages():
        if only and stage.name not in only:
            continue
        if failed.intersection(stage.after):
            outcomes.append(StageOutcome(stage.name, "skipped", error="an earlier stage it needs failed"))
            failed.add(stage.name)
            continue
        started = time.monotonic()
        try:
            summary = stage.run(catalog, settings, progress, cancel) or {}
            outcomes.append(StageOutcome(stage.name, "done", time.monotonic() - started, summary))
        except (Cancelled, KeyboardInterrupt):
            outcomes.append(StageOutcome(stage.name, "cancelled", time.monotonic() - started))
            break
        except PhotoOrgError as exc:  # a reason for the user, not a bug: no traceback
            log.warning("stage %s: %s", stage.name, exc)
            failed.add(stage.name)
            outcomes.append(StageOutcome(stage.name, "failed", time.monotonic() - started, error=str(exc)))
        except Exception as exc:  # noqa: BLE001 - one stage's bug must not stop the others
            from .faults import describe_fault, is_fault

            if is_fault(exc):  # a full disk, a read-only catalog...: a sentence, no traceback
                message = describe_fault(exc, getattr(catalog, "path", None))
                log.warning("stage %s: %s", stage.name, message)
                failed.add(stage.name)
                outcomes.append(StageOutcome(stage.name, "failed", time.monotonic() - started, error=message))
                continue
            log.exception("stage %s failed", stage.name)
            failed.add(stage.name)
            outcomes.append(StageOutcome(stage.name, "failed", time.monotonic() - started,
                                         error=f"{type(exc).__name__}: {exc}"))
    return outcomes

"""The analysis pipeline: per-photo stages over one decode, then library stages.

The API (stable: other domains build on it)
-------------------------------------------
A domain adds analysis by putting a module named ``stage.py`` or
``<something>_stage.py`` in its package under ``engine/`` that defines
``STAGE``; nothing else lists it. A module that fails to import is an error,
never a skip. Its tables go in the package's ``schema.py`` (``MIGRATIONS``,
found the same way by ``catalog.schema``); its catalog queries in the
package's ``queries.py`` or ``*_queries.py`` (a mixin class named by
``QUERIES``, found by ``catalog.stores``: ``Catalog`` is composed from them
and a method name defined twice is an error); an inspector section is a function
``INSPECTOR(catalog, details) -> [(title, [(key, value)])]`` in the stage
module (``inspector_providers()`` lists them for the window).

A **per-photo stage** is a function from one photo's inputs to its result::

    STAGE = PhotoStage(
        name="quality", version=1,                 # bump version: every photo is done again
        image=Need("long", 1024),                  # pixels it needs (None: none)
        compute=measure,                           # PhotoInput -> result (a worker process)
        write=save,                                # (catalog, [(Photo, result)]) -> counts or None
        reads=("faces",),                          # per-photo stages whose results it uses
        load=load_inputs,                          # (catalog, [Photo]) -> {content_hash: value}
    )

``compute`` runs in a worker process (module-level functions only: they are
looked up by stage name there) and gets a ``PhotoInput``: ``.photo``,
``.settings``, ``.image()`` (its ``Need``, derived in memory from the one
decode of the file that serves every pending stage), ``.upstream[name]``
(the result of a stage in ``reads`` computed for this photo in the same pass)
and ``.loaded`` (what ``load`` read from the catalog in the main process).
It raises ``DecodeError`` (or any exception) for a photo it cannot do: that
photo is marked failed with the reason, the file is named in the log and in
the summary, and the other photos go on. ``compute_batch`` (a list of inputs
-> a list of results or exceptions) replaces ``compute`` for models that
batch across photos (ONNX). ``prepare(settings)`` runs once in the main
process before any worker starts (export models, check the device);
``finish(catalog, settings, progress, cancel) -> dict`` runs after the pass
(a library-wide step such as clustering people). Keys of a dict result that
start with ``_`` stay in the worker (inputs of later stages, not written).

The **runner** (``analysis.runner``) owns the loop: the to-do query (photo
contents with no finished run at the stage's version: a new version retries
every photo, failures included), one decode per file per analysis at the
largest size any pending stage needs, a process pool sized to the machine,
progress, cancel (work finished so far is written), per-photo failures and
the summary. A **library stage** (series, albums, ...) stays a whole-library
function: ``Stage(name, run, after=...)`` with ``run(catalog, settings,
progress, cancel) -> dict`` (``uses``: stages it reads when they ran, run
before it). Both kinds run with ``run_stages``, dependencies first; a stage
whose ``after`` stage failed is skipped, the others still run.
``STAGE.run(...)`` runs one stage alone (per-photo stages through the runner).
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Optional, Union

from .errors import Cancelled, PhotoOrgError
from .progress import CancelToken, ProgressCallback, no_progress
from .settings import Settings

log = logging.getLogger(__name__)

StageFn = Callable[[Any, Settings, ProgressCallback, CancelToken], dict]


@dataclass(frozen=True)
class Need:
    """Pixels a per-photo stage needs, upright RGB, as the decoder would give
    them when asked alone: ``Need("short", 640)`` at least 640 px on the short
    side where the file has them (JPEG DCT scaling picks the smallest such
    decode; callers shrink further), ``Need("long", 1024)`` fitted to 1024 px
    on the long side (never enlarged); ``Need("short", 1024, fit=1024)`` the
    first, then fitted. Stages asking for the same Need share one image."""

    side: str  # "short" | "long"
    size: int
    fit: Optional[int] = None  # then fitted to this long side (a "short" need as decode + fit)


# A stage whose size depends on the file: (full width, full height, is JPEG) -> Need.
NeedFn = Callable[[int, int, bool], Need]


@dataclass
class PhotoInput:
    photo: Any  # catalog.photos.Photo
    settings: Settings
    upstream: dict[str, Any] = field(default_factory=dict)
    loaded: Any = None
    _image: Optional[Callable[[], Any]] = None

    def image(self):
        """This stage's pixels (a PIL image; ``info["full_size"]`` the upright
        full size); raises ``DecodeError`` when the file cannot be decoded."""
        if self._image is None:
            raise RuntimeError("this stage declared no image need")
        return self._image()


@dataclass(frozen=True)
class Stage:
    """A library stage: one function over the whole library."""

    name: str
    run: StageFn  # (catalog, settings, progress, cancel) -> JSON-able summary
    after: tuple[str, ...] = ()  # stages whose results this one needs (skipped when one failed)
    description: str = ""
    uses: tuple[str, ...] = ()  # stages whose results it reads when there (run first; a failure does not skip it)


@dataclass(frozen=True)
class PhotoStage:
    """A per-photo stage (see the module's docstring)."""

    name: str
    version: int
    write: Callable[[Any, list], Optional[dict]]
    compute: Optional[Callable[[PhotoInput], Any]] = None
    compute_batch: Optional[Callable[[list[PhotoInput]], list]] = None
    image: Union[Need, NeedFn, None] = None
    reads: tuple[str, ...] = ()
    load: Optional[Callable[[Any, list], dict]] = None
    prepare: Optional[Callable[[Settings], None]] = None
    finish: Optional[StageFn] = None
    after: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        if (self.compute is None) == (self.compute_batch is None):
            raise TypeError(f"stage {self.name}: give exactly one of compute and compute_batch")

    def need_for(self, width: int, height: int, jpeg: bool) -> Optional[Need]:
        if self.image is None or isinstance(self.image, Need):
            return self.image
        return self.image(width, height, jpeg)

    def run(self, catalog, settings: Settings, progress: ProgressCallback = no_progress,
            cancel: Optional[CancelToken] = None) -> dict:
        """This stage alone: its per-photo pass, then its ``finish``."""
        from .analysis.runner import run_photo_stages

        cancel = cancel or CancelToken()
        summary = run_photo_stages(catalog, settings, [self], progress, cancel)[self.name]
        if self.finish is not None:
            summary.update(self.finish(catalog, settings, progress, cancel) or {})
        return summary


AnyStage = Union[Stage, PhotoStage]


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


def _is_stage_module(name: str) -> bool:
    return name == "stage" or name.endswith("_stage")


def stage_module_names() -> list[str]:
    """Every ``engine/<package>/stage.py`` and ``*_stage.py`` (found on disk,
    not listed anywhere)."""
    engine_dir = Path(__file__).resolve().parent
    names = []
    for pkg in pkgutil.iter_modules([str(engine_dir)]):
        if not pkg.ispkg:
            continue
        for mod in pkgutil.iter_modules([str(engine_dir / pkg.name)]):
            if not mod.ispkg and _is_stage_module(mod.name):
                names.append(f"{__package__}.{pkg.name}.{mod.name}")
    return sorted(names)


@lru_cache(maxsize=1)
def _all_stages() -> tuple[AnyStage, ...]:
    found: dict[str, AnyStage] = {}
    for module_name in stage_module_names():
        module = importlib.import_module(module_name)  # an error here is an error: no silent skip
        stage = getattr(module, "STAGE", None)
        if not isinstance(stage, (Stage, PhotoStage)):
            raise TypeError(f"{module_name} is a stage module but defines no STAGE")
        if stage.name in found:
            raise ValueError(f"stage name {stage.name!r} defined twice")
        found[stage.name] = stage
    return tuple(_order(found))


def _order(found: dict[str, AnyStage]) -> list[AnyStage]:
    """Dependencies first (``after``, ``reads``, ``uses``), per-photo stages before
    library stages where nothing else decides, then by name."""
    ordered: list[AnyStage] = []
    placed: set[str] = set()
    pending = dict(found)
    while pending:
        ready = [s for s in pending.values()
                 if all(d in placed or d not in found
                        for d in (*s.after, *getattr(s, "reads", ()), *getattr(s, "uses", ())))]
        if not ready:
            raise ValueError(f"stages depend on each other in a circle: {', '.join(sorted(pending))}")
        best = min(ready, key=lambda s: (not isinstance(s, PhotoStage), s.name))
        ordered.append(best)
        placed.add(best.name)
        del pending[best.name]
    return ordered


def stages() -> list[AnyStage]:
    """Every stage in run order."""
    return list(_all_stages())


def stage_named(name: str) -> AnyStage:
    for s in _all_stages():
        if s.name == name:
            return s
    raise KeyError(f"no stage named {name!r}")


def inspector_providers() -> list[Callable]:
    """``INSPECTOR`` functions of the stage modules (the window's inspector
    shows their sections; engine code, no Qt)."""
    out = []
    for module_name in stage_module_names():
        provider = getattr(importlib.import_module(module_name), "INSPECTOR", None)
        if provider is not None:
            out.append(provider)
    return out


def _failure_message(exc: BaseException, catalog) -> str:
    from .faults import describe_fault, is_fault

    if is_fault(exc):  # a full disk, a read-only catalog...: a sentence, no traceback
        return describe_fault(exc, getattr(catalog, "path", None))
    return f"{type(exc).__name__}: {exc}"


def run_stages(catalog, settings: Settings, progress: ProgressCallback = no_progress,
               cancel: Optional[CancelToken] = None, only: Optional[list[str]] = None) -> list[StageOutcome]:
    """Every stage (or those in ``only``): first one pass over the photos for
    all per-photo stages, then each stage's ``finish`` and the library stages
    in dependency order."""
    from .analysis.runner import run_photo_stages

    cancel = cancel or CancelToken()
    chosen = [s for s in stages() if not only or s.name in only]
    outcomes: dict[str, StageOutcome] = {}
    failed: set[str] = set()
    per_photo = [s for s in chosen if isinstance(s, PhotoStage)]
    if per_photo:
        started = time.monotonic()
        try:
            summaries = run_photo_stages(catalog, settings, per_photo, progress, cancel)
        except (Cancelled, KeyboardInterrupt):
            return [StageOutcome(s.name, "cancelled", time.monotonic() - started) for s in per_photo]
        except PhotoOrgError as exc:
            log.warning("per-photo analysis: %s", exc)
            return [StageOutcome(s.name, "failed", time.monotonic() - started, error=str(exc)) for s in per_photo]
        except Exception as exc:  # noqa: BLE001 - a bug in the pass: every per-photo stage failed, said once
            log.exception("per-photo analysis failed")
            message = _failure_message(exc, catalog)
            for s in per_photo:
                failed.add(s.name)
                outcomes[s.name] = StageOutcome(s.name, "failed", time.monotonic() - started, error=message)
        else:
            for s in per_photo:
                summary = summaries[s.name]
                outcomes[s.name] = StageOutcome(s.name, "done", summary.pop("seconds", 0.0), summary)
    result: list[StageOutcome] = []
    for stage in chosen:
        finish = stage.finish if isinstance(stage, PhotoStage) else stage.run
        if isinstance(stage, PhotoStage) and (finish is None or stage.name in failed):
            result.append(outcomes[stage.name])
            continue
        if failed.intersection(stage.after):
            result.append(StageOutcome(stage.name, "skipped", error="an earlier stage it needs failed"))
            failed.add(stage.name)
            continue
        started = time.monotonic()
        base = outcomes.get(stage.name)
        try:
            summary = finish(catalog, settings, progress, cancel) or {}
            seconds = time.monotonic() - started + (base.seconds if base else 0.0)
            result.append(StageOutcome(stage.name, "done", seconds, {**(base.summary if base else {}), **summary}))
        except (Cancelled, KeyboardInterrupt):
            result.append(StageOutcome(stage.name, "cancelled", time.monotonic() - started))
            break
        except PhotoOrgError as exc:  # a reason for the user, not a bug: no traceback
            log.warning("stage %s: %s", stage.name, exc)
            failed.add(stage.name)
            result.append(StageOutcome(stage.name, "failed", time.monotonic() - started, error=str(exc)))
        except Exception as exc:  # noqa: BLE001 - one stage's bug must not stop the others
            log.exception("stage %s failed", stage.name)
            failed.add(stage.name)
            result.append(StageOutcome(stage.name, "failed", time.monotonic() - started,
                                       error=_failure_message(exc, catalog)))
    return result

"""The long jobs the window starts: scanning folders and running analysis.

Both go to the "work" lane (one after another, never two writers), report
progress to the status strip and the progress panel, and make the views
refresh while they write (``Session.live_changed``), so thumbnails appear as
the scanner commits its batches.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

from photoorg.engine.scan.scanner import ScanSummary, scan
from photoorg.engine.stage_failures import failure_line

from .analysis_process import run_analysis
from .changes import ANALYSED, Change

from .session import Session
from .workers import Task


def start_scan(session: Session, paths: Sequence[str], *, analyse: bool = True,
               on_done: Optional[Callable[[ScanSummary], None]] = None) -> Task:
    paths = [str(p) for p in paths]
    settings = session.settings

    def work(token, progress):
        return scan(session.catalog, paths, settings, progress, token)

    def done(summary: ScanSummary) -> None:
        session.notify(Change.PHOTOS | Change.FOLDERS)
        counts = summary.counts()
        text = (f"Scan {'cancelled' if summary.cancelled else 'done'}: {counts['added']} added, "
                f"{counts['updated']} updated, {counts['unchanged']} unchanged, {counts['missing']} missing, "
                f"{counts['skipped']} skipped")
        session.message.emit(text)
        if summary.refused:
            session.error.emit(f"Not added: no such folder: {', '.join(summary.refused)}")
        if on_done:
            on_done(summary)
        if analyse and not summary.cancelled:
            start_analysis(session)

    return session.runner.submit(
        f"Scanning {', '.join(paths) if len(paths) < 3 else f'{len(paths)} folders'}", work, lane="work",
        on_done=done, on_error=lambda msg: session.error.emit(f"Scan failed: {msg}"),
        on_progress=lambda p: session.live_changed(Change.PHOTOS | Change.FOLDERS) if p.stage == "read" else None,
        on_cancelled=lambda: session.notify(Change.PHOTOS | Change.FOLDERS),
    )


def start_analysis(session: Session, only: Optional[list[str]] = None, *, in_process: bool = False) -> Task:
    """Every stage not done yet, in a child process (see analysis_process)."""
    settings = session.settings

    def work(token, progress):
        outcomes = run_analysis(session.catalog, settings, token, progress, only, in_process=in_process)
        # The photos a stage could not read, named (read here, off the window's thread).
        return outcomes, [failure_line(session.catalog, o["stage"]) for o in outcomes if o.get("failed")]

    def done(result) -> None:
        outcomes, unread = result
        session.notify(ANALYSED)
        failed = [o for o in outcomes if o["status"] == "failed"]
        if failed:
            session.error.emit("Analysis: " + "; ".join(f"{o['stage']} failed ({o.get('error')})" for o in failed))
        elif outcomes:
            session.message.emit("Analysis done: " + ", ".join(f"{o['stage']} {o['status']}" for o in outcomes))
        if [line for line in unread if line]:
            session.error.emit("Analysis: " + "; ".join(line for line in unread if line))

    return session.runner.submit(
        "Analysing", work, lane="work", on_done=done,
        on_error=lambda msg: session.error.emit(f"Analysis failed: {msg}"),
        # Each stage commits as it goes: the grid shows new marks while it runs.
        on_progress=lambda p: session.live_changed(Change.PROGRESS),
        on_cancelled=lambda: session.notify(ANALYSED),
    )

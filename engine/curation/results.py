"""What applying, undoing and listing curation transactions return."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ..paths import display


@dataclass(frozen=True)
class FileOutcome:
    photo_id: Optional[int]
    path: str  # original path (OS path)
    dest: Optional[str]  # where it went / came from
    size: int
    state: str  # moved | skipped | failed | restored | lost | not_moved
    reason: Optional[str] = None
    restored_to: Optional[str] = None  # when the original path was taken by another file

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"photo_id": self.photo_id, "path": display(self.path),
                               "destination": display(self.dest) if self.dest else None,
                               "size": self.size, "state": self.state}
        if self.reason:
            out["reason"] = self.reason
        if self.restored_to:
            out["restored_to"] = display(self.restored_to)
        return out


@dataclass
class TransactionResult:
    transaction_id: Optional[int]
    mode: str  # system | quarantine
    destination: Optional[str] = None  # the quarantine folder, or None for the system trash
    moved: list[FileOutcome] = field(default_factory=list)
    skipped: list[FileOutcome] = field(default_factory=list)
    failed: list[FileOutcome] = field(default_factory=list)
    not_moved: list[FileOutcome] = field(default_factory=list)  # left after a stop or cancel
    cancelled: bool = False
    error: Optional[str] = None  # why the transaction stopped early (disk full...)

    @property
    def bytes_freed(self) -> int:
        return sum(o.size for o in self.moved)

    def to_json(self) -> dict[str, Any]:
        return {
            "transaction_id": self.transaction_id, "mode": self.mode,
            "destination": display(self.destination) if self.destination else None,
            "moved": [o.to_json() for o in self.moved], "skipped": [o.to_json() for o in self.skipped],
            "failed": [o.to_json() for o in self.failed], "not_moved": [o.to_json() for o in self.not_moved],
            "bytes_freed": self.bytes_freed, "cancelled": self.cancelled, "error": self.error,
        }


@dataclass
class UndoResult:
    transaction_id: int
    restored: list[FileOutcome] = field(default_factory=list)
    not_moved: list[FileOutcome] = field(default_factory=list)  # were never moved: nothing to do
    lost: list[FileOutcome] = field(default_factory=list)  # in neither place (trash emptied?)
    failed: list[FileOutcome] = field(default_factory=list)  # could not be moved back now
    complete: bool = True  # every moved file is back

    def to_json(self) -> dict[str, Any]:
        return {
            "transaction_id": self.transaction_id, "complete": self.complete,
            "restored": [o.to_json() for o in self.restored], "not_moved": [o.to_json() for o in self.not_moved],
            "lost": [o.to_json() for o in self.lost], "failed": [o.to_json() for o in self.failed],
        }


@dataclass(frozen=True)
class TransactionInfo:
    """A journaled transaction as the window and ``photoorg undo --list`` show it."""

    id: int
    created_at: float
    state: str  # applying | applied | undoing | undone
    mode: str
    destination: Optional[str]
    counts: dict  # item state -> number of files
    bytes_moved: int
    unfinished: bool  # the process died (or is still running) before it finished

    def to_json(self) -> dict[str, Any]:
        return {"transaction_id": self.id, "created_at": self.created_at, "state": self.state,
                "mode": self.mode, "destination": display(self.destination) if self.destination else None,
                "counts": self.counts, "bytes_moved": self.bytes_moved, "unfinished": self.unfinished}

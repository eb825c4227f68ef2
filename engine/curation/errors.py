"""Curation errors a person can act on (each message says what to do)."""

from ..errors import PhotoOrgError


class CurationError(PhotoOrgError):
    """A plan cannot be applied or undone as asked."""


class UnfinishedTransaction(CurationError):
    """An earlier transaction was interrupted; it must be undone or finished first."""


class NothingToUndo(CurationError):
    """No transaction is left to undo."""

"""Domain errors: each carries a message a user can act on, not a traceback."""


class PhotoOrgError(Exception):
    """Base for every error the engine reports to a person."""


class CatalogLocked(PhotoOrgError):
    """Another process holds the catalog for writing."""


class CatalogUnreadable(PhotoOrgError):
    """The catalog file exists but is not a usable photoorg catalog."""


class CatalogMissing(PhotoOrgError):
    """A read-only command was pointed at a catalog that does not exist."""


class Cancelled(PhotoOrgError):
    """The user cancelled a long operation; partial work is already saved."""

    def __init__(self, message: str = "cancelled by the user") -> None:
        super().__init__(message)


class DecodeError(PhotoOrgError):
    """A file could not be read as an image; the message is the skip reason."""


class CatalogWriteError(PhotoOrgError):
    """The catalog could not be written (disk full, read-only file or
    folder, I/O error); what was committed before is intact."""


class CatalogTooNew(CatalogUnreadable):
    """The catalog was written by a newer photoorg whose schema this one does not know."""

"""The catalog: one SQLite file per library, owned by the ``Catalog`` class.

``Catalog`` is assembled from per-domain query mixins (scans, photos, and the
later stages' own modules) over ``CatalogBase``, which owns the connections,
the lock and the migrations. No other module opens the database.
"""

from __future__ import annotations

from .db import CatalogBase
from .photos import PhotoQueries
from .scans import ScanQueries


class Catalog(ScanQueries, PhotoQueries, CatalogBase):
    """A photo library's catalog. Use as a context manager or call close()."""


def open_catalog(path, *, readonly: bool = False) -> Catalog:
    return Catalog(path, readonly=readonly)


__all__ = ["Catalog", "open_catalog"]

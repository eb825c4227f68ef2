"""The catalog: one SQLite file per library, owned by the ``Catalog`` class.

``Catalog`` is assembled from per-domain query mixins (one module each, beside
this one) over ``CatalogBase``, which owns the connections, the lock and the
migrations. No other module opens the database.
"""

from __future__ import annotations

from .actions import ActionQueries
from .albums_store import AlbumQueries
from .browse import BrowseQueries
from .curation_store import CurationQueries
from .db import CatalogBase
from .edits import EditQueries
from .faces_store import FaceQueries
from .features import FeatureQueries
from .interest_store import InterestQueries
from .photos import PhotoQueries
from .scans import ScanQueries
from .series_store import SeriesQueries


class Catalog(
    ScanQueries, PhotoQueries, FeatureQueries, EditQueries, BrowseQueries, SeriesQueries, AlbumQueries,
    FaceQueries, CurationQueries, InterestQueries, ActionQueries, CatalogBase,
):
    """A photo library's catalog. Use as a context manager or call close()."""


def open_catalog(path, *, readonly: bool = False) -> Catalog:
    return Catalog(path, readonly=readonly)


__all__ = ["Catalog", "open_catalog"]

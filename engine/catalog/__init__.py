"""The catalog: one SQLite file per library, owned by the ``Catalog`` class.

The catalog package is a thin owner: ``CatalogBase`` (``db.py``) opens the
file, holds the lock and the connections and runs the migrations (each
domain's ``schema.py``, found by ``schema.py`` here). The queries are the
domains' own stores: a mixin class named by ``QUERIES`` in a
``queries.py``/``*_queries.py`` module of each package under ``engine/``
(faces and people in ``faces``, private photos in ``privacy``, interest
scores in ``interest``, albums, series, curation; the generic ones, photos,
scans, features, edits, the action journal and the window's grid, sidebar,
Insights and inspector reads, in ``catalog/queries.py``). ``stores.py`` finds
them; ``Catalog`` is composed from them, and two stores defining one method
name is an error. No other module opens the database.
"""

from __future__ import annotations

from .db import CatalogBase
from .stores import query_mixins, store_module_names


class Catalog(*query_mixins(store_module_names(), CatalogBase), CatalogBase):
    """A photo library's catalog. Use as a context manager or call close()."""


def open_catalog(path, *, readonly: bool = False) -> Catalog:
    return Catalog(path, readonly=readonly)


__all__ = ["Catalog", "open_catalog"]

"""Catalog queries of the albums domain (a mixin of ``Catalog``)."""

from __future__ import annotations


class AlbumQueries:
    """Mixin for ``Catalog``: reaches the database only through
    ``self.db`` (reads) and ``self.write()`` (transactions)."""

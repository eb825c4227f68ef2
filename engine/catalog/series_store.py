"""Catalog queries of the series domain (a mixin of ``Catalog``)."""

from __future__ import annotations


class SeriesQueries:
    """Mixin for ``Catalog``: reaches the database only through
    ``self.db`` (reads) and ``self.write()`` (transactions)."""

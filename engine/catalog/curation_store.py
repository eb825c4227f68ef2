"""Catalog queries of the curation domain (a mixin of ``Catalog``)."""

from __future__ import annotations


class CurationQueries:
    """Mixin for ``Catalog``: reaches the database only through
    ``self.db`` (reads) and ``self.write()`` (transactions)."""

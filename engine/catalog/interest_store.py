"""Catalog queries of the interest domain (a mixin of ``Catalog``)."""

from __future__ import annotations


class InterestQueries:
    """Mixin for ``Catalog``: reaches the database only through
    ``self.db`` (reads) and ``self.write()`` (transactions)."""

"""Catalog queries for browsing: paged, sorted, filtered photo lists for the
window's virtualized grid (a mixin of ``Catalog``)."""

from __future__ import annotations


class BrowseQueries:
    """Mixin for ``Catalog``: reaches the database only through ``self.db``."""

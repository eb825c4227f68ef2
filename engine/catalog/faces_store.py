"""Catalog queries of the faces domain (a mixin of ``Catalog``)."""

from __future__ import annotations


class FaceQueries:
    """Mixin for ``Catalog``: reaches the database only through
    ``self.db`` (reads) and ``self.write()`` (transactions)."""

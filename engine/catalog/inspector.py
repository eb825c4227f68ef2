"""The inspector's store: everything the window's inspector shows about one
photo, as plain values (a ``Catalog`` mixin listed in ``catalog/queries.py``).
Each domain answers for its own part (``photo_series``, ``photo_albums``,
``photo_privacy`` in their stores); the sections a stage adds are its
``INSPECTOR`` (``pipeline.inspector_providers``)."""

from __future__ import annotations

from typing import Any, Optional

from ..paths import fs_path


class InspectorQueries:
    """Mixin for ``Catalog``: reaches the database only through ``self.db``."""

    def photo_details(self, photo_id: int) -> Optional[dict[str, Any]]:
        """The photo's row, its series (if any), its albums and its privacy."""
        row = self.db.execute("SELECT * FROM photos WHERE id = ?", (photo_id,)).fetchone()
        if row is None:
            return None
        d = dict(row)
        d["path"] = fs_path(row["path"], row["raw_path"])
        d.pop("raw_path", None)
        series = self.photo_series(photo_id)
        if series:
            d["series"] = series
        d["albums"] = self.photo_albums(photo_id)
        d["privacy"] = self.photo_privacy(photo_id)
        return d

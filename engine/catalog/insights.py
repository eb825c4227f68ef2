"""The Insights charts' store (a ``Catalog`` mixin listed in
``catalog/queries.py``). Each bar counts what the grid shows when it is
clicked: photos over time with the grid's period filter (``browse.PERIOD``),
people with the people store's ``people_by_photos`` and ``PERSON_PHOTOS``
(the People view's counts and names)."""

from __future__ import annotations

from ..faces.people_queries import PERSON_PHOTOS
from .browse import PERIOD

FILE_TIME_SOURCE = "mtime"  # photos.capture_source when no date was found in or beside the file


class InsightsQueries:
    """Mixin for ``Catalog``: reaches the database only through ``self.db``."""

    def photos_per_period(self, fmt: str = "%Y-%m") -> list[tuple[str, int, int]]:
        """(period, photos dated by what the file says, photos dated only by
        the file's modification time) in time order, for dated photos in the
        library. A copied or downloaded file's time is the day it was
        copied: the window shows those apart instead of as a burst of photos
        "taken" that day."""
        period = PERIOD.format(photo="p")
        return [(r[0], r[1] - r[2], r[2]) for r in self.db.execute(
            f"SELECT {period} AS period, count(*), count(CASE WHEN p.capture_source = '{FILE_TIME_SOURCE}' THEN 1 END) FROM photos p "
            "WHERE p.status = 'ok' AND p.capture_ts IS NOT NULL GROUP BY period ORDER BY period", (fmt,))]

    def people_per_period(self, top_k: int = 4, fmt: str = "%Y") -> tuple[list[tuple[int, str]], list[tuple[str, list[int]]]]:
        """The ``top_k`` people with most photos ((id, name)), and per period
        how many photos each is in; empty when nobody is known yet."""
        people = [(p["id"], p["name"]) for p in self.people_by_photos(top_k)]
        counts: dict[str, dict[int, int]] = {}
        period = PERIOD.format(photo="p")
        for pid, _ in people:
            for r in self.db.execute(
                    f"SELECT {period} AS period, count(*) FROM photos p WHERE p.status = 'ok' "
                    f"AND p.capture_ts IS NOT NULL AND {PERSON_PHOTOS.format(photo='p', person='?')} "
                    "GROUP BY period", (fmt, pid)):
                counts.setdefault(r[0], {})[pid] = r[1]
        return people, [(p, [counts[p].get(pid, 0) for pid, _ in people]) for p in sorted(counts)]

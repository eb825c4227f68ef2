"""The grid's store: sorted, filtered photo lists for the window's
virtualized grid (a ``Catalog`` mixin listed in ``catalog/queries.py``;
Qt-free like the rest of the engine). The sidebar's folder tree, the
Insights charts and the inspector's details are in ``sidebar.py``,
``insights.py`` and ``inspector.py``.

The grid of a 100,000-photo library needs one light row per photo (id,
content hash for the thumbnail, name, rating, flag, badges) in display order;
``browse_rows`` returns exactly that from one query, meant to run on a worker
thread. Filters that depend on later capabilities (albums, events, people,
private photos, importance, interest) are used only when the tables of that
capability exist in this catalog; ``browse_capabilities`` says which do.
"""

from __future__ import annotations

import os
from itertools import starmap
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, Optional

from ..faces.people_queries import PERSON_PHOTOS
from ..paths import to_db

# sort key -> ORDER BY clause over the alias p (photos)
_SORTS: dict[str, str] = {
    "date": "p.capture_ts IS NULL, p.capture_ts, p.id",
    "date_desc": "p.capture_ts IS NULL, p.capture_ts DESC, p.id DESC",
    "name": "p.filename, p.id",
    "added": "p.id DESC",
    "rating": "coalesce(p.rating, 0) DESC, p.capture_ts, p.id",
}
FLAG_FILTERS = ("pick", "reject", "unflagged")
# A photo's period ("%Y" or "%Y-%m" as the parameter): the grid's filter and
# the Insights bars that lead to it count with this one expression.
PERIOD = "strftime(?, {photo}.capture_ts, 'unixepoch')"


@dataclass(frozen=True)
class BrowseFilter:
    """What the grid shows. Every field left at its default means "any"."""

    folder: Optional[str] = None  # a folder path: photos in it and its subfolders
    series_id: Optional[int] = None
    in_series: Optional[bool] = None  # True: only photos that are in some series
    album_id: Optional[int] = None
    event: Optional[str] = None
    person_id: Optional[int] = None
    private: Optional[bool] = None  # True: only private, False: hide private
    min_rating: Optional[int] = None  # 1..5
    flag: Optional[str] = None  # 'pick' | 'reject' | 'unflagged'
    text: Optional[str] = None  # part of the file name
    period: Optional[str] = None  # "YYYY" or "YYYY-MM": photos taken then (the Insights bars)
    photo_ids: Optional[tuple] = None  # exactly these photos (an Insights place or subject)
    quality: Optional[str] = None  # 'blurry' | 'badly_exposed' | 'poor' (either) | 'good' (quality/stage.py)
    status: str = "ok"

    def with_(self, **changes: Any) -> "BrowseFilter":
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None and not (k == "status" and v == "ok")}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "BrowseFilter":
        known = set(cls.__dataclass_fields__)
        fields = {k: v for k, v in data.items() if k in known}
        if fields.get("photo_ids") is not None:
            fields["photo_ids"] = tuple(fields["photo_ids"])
        return cls(**fields)


class GridRow(NamedTuple):
    """One cell of the grid: what the delegate paints and the culling keys
    change. A named tuple: 100,000 of them are built per query."""

    id: int
    content_hash: str
    name: str
    rating: Optional[int]
    flag: Optional[str]
    capture_ts: Optional[float]
    series_id: Optional[int] = None
    is_pick: int = 0  # 1: the kept photo of its series
    private: int = 0


@dataclass
class BrowseCapabilities:
    sorts: list[str] = field(default_factory=list)
    filters: set[str] = field(default_factory=set)


_GRID_COLUMNS = (
    "p.id, p.content_hash, p.filename, p.rating, p.flag, p.capture_ts, "
    "(SELECT m.series_id FROM series_members m WHERE m.photo_id = p.id LIMIT 1) AS series_id, "
    "p.id IN (SELECT pick_photo_id FROM series WHERE pick_photo_id IS NOT NULL) AS is_pick"
)


def _prefix_bounds(folder: str) -> tuple[str, str]:
    text = to_db(folder.rstrip(os.sep) + os.sep)[0]
    return text, text[:-1] + chr(ord(os.sep) + 1)


def folder_clause(folder: str) -> tuple[str, list]:
    """The photos (alias p) in a folder and its subfolders: the grid's folder
    filter, and the count the sidebar shows beside the folder."""
    lo, hi = _prefix_bounds(folder)
    return "p.path >= ? AND p.path < ?", [lo, hi]


class BrowseQueries:
    """Mixin for ``Catalog``: reaches the database only through ``self.db``."""

    # -- what this catalog can sort and filter by ---------------------------------
    def browse_capabilities(self) -> BrowseCapabilities:
        return BrowseCapabilities(sorts=[*_SORTS, *_DOMAIN_SORTS],
                                  filters={"folder", "series_id", "in_series", "min_rating", "flag", "text",
                                           *_DOMAIN_FILTERS})

    # -- the grid ----------------------------------------------------------------
    def _where(self, f: BrowseFilter) -> tuple[str, list[Any]]:
        clauses, params = ["p.status = ?"], [f.status]
        if f.folder:
            clause, extra = folder_clause(f.folder)
            clauses.append(clause)
            params += extra
        if f.series_id is not None:
            clauses.append("p.id IN (SELECT photo_id FROM series_members WHERE series_id = ?)")
            params.append(f.series_id)
        if f.in_series:
            clauses.append("p.id IN (SELECT photo_id FROM series_members)")
        if f.min_rating:
            clauses.append("p.rating >= ?")
            params.append(f.min_rating)
        if f.flag == "unflagged":
            clauses.append("p.flag IS NULL")
        elif f.flag:
            clauses.append("p.flag = ?")
            params.append(f.flag)
        if f.period:
            clauses.append(f"{PERIOD.format(photo='p')} = ?")
            params += ["%Y-%m" if len(f.period) > 4 else "%Y", f.period]
        if f.photo_ids is not None:
            ids = [int(i) for i in f.photo_ids][:30_000]
            clauses.append(f"p.id IN ({','.join('?' * len(ids))})" if ids else "0")
            params += ids
        if f.text:
            clauses.append("p.filename LIKE ? ESCAPE '\\'")
            escaped = f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params.append(f"%{escaped}%")
        for name, sql in _DOMAIN_FILTERS.items():
            value = getattr(f, name)
            if value is None:
                continue
            if name == "private":
                clauses.append(("" if value else "NOT ") + self.private_sql("p"))
                continue
            if name == "event":
                # The albums titled with this event (one rule, in Python: a
                # model's guess the titles do not name is not an event here).
                from ..albums.naming import event_albums

                ids = [a.id for a in event_albums(self).get(value, [])]
                clauses.append(f"p.id IN (SELECT photo_id FROM album_photos WHERE album_id IN "
                               f"({','.join('?' * len(ids))}))" if ids else "0")
                params += ids
                continue
            clause, extra = sql(value)
            clauses.append(clause)
            params += extra
        return " AND ".join(clauses), params

    def _order(self, sort: str, f: BrowseFilter) -> tuple[str, list[Any], str]:
        """(extra JOIN, its params, ORDER BY) for a sort key; unknown or
        unavailable sorts fall back to date. Importance within one album is
        that album's importance; elsewhere a photo's highest."""
        if sort == "importance" and f.album_id is not None:
            return ("LEFT JOIN album_photos apx ON apx.photo_id = p.id AND apx.album_id = ?", [f.album_id],
                    "apx.importance IS NULL, apx.importance DESC, apx.position, p.id")
        if sort in _DOMAIN_SORTS:
            join, order = _DOMAIN_SORTS[sort]
            return join, [], order
        return "", [], _SORTS.get(sort, _SORTS["date"])

    def browse_rows(self, filt: Optional[BrowseFilter] = None, sort: str = "date",
                    limit: Optional[int] = None, offset: int = 0) -> list[GridRow]:
        """The grid's rows in display order (all of them unless ``limit``)."""
        f = filt or BrowseFilter()
        where, params = self._where(f)
        join, join_params, order = self._order(sort, f)
        params = join_params + params
        sql = f"SELECT {_GRID_COLUMNS}{self._private_column()} FROM photos p {join} WHERE {where} ORDER BY {order}"
        if limit is not None and sort != "interest":
            sql += " LIMIT ? OFFSET ?"
            params = [*params, limit, offset]
        rows = self._grid_query(sql, params)
        if sort == "interest":
            rows = self._by_interest(rows)
            if limit is not None:
                rows = rows[offset:offset + limit]
        return rows

    def _by_interest(self, rows: list[GridRow]) -> list[GridRow]:
        """Most interesting first (InterestQueries.interest_scores); photos not
        scored yet keep their date order after the scored ones."""
        scores = self.interest_scores([r.id for r in rows])
        return sorted(rows, key=lambda r: -scores.get(r.id, -1.0))

    def _private_column(self) -> str:
        return f", {self.private_sql('p')}"  # the privacy store's rule (privacy/queries.py)

    def _grid_query(self, sql: str, params: list) -> list[GridRow]:
        cursor = self.db.conn.cursor()
        cursor.row_factory = None  # plain tuples: several times faster than sqlite3.Row
        return list(starmap(GridRow, cursor.execute(sql, params)))

    def browse_count(self, filt: Optional[BrowseFilter] = None) -> int:
        where, params = self._where(filt or BrowseFilter())
        return self.scalar(f"SELECT count(*) FROM photos p WHERE {where}", params)

    def grid_rows(self, photo_ids: list[int]) -> dict[int, GridRow]:
        """Fresh rows for some photos (after an edit), by id."""
        out: dict[int, GridRow] = {}
        ids = list(photo_ids)
        private_col = self._private_column()
        for i in range(0, len(ids), 900):
            chunk = ids[i:i + 900]
            sql = f"SELECT {_GRID_COLUMNS}{private_col} FROM photos p WHERE p.id IN ({','.join('?' * len(chunk))})"
            for row in self._grid_query(sql, chunk):
                out[row.id] = row
        return out


# -- sorts and filters on other domains' tables ------------------------------------
# A private photo: the privacy store's rule (privacy/queries.py: one SQL
# expression that privacy_list, is_private and the inspector use too). A
# person's photos: the people store's PERSON_PHOTOS (the People view counts
# them with it).
_DOMAIN_FILTERS: dict[str, Any] = {
    "album_id": lambda v: ("p.id IN (SELECT photo_id FROM album_photos WHERE album_id = ?)", [v]),
    "event": None,  # built in _where (the albums titled with the event)
    "person_id": lambda v: (PERSON_PHOTOS.format(photo="p", person="?"), [v]),
    "private": None,  # built in _where (the privacy store's rule, with the portrait setting)
    "quality": lambda v: _quality_filter(v),
}


def _quality_filter(value: str) -> tuple[str, list]:
    """The levels of quality/stage.py (one definition: its constants)."""
    from ..quality.stage import BLURRY, BRIGHT_EV, CLIPPED, DARK_EV

    blurry = "q.sharpness < ?"
    exposed = "(q.highlights >= ? OR q.shadows >= ? OR q.exposure <= ? OR q.exposure >= ?)"
    exposed_params = [CLIPPED, 2 * CLIPPED + 0.2, DARK_EV, BRIGHT_EV]
    cond, params = {"blurry": (blurry, [BLURRY]), "badly_exposed": (exposed, exposed_params),
                    "poor": (f"({blurry} OR {exposed})", [BLURRY, *exposed_params]),
                    "good": (f"NOT ({blurry} OR {exposed})", [BLURRY, *exposed_params])}[value]
    return f"p.content_hash IN (SELECT q.content_hash FROM photo_quality q WHERE {cond})", params
# sort -> (JOIN, ORDER BY); "interest" is sorted in Python (the
# interest score is computed when read, from the user's own signals too).
_DOMAIN_SORTS: dict[str, tuple[str, str]] = {
    "importance": (
        "LEFT JOIN (SELECT photo_id, max(importance) AS importance FROM album_photos GROUP BY photo_id) imp "
        "ON imp.photo_id = p.id", "imp.importance IS NULL, imp.importance DESC, p.capture_ts, p.id"),
    "interest": ("", "p.capture_ts IS NULL, p.capture_ts, p.id"),
    "sharpness": (
        "LEFT JOIN photo_quality pq ON pq.content_hash = p.content_hash",
        "pq.sharpness IS NULL, pq.sharpness DESC, p.capture_ts, p.id"),
}

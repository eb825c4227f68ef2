"""The grid's model: one light ``GridRow`` per photo (a ``VideoGridRow`` per
video, merged in by video/browse.py), in display order.

Rows come from ``catalog.browse_rows`` on a worker thread (``load_grid``),
which also works out how the new list differs from the one on screen, so the
GUI thread only applies a short edit script: rows inserted while a scan runs
appear where they belong without a reset (the scroll position and the
selection stay); a new filter or sort is a reset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QStandardItemModel

from photoorg.engine.catalog.browse import BrowseFilter, GridRow
from photoorg.engine.video.browse import rows_with_videos

RowRole = Qt.ItemDataRole.UserRole + 1
IdRole = Qt.ItemDataRole.UserRole + 2
MAX_OPS = 64  # more separate insert/remove runs than this: one layout change instead


@dataclass
class GridData:
    rows: list[GridRow]
    index: dict[int, int]  # photo id -> row
    ops: Optional[list[tuple[str, int, int]]] = None  # None: replace all (reset or layout change)
    changed: list[int] = field(default_factory=list)  # rows whose content changed in place
    base_version: int = -1  # the model version the script was computed against
    query_seq: int = 0  # which query made it (see PhotoGridModel.begin_query)


def diff_ops(old_ids: Sequence[int], new_ids: Sequence[int]) -> Optional[list[tuple[str, int, int]]]:
    """Remove/insert runs turning ``old_ids`` into ``new_ids``, or None when
    the order changed (or the script would be long)."""
    new_set = set(new_ids)
    old_set = set(old_ids)
    ops: list[tuple[str, int, int]] = []
    removed = [i for i, pid in enumerate(old_ids) if pid not in new_set]
    for first, last in reversed(_runs(removed)):
        ops.append(("remove", first, last))
    kept = (pid for pid in old_ids if pid in new_set)
    kept_new = [pid for pid in new_ids if pid in old_set]
    if any(a != b for a, b in zip(kept, kept_new)):
        return None
    inserted = [i for i, pid in enumerate(new_ids) if pid not in old_set]
    for first, last in _runs(inserted):
        ops.append(("insert", first, last))
    return ops if len(ops) <= MAX_OPS else None


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def load_grid(catalog, filt: BrowseFilter, sort: str, old_rows: Optional[Sequence[GridRow]],
              base_version: int = -1, query_seq: int = 0, limit: Optional[int] = None) -> GridData:
    """Runs on a worker thread: the rows (the first ``limit`` only, if given)
    and the edit script from ``old_rows`` (a snapshot of the model at
    ``base_version``)."""
    rows = rows_with_videos(catalog, filt, sort, limit=limit)  # photos, and the videos the filter admits
    index = {row.id: i for i, row in enumerate(rows)}
    if old_rows is None:
        return GridData(rows, index, base_version=base_version, query_seq=query_seq)
    old_ids = [r.id for r in old_rows]
    ops = diff_ops(old_ids, [r.id for r in rows])
    changed = []
    if ops is not None:
        old_by_id = {r.id: r for r in old_rows}
        changed = [i for i, r in enumerate(rows) if r.id in old_by_id and old_by_id[r.id] != r]
    return GridData(rows, index, ops, changed, base_version, query_seq)


class PhotoGridModel(QStandardItemModel):
    """A list model whose row count lives in C++: QListView's layout asks for
    it twice per row, which through a Python ``rowCount`` costs a third of a
    second at 100,000 rows on the GUI thread. The C++ model holds only empty
    rows (no items: a null pointer each), kept the same length as ``rows``;
    inserting or removing a run of rows is one bulk operation there (unlike
    QStringListModel, which inserts one row at a time: 7 s for 100,000). The
    data is here, in Python, and only the visible rows are asked for it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setColumnCount(1)
        self._rows: list[GridRow] = []
        self._index: dict[int, int] = {}
        self.version = 0  # bumped whenever the list of rows changes
        # Edits shown before they are written: a query that read the catalog
        # before the write finished must not bring the old values back.
        # photo id -> {field: value}; writes in flight per id; query seq at settle.
        self._overlay: dict[int, dict[str, Any]] = {}
        self._in_flight: dict[int, int] = {}
        self._settled_at: dict[int, int] = {}
        self.query_seq = 0

    def begin_query(self) -> int:
        """A number for a query about to be submitted (queries started later
        see every write settled before)."""
        self.query_seq += 1
        return self.query_seq

    def snapshot(self) -> tuple[list[GridRow], int]:
        """A copy for a worker to diff against, and the version it belongs to."""
        return list(self._rows), self.version

    # -- Qt ------------------------------------------------------------------------
    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        if not index.isValid() or row >= len(self._rows):
            return None
        r = self._rows[row]
        if role == RowRole:
            return r
        if role == IdRole:
            return r.id
        if role == Qt.ItemDataRole.DisplayRole:
            return r.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return r.name
        return None

    def row_index(self, row: int) -> QModelIndex:
        return self.index(row, 0)

    # -- access ----------------------------------------------------------------------
    @property
    def rows(self) -> list[GridRow]:
        return self._rows

    def row_of(self, photo_id: int) -> int:
        return self._index.get(photo_id, -1)

    def row_at(self, row: int) -> Optional[GridRow]:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def ids(self, rows: Iterable[int]) -> list[int]:
        return [self._rows[r].id for r in rows if 0 <= r < len(self._rows)]

    # -- updates -----------------------------------------------------------------------
    def apply(self, data: GridData, *, reset: bool = False) -> None:
        """Show ``data`` (from ``load_grid``): a reset, a layout change, or the
        insert/remove runs it carries."""
        self.version += 1
        self._overlay_onto(data)
        if reset or not self._rows:
            self._rows, self._index = data.rows, data.index
            self.clear()  # a reset, then one bulk insertion, both in C++
            self.setColumnCount(1)
            self.setRowCount(len(data.rows))
            return
        if data.ops is None or data.base_version != self.version - 1:
            self._relayout(data)
            return
        rows = self._rows
        new_rows = data.rows
        # The Python list changes first; the C++ calls then announce the change.
        for op, first, last in data.ops:
            if op == "remove":
                del rows[first:last + 1]
                self.removeRows(first, last - first + 1)
            else:
                rows[first:first] = new_rows[first:last + 1]
                self.insertRows(first, last - first + 1)
        self._rows, self._index = new_rows, data.index
        if data.changed:
            self.dataChanged.emit(self.row_index(min(data.changed)), self.row_index(max(data.changed)))

    def _relayout(self, data: GridData) -> None:
        self.layoutAboutToBeChanged.emit()
        old_rows = self._rows
        persistent = self.persistentIndexList()
        self._rows, self._index = data.rows, data.index
        moved_from, moved_to = [], []
        for p in persistent:
            row = p.row()
            new_row = data.index.get(old_rows[row].id, -1) if 0 <= row < len(old_rows) else -1
            moved_from.append(QModelIndex(p) if isinstance(p, QPersistentModelIndex) else p)
            moved_to.append(self.row_index(new_row) if new_row >= 0 else QModelIndex())
        if persistent:
            self.changePersistentIndexList(moved_from, moved_to)
        self.layoutChanged.emit()

    def _overlay_onto(self, data: GridData) -> None:
        for pid in list(self._overlay):
            if not self._in_flight.get(pid) and data.query_seq > self._settled_at.get(pid, 0):
                del self._overlay[pid]  # this query saw the write
                continue
            row = data.index.get(pid)
            if row is not None:
                data.rows[row] = data.rows[row]._replace(**self._overlay[pid])
                if data.ops is not None and row not in data.changed:
                    data.changed.append(row)

    def patch(self, photo_ids: Iterable[int], pending: bool = False, **fields: Any) -> list[int]:
        """Change fields of some rows in place; ``pending``: an edit shown
        before it is saved (kept over query results until ``settle``)."""
        photo_ids = list(photo_ids)
        if pending:
            for pid in photo_ids:
                self._overlay.setdefault(pid, {}).update(fields)
                self._in_flight[pid] = self._in_flight.get(pid, 0) + 1
        touched = []
        for pid in photo_ids:
            row = self._index.get(pid)
            if row is not None:
                self._rows[row] = self._rows[row]._replace(**fields)
                touched.append(row)
        if touched:
            self.dataChanged.emit(self.row_index(min(touched)), self.row_index(max(touched)))
        return touched

    def settle(self, photo_ids: Iterable[int]) -> None:
        """The write of a pending edit finished (or failed and was reverted)."""
        for pid in photo_ids:
            left = self._in_flight.get(pid, 0) - 1
            if left > 0:
                self._in_flight[pid] = left
            else:
                self._in_flight.pop(pid, None)
                self._settled_at[pid] = self.query_seq

    def replace_rows(self, fresh: dict[int, GridRow]) -> None:
        touched = []
        for pid, row in fresh.items():
            i = self._index.get(pid)
            if i is not None:
                self._rows[i] = row
                touched.append(i)
        if touched:
            self.dataChanged.emit(self.row_index(min(touched)), self.row_index(max(touched)))

"""The sidebar's store: the folder tree with each folder's photo count (a
``Catalog`` mixin listed in ``catalog/queries.py``). A folder's count is
what the grid shows when the folder is chosen (``browse.folder_clause``:
photos in it and its subfolders, in the library, not in the trash)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

from ..paths import fs_path
from .browse import folder_clause


@dataclass(frozen=True)
class FolderEntry:
    id: int
    path: str  # OS path
    parent_path: Optional[str]  # the nearest catalogued ancestor folder, if any
    photos: int  # photos directly in this folder
    total: int = 0  # photos in it and its subfolders: what the grid shows for it


class SidebarQueries:
    """Mixin for ``Catalog``: reaches the database only through ``self.db``."""

    def folder_entries(self) -> list[FolderEntry]:
        """Every catalogued folder holding photos, the scanned roots, and the
        folders between them (those two with no photo of their own have id
        0), in tree order, each with its parent in this list."""
        rows = self.db.execute(
            "SELECT f.id, f.path, f.raw_path, count(p.id) FROM folders f "
            "LEFT JOIN photos p ON p.folder_id = f.id AND p.status = 'ok' "
            "WHERE f.missing = 0 GROUP BY f.id HAVING count(p.id) > 0"
        ).fetchall()
        entries = {fs_path(r[1], r[2]): (r[0], r[3]) for r in rows}
        roots = [fs_path(r[0], r[1]) for r in self.db.execute("SELECT path, raw_path FROM roots")]
        for root in roots:
            entries.setdefault(root, (0, 0))
        for path in list(entries):
            # The folders between a photo folder and the root it was scanned
            # under, so the tree shows where each folder really is.
            root = max((r for r in roots if path.startswith(r.rstrip(os.sep) + os.sep)), key=len, default=None)
            parent = os.path.dirname(path)
            while root is not None and len(parent) > len(root) and parent not in entries:
                entries[parent] = (0, 0)
                parent = os.path.dirname(parent)
        out = []
        for path in sorted(entries, key=lambda p: p.split(os.sep)):
            fid, count = entries[path]
            parent = os.path.dirname(path)
            while parent not in entries and os.path.dirname(parent) != parent:
                parent = os.path.dirname(parent)
            clause, params = folder_clause(path)
            # "+p.status": on the path index, not the status one (a range count per folder).
            total = self.scalar(f"SELECT count(*) FROM photos p WHERE {clause} AND +p.status = 'ok'", params)
            out.append(FolderEntry(fid, path, parent if parent in entries and parent != path else None, count, total))
        return out

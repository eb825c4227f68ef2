"""The user's actions as one journal, so that every action can be undone
exactly, also after a restart.

An action names the rows it may touch (``Scope``: a table and a condition
that picks the same rows before and after). ``run_action`` reads those rows,
runs the action, reads them again and stores only the rows that differ, with
their values before and after, in one transaction with the action itself.
Undo writes the "before" values back (rows the action added are deleted,
rows it removed come back with their ids); redo writes the "after" values.
Because the whole row is kept, every value derived from it comes back too:
a series' pick and its "user pick" mark, a photo's stars and therefore its
interest, the decisions the action logged (an undone action is not a
decision the learned parts should train on), people's names and faces.

The ``user_actions`` table is a core migration (catalog/core_schema.py).
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

# How many actions the journal keeps (the oldest are forgotten).
KEEP_ACTIONS = 500


@dataclass(frozen=True)
class Scope:
    """Rows of ``table`` an action may change: ``where`` must pick the same
    rows before and after it (ids, not a condition the action alters)."""
    table: str
    where: str = "1"
    params: tuple = field(default_factory=tuple)

    @staticmethod
    def ids(table: str, column: str, values: Iterable[Any]) -> "Scope":
        values = list(dict.fromkeys(values))
        if not values:
            return Scope(table, "0")
        return Scope(table, f"{column} IN ({','.join('?' * len(values))})", tuple(values))


@dataclass
class ActionInfo:
    id: int
    kind: str
    label: str
    state: str
    created_at: float
    rows: int


class ActionConflict(Exception):
    pass


def _encode(value: Any) -> Any:
    return {"b64": base64.b64encode(value).decode()} if isinstance(value, (bytes, memoryview)) else value


def _decode(value: Any) -> Any:
    return base64.b64decode(value["b64"]) if isinstance(value, dict) else value


class ActionQueries:
    """Mixin for ``Catalog``."""

    def _key_columns(self, db, table: str) -> list[str]:
        cols = sorted((r[5], r[1]) for r in db.execute(f"PRAGMA table_info({table})").fetchall() if r[5])
        return [c for _, c in cols] or ["rowid"]

    def _snapshot(self, db, scope: Scope, keys: list[str]) -> dict[tuple, dict]:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (scope.table,)).fetchone():
            return {}
        extra = "rowid AS rowid, " if keys == ["rowid"] else ""
        out = {}
        for r in db.execute(f"SELECT {extra}* FROM {scope.table} WHERE {scope.where}", scope.params):
            row = {k: _encode(r[k]) for k in r.keys()}
            out[tuple(row[k] for k in keys)] = row
        return out

    def run_action(self, kind: str, label: str, scopes: list[Scope],
                   fn: Callable[[Any], Any]) -> tuple[int, Any]:
        """Run ``fn(catalog)`` as one journalled action; (action id, its result)."""
        with self.write() as db:
            last_decision = db.execute("SELECT coalesce(max(id), 0) FROM decisions").fetchone()[0]
            scopes = list(scopes) + [Scope("decisions", "id > ?", (last_decision,))]
            keys = [self._key_columns(db, s.table) for s in scopes]
            before = [self._snapshot(db, s, k) for s, k in zip(scopes, keys)]
            result = fn(self)
            changes = []
            for scope, k, old in zip(scopes, keys, before):
                new = self._snapshot(db, scope, k)
                for key in list(old) + [key for key in new if key not in old]:
                    if old.get(key) != new.get(key):
                        changes.append({"table": scope.table, "keys": k, "key": list(key),
                                        "before": old.get(key), "after": new.get(key)})
            now = time.time()
            # A new action ends the redo branch, as on the window's undo stack.
            db.execute("DELETE FROM user_actions WHERE state = 'undone'")
            action_id = db.execute(
                "INSERT INTO user_actions(kind, label, state, changes, created_at, updated_at) "
                "VALUES (?, ?, 'done', ?, ?, ?)", (kind, label, json.dumps(changes), now, now)).lastrowid
            db.execute("DELETE FROM user_actions WHERE id <= ?", (action_id - KEEP_ACTIONS,))
        return action_id, result

    def _apply(self, db, changes: list[dict], side: str) -> int:
        """Make every journalled row hold its ``side`` values; how many rows
        had been changed by something else since (they are set all the same)."""
        other = "after" if side == "before" else "before"
        drifted = 0
        db.execute("PRAGMA defer_foreign_keys = ON")
        for c in (reversed(changes) if side == "before" else changes):
            table, keys, key = c["table"], c["keys"], [_decode(v) for v in c["key"]]
            match = " AND ".join(f"{k} = ?" for k in keys)
            extra = "rowid AS rowid, " if keys == ["rowid"] else ""
            current = db.execute(f"SELECT {extra}* FROM {table} WHERE {match}", key).fetchone()
            current_row = {k: _encode(current[k]) for k in current.keys()} if current else None
            if current_row != c[other]:
                drifted += 1
            target = c[side]
            if target is None:
                if current is not None:
                    db.execute(f"DELETE FROM {table} WHERE {match}", key)
                continue
            cols = [k for k in target if k != "rowid" or keys == ["rowid"]]
            values = [_decode(target[k]) for k in cols]
            if current is not None:
                sets = [k for k in cols if k not in keys]
                if sets:
                    db.execute(f"UPDATE {table} SET {', '.join(f'{k} = ?' for k in sets)} WHERE {match}",
                               [_decode(target[k]) for k in sets] + key)
            else:
                db.execute(f"INSERT INTO {table}({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})", values)
        return drifted

    def _set_action_state(self, action_id: int, want: str, side: str) -> int:
        with self.write() as db:
            row = db.execute("SELECT state, changes FROM user_actions WHERE id = ?", (action_id,)).fetchone()
            if row is None:
                raise KeyError(f"no action {action_id} in the journal")
            if row["state"] == want:
                return 0
            drifted = self._apply(db, json.loads(row["changes"]), side)
            db.execute("UPDATE user_actions SET state = ?, updated_at = ? WHERE id = ?", (want, time.time(), action_id))
        return drifted

    def undo_action(self, action_id: int) -> int:
        """Put back every row the action changed; returns how many rows had
        been changed again since (they are put back too)."""
        return self._set_action_state(action_id, "undone", "before")

    def redo_action(self, action_id: int) -> int:
        return self._set_action_state(action_id, "done", "after")

    def actions(self, state: Optional[str] = None, limit: int = 50) -> list[ActionInfo]:
        sql = "SELECT id, kind, label, state, created_at, changes FROM user_actions"
        sql += " WHERE state = ?" if state else ""
        rows = self.db.execute(sql + " ORDER BY id DESC LIMIT ?", ((state,) if state else ()) + (limit,))
        return [ActionInfo(r["id"], r["kind"], r["label"], r["state"], r["created_at"], len(json.loads(r["changes"])))
                for r in rows]

    def last_action(self) -> Optional[ActionInfo]:
        """The latest action still done (what Ctrl+Z undoes after a restart)."""
        done = self.actions("done", limit=1)
        return done[0] if done else None

"""The privacy domain's store (a ``Catalog`` mixin, found by
``catalog.stores``): the privacy stage's evidence per content
(``photo_privacy``), the user's word per photo (``privacy_overrides``), and
THE privacy rule.

The rule is stated once, as SQL (``reasons_sql`` and ``private_sql``):
a photo is private when the user said so, otherwise when its evidence gives
a reason (a personal document, a screenshot, a portrait only with the
paper's portrait setting on). Every question asks SQLite through these two
expressions: the grid's badge and its "private" filter, the sidebar's count,
``privacy_list``/``private_photos`` (stories, the CLI), ``is_private`` and
the inspector's ``photo_privacy``; none re-decides in Python, so they cannot
disagree. Close people are not a reason: they are a signal for stories
(``Catalog.close_people``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from ..paths import fs_path
from .rules import KIND_REASON

# Evidence column -> needs the portrait setting; in the order reasons are given.
PRIVATE_EVIDENCE = (("document", False), ("screenshot", False), ("portrait", True))


def reasons_sql(portraits_private: bool, pp: str = "pp") -> str:
    """SQL over a ``photo_privacy`` row ``pp``: the rules' reasons as text,
    each followed by a comma ('' when none)."""
    kinds = " ".join(f"WHEN '{kind}' THEN '{reason}'" for kind, reason in KIND_REASON.items())
    parts = []
    for column, needs_setting in PRIVATE_EVIDENCE:
        if needs_setting and not portraits_private:
            continue
        word = f"CASE {pp}.doc_kind {kinds} ELSE 'document' END" if column == "document" else f"'{column}'"
        parts.append(f"CASE WHEN {pp}.{column} THEN {word} || ',' ELSE '' END")
    return " || ".join(parts)


def private_sql(photo: str, portraits_private: bool) -> str:
    """SQL over the photos alias ``photo``, 1 private, 0 not: the user's
    override, else whether the rules give any reason."""
    return (f"coalesce((SELECT o.private FROM privacy_overrides o WHERE o.content_hash = {photo}.content_hash), "
            f"(SELECT ({reasons_sql(portraits_private)}) != '' FROM photo_privacy pp "
            f"WHERE pp.content_hash = {photo}.content_hash), 0)")


@dataclass(frozen=True)
class PrivacyInfo:
    photo_id: int
    path: str
    is_private: bool
    # receipt, identity_document, bank_document, medical_document,
    # address_document, page_of_writing, document, screenshot, portrait (with
    # the setting on), user (the user made it private)
    reasons: tuple[str, ...]
    override: Optional[bool] = None
    people: tuple[int, ...] = field(default=())


class PrivacyQueries:
    """Mixin for ``Catalog``: reaches the database only through
    ``self.db`` (reads) and ``self.write()`` (transactions)."""

    # -- writing ------------------------------------------------------------------
    def save_privacy(self, content_hash: str, *, text_lines: int, text_chars: int, text_area: float,
                     document: bool, screenshot: bool, portrait: bool, doc_kind: Optional[str] = None) -> None:
        with self.write() as db:
            db.execute(
                "INSERT OR REPLACE INTO photo_privacy(content_hash, text_lines, text_chars, text_area, document, "
                "screenshot, portrait, doc_kind, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (content_hash, text_lines, text_chars, text_area, int(document), int(screenshot), int(portrait),
                 doc_kind, time.time()))

    def set_private(self, photo_ids: Iterable[int], private: Optional[bool]) -> None:
        """The user's word on photos: True / False, or None to go back to the rules."""
        with self.write() as db:
            for pid in photo_ids:
                row = db.execute("SELECT content_hash FROM photos WHERE id = ?", (pid,)).fetchone()
                if row is None:
                    raise KeyError(f"no photo {pid}")
                if private is None:
                    db.execute("DELETE FROM privacy_overrides WHERE content_hash = ?", (row[0],))
                else:
                    db.execute("INSERT OR REPLACE INTO privacy_overrides(content_hash, private, created_at) "
                               "VALUES (?, ?, ?)", (row[0], int(private), time.time()))
                self.record_decision("private", photo_id=pid, value=private)

    # -- the rule -----------------------------------------------------------------
    def portraits_private(self) -> bool:
        """The user's setting: the paper's portrait rule makes portraits
        private (``Preferences.private_portraits``, off by default)."""
        return bool((self.get_pref("preferences", {}) or {}).get("private_portraits", False))

    def private_sql(self, photo: str = "p") -> str:
        """The rule as an SQL expression over the photos alias ``photo``, with
        this catalog's portrait setting (the grid's column and filter)."""
        return private_sql(photo, self.portraits_private())

    def _privacy_rows(self, where: str, params: Any = ()) -> list:
        """id, path, raw_path, content_hash, private, reasons, override of the
        photos matching ``where`` (over the alias p), by id."""
        portraits = self.portraits_private()
        return self.db.execute(
            f"SELECT p.id, p.path, p.raw_path, p.content_hash, {private_sql('p', portraits)} AS private, "
            f"(SELECT {reasons_sql(portraits)} FROM photo_privacy pp WHERE pp.content_hash = p.content_hash) "
            "AS reasons, (SELECT o.private FROM privacy_overrides o WHERE o.content_hash = p.content_hash) "
            f"AS override FROM photos p WHERE {where} ORDER BY p.id", params).fetchall()

    @staticmethod
    def _reasons(r) -> list[str]:
        reasons = [x for x in (r["reasons"] or "").split(",") if x]
        if r["override"]:
            reasons.append("user")
        return reasons

    # -- reading --------------------------------------------------------------------
    def privacy_list(self, only_private: bool = False, photo_ids: Optional[Iterable[int]] = None) -> list[PrivacyInfo]:
        """Every photo's private flag and its reasons (the user's override
        wins), with the people in it."""
        where, params = "p.status = 'ok'", []
        if only_private:
            where += f" AND {self.private_sql('p')}"
        rows = self._privacy_rows(where, params)
        if photo_ids is not None:
            wanted = set(photo_ids)
            rows = [r for r in rows if r["id"] in wanted]
        faces_by_hash = self._faces_by_content() if rows else {}
        out = []
        for r in rows:
            persons = {pid for pid, _ in faces_by_hash.get(r["content_hash"], []) if pid is not None}
            override = None if r["override"] is None else bool(r["override"])
            out.append(PrivacyInfo(r["id"], fs_path(r["path"], r["raw_path"]), bool(r["private"]),
                                   tuple(self._reasons(r)), override, tuple(sorted(persons))))
        return out

    def private_photos(self) -> list[PrivacyInfo]:
        """Photos that stay out of stories and exports unless the user allows it."""
        return self.privacy_list(only_private=True)

    def photo_privacy(self, photo_id: int) -> Optional[dict[str, Any]]:
        """One photo's private flag and why, as the inspector shows it: the
        rules' reasons (without the user's), and the user's override."""
        rows = self._privacy_rows("p.id = ?", (int(photo_id),))
        if not rows:
            return None
        r = rows[0]
        return {"private": bool(r["private"]), "reasons": [x for x in (r["reasons"] or "").split(",") if x],
                "override": None if r["override"] is None else bool(r["override"])}

    def is_private(self, photo_id: int) -> bool:
        found = self.photo_privacy(photo_id)
        return bool(found and found["private"])


QUERIES = PrivacyQueries

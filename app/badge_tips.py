"""Tooltips for the grid's badges, so that no mark is left unexplained: the
flag, the series mark, the stars, and for the lock of a private photo the
reason (a document, a screenshot, a portrait, a close person, or the user's
own choice). The reason is read on the "query" lane the first time and
cached until the privacy rules or the user's choices may have changed."""

from __future__ import annotations

from typing import Callable, Optional

from .changes import Change
from .privacy_actions import privacy_summary

BADGE_TEXT = {
    "pick": "Picked (P) · U unflags",
    "reject": "Rejected (X): a clean-up may move it to the trash · U unflags",
    "crown": "The shot kept from its series (change it in the Series view)",
    "stack": "In a series; another shot of it is the one kept",
}


class BadgeTips:
    def __init__(self, session) -> None:
        self.session = session
        self._privacy: dict[int, str] = {}
        session.changed.connect(self._forget)

    def _forget(self, kinds: Change) -> None:
        if kinds & (Change.PRIVACY | Change.ANALYSIS | Change.PEOPLE | Change.PHOTOS | Change.PROGRESS):
            self._privacy.clear()

    def text(self, row, badge: str, later: Callable[[str], None]) -> str:
        """The tooltip for ``badge`` of ``row`` now; for a lock whose reason
        is not known yet, ``later(text)`` is called once it is."""
        if badge == "stars":
            return f"{row.rating} star{'s' if row.rating != 1 else ''} (keys 0–5)"
        if badge != "lock":
            return BADGE_TEXT.get(badge, "")
        known = self._privacy.get(row.id)
        if known is not None:
            return known
        catalog, pid = self.session.catalog, row.id

        def done(text: Optional[str]) -> None:
            self._privacy[pid] = text or "Private photo"
            later(self._privacy[pid])

        def read() -> str:
            d = catalog.photo_details(pid)
            return privacy_summary((d or {}).get("privacy")) + "\nPrivate photos stay out of stories and exports."

        self.session.runner.call("privacy reason", read, lane="query", key="privacy-tip", on_done=done)
        return "Private photo (looking up why…)"

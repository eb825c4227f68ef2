"""Why a photo is private, in words, and the user's one-click override.

The engine decides privacy by rules (a document or screenshot found by OCR,
a portrait, the face of a close person) unless the user said otherwise
(``catalog.set_private``, logged as a decision). Here: the reasons as a
person reads them (the grid's lock badge tooltip, the inspector), and the
inspector's "Not private" / "Private" / "Back to the rules" buttons as undoable
commands written on the "edit" lane.
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .changes import Change
from .qtutil import slot

REASON_TEXT = {
    "document": "a document (text was found in it)",
    "receipt": "a receipt",
    "identity_document": "an identity document (ID card, passport, licence)",
    "bank_document": "a bank document or card",
    "medical_document": "a medical document",
    "address_document": "a document with an address",
    "page_of_writing": "a page of writing (a letter, notes)",
    "screenshot": "a screenshot",
    "portrait": "a portrait (one face fills the frame; the portrait rule is on in Settings)",
    "close people": "a close person is in it (someone in many of your photos)",
    "close_people": "a close person is in it (someone in many of your photos)",
    "user": "you marked it private",
}


def reasons_text(reasons) -> str:
    return "; ".join(REASON_TEXT.get(r, r.replace("_", " ")) for r in reasons if r)


def privacy_summary(p: Optional[dict]) -> str:
    """One line about ``photo_details(...)["privacy"]``."""
    if not p:
        return "Private photo"
    found = reasons_text(p.get("reasons") or [])
    if p.get("override") is True:
        return "Private: you marked it" + (f" (the rules found {found})" if found else "")
    if p.get("override") is False:
        return "Not private: your choice" + (f" (the rules found {found})" if found else "")
    if p.get("private"):
        return f"Private because it is {found}" if found else "Private"
    return "Not private: nothing private found"


def push_privacy(session, photo_id: int, old: Optional[bool], new: Optional[bool]) -> None:
    from photoorg.engine.catalog.user_commands import set_private

    from .actions import push_action

    push_action(session, set_private([photo_id], new), Change.PRIVACY)


def privacy_widget(session):
    """The inspector's privacy block: why, and the one-click override."""

    def make(catalog, d: dict) -> Optional[QWidget]:
        p = d.get("privacy")
        if not p:
            return None
        box = QWidget()
        box.setObjectName("PrivacyBox")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(3)
        head = QLabel("PRIVACY")
        head.setObjectName("InspectorSection")
        text = QLabel(privacy_summary(p) + (
            ". Private photos stay out of stories and exports." if p["private"] else "."))
        text.setWordWrap(True)
        layout.addWidget(head)
        layout.addWidget(text)
        row = QHBoxLayout()
        pid, override = d["id"], p["override"]
        buttons = []
        if p["private"]:
            buttons.append(("Not private", False, "This photo may go into stories and exports (Ctrl+Z undoes)"))
        elif override is None:
            buttons.append(("Mark private", True, "Keep this photo out of stories and exports"))
        if override is not None:
            buttons.append(("Back to the rules", None, "Let the privacy rules decide again"))
        for label, value, tip in buttons:
            b = QPushButton(label)
            b.setToolTip(tip)
            b.clicked.connect(slot(push_privacy, session, pid, override, value))
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        return box

    return make

"""The inspector's sections from the analysis capabilities: people in the
photo, whether it is private and why, its albums with the event and its
importance there, and its interest score with what drove it and the 4x4
attention heat map. Each reads through the catalog's public calls and shows
nothing when its capability has not run."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from photoorg.engine.albums.build import event_unnamed_reason
from photoorg.engine.albums.naming import guess_text
from photoorg.engine.faces.people_queries import person_display_name
from photoorg.engine.imaging.thumbnails import thumb_path


def _event_name(label: Optional[str]) -> str:
    if not label:
        return "no event label yet"
    from photoorg.engine.albums.teacher import event_display_name

    return event_display_name(label)


def people_sections(catalog, d: dict) -> list:
    faces = catalog.faces_of_photo(d["id"])
    if not faces:
        return []
    meta = catalog.people_meta()
    names, unknown = [], 0
    for f in faces:
        person = meta.get(f.person_id) if f.person_id is not None else None
        if person is None:
            unknown += 1
        elif person["name"]:
            names.append(person["name"] + (" (you)" if person["owner"] == 2 else ""))
        else:
            names.append(person_display_name(person["id"], None, person["owner"]))
    text = ", ".join(names) + (f"{', ' if names else ''}{unknown} unknown face{'s' if unknown != 1 else ''}" if unknown else "")
    return [("PEOPLE", [("In the photo", text)])]


def privacy_sections(catalog, d: dict) -> list:
    """Privacy as text (the shell shows ``privacy_actions.privacy_widget``
    instead: the same words with the one-click override)."""
    from ..privacy_actions import privacy_summary

    p = d.get("privacy")
    return [("PRIVACY", [("", privacy_summary(p))])] if p else []


def album_sections(catalog, d: dict) -> list:
    rows = []
    for a in d.get("albums") or []:
        imp = a["importance"]
        p = a.get("event_p")
        why = event_unnamed_reason(p, a["size"]) if a["event"] and not a["user_event"] else None
        if why:
            event = guess_text(why, _event_name(a["event"]), p)
        else:
            event = _event_name(a["event"]) + (" (your label)" if a["user_event"] else "")
        line = (a["title"] or "Untitled") + "\n" + event
        info = catalog.album(a["id"])
        if info is not None and info.evidence and not a["user_event"]:
            # What the event rests on, besides the photos: "text: 'Happy Birthday' in 3 photos; 14 faces; evening".
            from photoorg.engine.albums.evidence import evidence_text

            said = evidence_text(info.evidence)
            sure = f"{info.event_confidence:.0%} sure" if info.event_confidence is not None else ""
            line += "\n" + " · ".join(x for x in (sure, said) if x)
        if imp is not None:
            line += f"\nimportance {imp:.2f} · {a['rank']} of {a['size']} in the album"
        rows.append(("Album", line))
    return [("ALBUMS", rows)] if rows else []


# The interest terms (engine/interest/score.py) in words.
INTEREST_TERMS = {
    "quality": "technical quality (sharpness, exposure, noise)",
    "people": "shows people",
    "taste": "learned from your ratings, picks and keep/trash decisions",  # ratings read from XMP/EXIF count too
    "own": "your own rating, flag or keep/trash",
}


def interest_sections(catalog, d: dict) -> list:
    b = catalog.interest_breakdown(d["id"])
    if not b:
        return []
    rows = [("Interest", f"{b['interest']:.0%}")]
    for c in b["contributions"][:4]:
        rows.append(("", f"{'+' if c['logit'] > 0 else '−'} {INTEREST_TERMS.get(c['term'], c['term'])}"))
    return [("INTEREST", rows)]


class HeatMap(QWidget):
    """The photo's thumbnail under the interest model's 4x4 attention."""

    def __init__(self, image: QImage, attention: list[list[float]], parent=None) -> None:
        super().__init__(parent)
        self.image = image
        self.attention = attention
        w = 220
        h = int(w * image.height() / max(1, image.width()))
        self.setFixedSize(QSize(w, min(h, 320)))
        self.setToolTip("Where the interest model looked: brighter cells weighed more")

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        rect = QRect(0, 0, size.width(), size.height())
        painter.drawImage(rect, self.image)
        top = max(max(row) for row in self.attention) or 1.0
        cw, ch = rect.width() / 4, rect.height() / 4
        for i, row in enumerate(self.attention):
            for j, v in enumerate(row):
                # Dark veil where attention is low, clear where it is high.
                painter.fillRect(QRectF(j * cw, i * ch, cw, ch), QColor(0, 0, 0, int(170 * (1 - v / top))))
        painter.setPen(QColor(255, 200, 60, 120))
        for k in range(1, 4):
            painter.drawLine(int(k * cw), 0, int(k * cw), rect.height())
            painter.drawLine(0, int(k * ch), rect.width(), int(k * ch))
        painter.end()


def heat_map_widget(thumbs_dir):
    def make(catalog, d: dict) -> Optional[QWidget]:
        b = catalog.interest_breakdown(d["id"])
        if not b or not b.get("attention"):
            return None
        image = QImage(str(thumb_path(thumbs_dir, d["content_hash"])))
        if image.isNull():
            return None
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 6, 0, 0)
        label = QLabel("WHERE INTEREST WAS FOUND")
        label.setObjectName("InspectorSection")
        layout.addWidget(label)
        layout.addWidget(HeatMap(image, b["attention"]))
        return box

    return make


def install(inspector, thumbs_dir, session=None) -> None:
    from photoorg.engine.pipeline import inspector_providers

    inspector.providers += [people_sections, album_sections, interest_sections]
    inspector.providers += inspector_providers()  # the sections the domains' stage modules register
    if session is not None:  # privacy with its override buttons
        from ..privacy_actions import privacy_widget

        inspector.extra_widgets.append(privacy_widget(session))
    else:
        inspector.providers.append(privacy_sections)
    inspector.extra_widgets.append(heat_map_widget(thumbs_dir))

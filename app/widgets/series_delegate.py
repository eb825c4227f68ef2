"""Paints one series as a strip: a header line (size, date, the pick and why,
the space a clean-up frees) and the members in rank order. The pick has a
green frame and a crown; members a clean-up would move are dimmed with a bin
mark. Each shot shows its rank and its score as a percentage: how often, on
average, the ranking model prefers it to each other shot of the series;
shots with the very same score are marked as tied ("#2=") rather than
presented as ordered. ``member_at`` tells which member a click hit."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from photoorg.engine.wording import count

from ..series_model import Member, Strip, StripRole
from ..session import format_bytes
from ..theme import icon_image

LINE = 17
HEADER = 2 * LINE + 6  # two lines, each elided to the strip's width (the full text is the header's tooltip)
PAD = 6
PICK = QColor("#3f9b5a")
MORE = 64  # the width of "+N more"


def percent(score: Optional[float]) -> str:
    return f"{score:.0%}" if score is not None else ""


def rank_label(m: Member) -> str:
    """'#2', or '#2=' when another shot has the very same score."""
    if not m.rank:
        return ""
    return f"#{m.rank}" + ("=" if m.tied else "")


def pick_reason(strip: Strip) -> str:
    pick = strip.pick
    if pick is None:
        return "no pick"
    n = len(strip.members)
    if strip.user_pick:
        return "your pick" + (f" (the model ranked it {pick.rank} of {n})" if pick.rank and pick.rank > 1 else "")
    if strip.kind in ("duplicates", "videos"):
        # The header already says "kept:"; the reason alone follows it.
        return pick.why or "the copy in the best place"
    if pick.score is None:
        return f"best of {n}"
    text = f"best of {n} by the ranking model ({percent(pick.score)})"
    if pick.tied:
        text += f", tied with #{', #'.join(map(str, pick.tied))}: the model cannot tell them apart, choose yourself"
    return text


def member_tooltip(strip: Strip, m: Member) -> str:
    """What a shot's rank and score mean, for its tooltip."""
    lines = [m.name]
    n = len(strip.members)
    if strip.kind == "duplicates":
        lines.append("an identical copy of the same photo")
    elif strip.kind == "videos":
        lines.append("a copy of the same video (the same clip, or trimmed)" if m.rank and m.rank > 1 else
                     "the longest, sharpest copy of this video")
    elif m.rank:
        lines.append(f"rank {m.rank} of {n} by the ranking model")
        if m.score is not None:
            lines.append(f"score {percent(m.score)}: the model prefers it to each other shot "
                         f"{percent(m.score)} of the time, on average")
        if m.tied:
            lines.append(f"tied with #{', #'.join(map(str, m.tied))} (the very same score): "
                         "their order is arbitrary")
    verdict = "kept" if not m.goes else "a clean-up moves it"
    lines.append(f"{verdict}: {m.why or '-'}")
    if strip.kind != "videos":
        lines.append("the pick (your choice)" if m.is_pick and strip.user_pick else
                     "the pick" if m.is_pick else "click to make it the pick")
    return "\n".join(lines)


def header_lines(strip: Strip) -> tuple[str, str]:
    """The strip's header as two lines: what it is (kind, size, date, what a
    clean-up frees), then which shot is kept and why (the long part)."""
    kind = {"duplicates": "Identical copies", "similar": "Similar moments (you pick; not in Clean up all)",
            "videos": "Copies of a video"}.get(strip.kind, "Redundant shots")
    when = dt.datetime.fromtimestamp(strip.capture_ts).strftime("%d %b %Y %H:%M") if strip.capture_ts else "undated"
    if strip.kind == "similar":
        freed = (f"cleaning this stack frees {format_bytes(strip.bytes_freed)}" if strip.bytes_freed
                 else "every shot shows something the others lack")
    else:
        freed = f"clean-up frees {format_bytes(strip.bytes_freed)}" if strip.bytes_freed else "nothing to clean up"
    what = count(len(strip.members), "video" if strip.kind == "videos" else "photo")
    return f"{kind} · {what} · {when} · {freed}", f"kept: {pick_reason(strip)}"


def header_text(strip: Strip) -> str:
    """The header in one line (its tooltip, tests)."""
    return " · ".join(header_lines(strip))


class SeriesDelegate(QStyledItemDelegate):
    def __init__(self, thumbs, parent=None, thumb: int = 132) -> None:
        super().__init__(parent)
        self.thumbs = thumbs
        self.thumb = thumb
        self._bold = QFont()
        self._bold.setBold(True)
        self._small = QFont()
        self._small.setPointSizeF(8)

    def sizeHint(self, option, index) -> QSize:  # noqa: N802
        # No width of its own: the list gives each strip its whole width (a
        # width here made a horizontal scroll bar and cut the last shots).
        return QSize(1, HEADER + self.thumb + 2 * PAD + 16)

    def _cells(self, rect: QRect, strip: Strip) -> list[tuple[QRect, Member]]:
        cells = []
        x = rect.left() + PAD
        top = rect.top() + HEADER + PAD
        step = self.thumb + PAD
        for m in strip.members:
            if x + self.thumb > rect.right() - PAD:
                break
            cells.append((QRect(x, top, self.thumb, self.thumb + 14), m))
            x += step
        # Room for "+N more" after the last shot shown, inside the strip.
        while len(cells) < len(strip.members) and len(cells) > 1 and cells[-1][0].right() + MORE > rect.right():
            cells.pop()
        return cells

    @staticmethod
    def in_header(rect: QRect, pos) -> bool:
        return rect.top() <= pos.y() < rect.top() + HEADER

    def member_at(self, rect: QRect, pos, strip: Strip) -> Optional[Member]:
        for cell, m in self._cells(rect, strip):
            if cell.contains(pos):
                return m
        return None

    def paint(self, painter: QPainter, option, index) -> None:
        strip: Strip = index.data(StripRole)
        if strip is None:
            return
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.fillRect(rect.adjusted(0, 1, 0, -1), QColor("#26303a") if selected else QColor("#1d1d1d"))
        painter.setPen(QColor("#d8d8d8"))
        painter.setFont(self._bold if selected else QFont())
        metrics = painter.fontMetrics()
        width = rect.width() - 2 * PAD - 2
        for i, line in enumerate(header_lines(strip)):
            painter.drawText(QRect(rect.left() + PAD + 2, rect.top() + 4 + i * LINE, width, LINE),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(line, Qt.TextElideMode.ElideRight, width))
        cells = self._cells(rect, strip)
        for cell, m in cells:
            self._member(painter, cell, m)
        hidden = len(strip.members) - len(cells)
        if hidden > 0:
            painter.setPen(QColor("#9a9a9a"))
            painter.setFont(self._small)
            last = cells[-1][0] if cells else rect
            painter.drawText(QRect(last.right() + 4, last.top(), MORE - 4, self.thumb), Qt.AlignmentFlag.AlignVCenter,
                             f"+{hidden} more")
        painter.restore()

    def _member(self, painter: QPainter, cell: QRect, m: Member) -> None:
        area = QRect(cell.left(), cell.top(), cell.width(), cell.width())
        painter.fillRect(area, QColor("#262626"))
        image = self.thumbs.get(m.content_hash)
        painter.setOpacity(0.4 if m.goes else 1.0)
        if image is not None:
            size = image.size().scaled(area.size() - QSize(6, 6), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(area.center())
            painter.drawImage(target, image)
        painter.setOpacity(1.0)
        if m.is_pick:
            painter.setPen(QPen(PICK, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(area.adjusted(1, 1, -2, -2))
            painter.drawImage(QRect(area.right() - 20, area.top() + 4, 16, 16), icon_image("crown", 16))
        if m.goes:
            painter.drawImage(QRect(area.right() - 20, area.top() + 4, 16, 16), icon_image("clean", 16))
        if m.flag in ("pick", "reject"):
            painter.drawImage(QRect(area.left() + 4, area.top() + 4, 14, 14), icon_image(m.flag, 14))
        painter.setFont(self._small)
        painter.setPen(QColor("#7fd08f") if m.is_pick else QColor("#a0a0a0"))
        label = ("PICK " + rank_label(m)).strip() if m.is_pick else rank_label(m)
        score = percent(m.score)
        text_rect = QRect(cell.left() + 2, area.bottom() + 1, cell.width() - 4, 14)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
        painter.setPen(QColor("#a0a0a0"))
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, score)

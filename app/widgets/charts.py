"""Small painted charts for the Insights view, in the window's quiet style:
horizontal bars (one or two series), bars over time (stacked series), and a
plot of places (GPS clusters sized by photos, named by the offline gazetteer;
no map tiles offline). Every bar, segment and place given a key is
clickable: ``clicked(key)`` fires with it (the view opens its photos)."""

from __future__ import annotations

from photoorg.engine.wording import count
from typing import Optional, Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

SERIES_COLORS = [QColor("#4a90d0"), QColor("#d0a04a"), QColor("#5aa86a"), QColor("#c0605a"), QColor("#9a7fd0")]
TEXT = QColor("#c8c8c8")
DIM = QColor("#7c7c7c")
GRID = QColor("#2c2c2c")


class _Chart(QWidget):
    clicked = Signal(object)  # the key of the bar, segment or place clicked

    def __init__(self, title: str, series: Sequence[str], parent=None) -> None:
        super().__init__(parent)
        self._hits: list[tuple[QRectF, object]] = []  # painted areas and their keys, for clicks
        self.setMouseTracking(True)
        self.title = title
        self.series = list(series)
        self.empty_text = "No data yet"
        self._font = QFont()
        self._small = QFont()
        self._small.setPointSizeF(8)
        self._bold = QFont()
        self._bold.setBold(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def _frame(self, painter: QPainter) -> QRectF:
        painter.fillRect(self.rect(), QColor("#202020"))
        painter.setPen(TEXT)
        painter.setFont(self._bold)
        painter.drawText(QRectF(10, 6, self.width() - 20, 18), Qt.AlignmentFlag.AlignLeft, self.title)
        title_end = 10 + painter.fontMetrics().horizontalAdvance(self.title) + 12
        painter.setFont(self._small)
        names = self.series if len(self.series) > 1 else []
        widths = [painter.fontMetrics().horizontalAdvance(n) + 18 for n in names]
        # The legend goes beside the title when it fits, else on a line of its own.
        y = 6 if self.width() - 10 - sum(widths) >= title_end else 24
        x = self.width() - 10
        for i, name in reversed(list(enumerate(names))):
            x -= widths[i]
            painter.fillRect(QRectF(x, y + 5, 9, 9), SERIES_COLORS[i % len(SERIES_COLORS)])
            painter.setPen(DIM)
            painter.drawText(QRectF(x + 12, y, widths[i], 18), Qt.AlignmentFlag.AlignLeft, name)
        top = 30 if y == 6 else 46
        return QRectF(10, top, self.width() - 20, self.height() - top - 8)

    def _hit(self, rect: QRectF, key) -> None:
        if key is not None:
            self._hits.append((QRectF(rect), key))

    def key_at(self, pos) -> object:
        point = QPointF(pos)
        return next((key for rect, key in reversed(self._hits) if rect.contains(point)), None)

    def hit_keys(self) -> list:
        return [key for _, key in self._hits]

    def mousePressEvent(self, event) -> None:  # noqa: N802
        key = self.key_at(event.position())
        if key is not None and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(key)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        clickable = self.key_at(event.position()) is not None
        self.setCursor(Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor)
        super().mouseMoveEvent(event)

    def _empty(self, painter: QPainter, area: QRectF) -> None:
        painter.setPen(DIM)
        painter.setFont(self._font)
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_text)


class BarChart(_Chart):
    """Rows of (label, [value per series]); bars scaled to the largest value."""

    ROW = 18

    def __init__(self, title: str, series: Sequence[str] = ("",), fmt: str = "{:.0f}", parent=None) -> None:
        super().__init__(title, series, parent)
        self.rows: list[tuple[str, list[float]]] = []
        self.keys: list = []
        self.fmt = fmt
        self.setFixedHeight(120)

    def set_rows(self, rows: list[tuple[str, list[float]]], empty_text: Optional[str] = None,
                 keys: Optional[list] = None) -> None:
        self.rows = rows
        self.keys = list(keys) if keys is not None else []
        if empty_text:
            self.empty_text = empty_text
        n = len(rows)
        self.setFixedHeight(max(90, 40 + n * self.ROW * max(1, len(self.series)) + n * 4))
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(420, self.height())

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        area = self._frame(painter)
        self._hits = []
        if not self.rows:
            self._empty(painter, area)
            return
        top = max((max(v) for _, v in self.rows if v), default=0) or 1
        label_w = min(180, area.width() * 0.35)
        bar_x = area.left() + label_w + 8
        bar_w = area.right() - bar_x - 50
        y = area.top()
        painter.setFont(self._small)
        k = max(1, len(self.series))
        for n, (label, values) in enumerate(self.rows):
            h = self.ROW * k
            self._hit(QRectF(area.left(), y, area.width(), h), self.keys[n] if n < len(self.keys) else None)
            painter.setPen(TEXT)
            painter.drawText(QRectF(area.left(), y, label_w, h), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                             painter.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight, int(label_w)))
            for i, v in enumerate(values):
                rect = QRectF(bar_x, y + i * self.ROW + 3, max(1.0, bar_w * v / top), self.ROW - 6)
                painter.fillRect(rect, SERIES_COLORS[i % len(SERIES_COLORS)])
                painter.setPen(DIM)
                painter.drawText(QRectF(rect.right() + 4, rect.top() - 3, 60, self.ROW), Qt.AlignmentFlag.AlignVCenter,
                                 self.fmt.format(v))
            y += h + 4


class TimeBars(_Chart):
    """Vertical bars per period (oldest left), series stacked."""

    def __init__(self, title: str, series: Sequence[str] = ("",), parent=None) -> None:
        super().__init__(title, series, parent)
        self.periods: list[tuple[str, list[float]]] = []
        self.keys: Optional[callable] = None  # (period, series index) -> key, or None: not clickable
        self.setFixedHeight(190)

    def set_periods(self, periods: list[tuple[str, list[float]]], empty_text: Optional[str] = None,
                    keys=None) -> None:
        self.periods = periods
        self.keys = keys
        if empty_text:
            self.empty_text = empty_text
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        area = self._frame(painter)
        self._hits = []
        if not self.periods:
            self._empty(painter, area)
            return
        plot = area.adjusted(30, 4, 0, -18)
        top = max(sum(v) for _, v in self.periods) or 1
        painter.setPen(QPen(GRID, 1))
        painter.setFont(self._small)
        for frac in (0.5, 1.0):
            y = plot.bottom() - plot.height() * frac
            painter.setPen(QPen(GRID, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(DIM)
            painter.drawText(QRectF(area.left(), y - 8, 28, 16), Qt.AlignmentFlag.AlignRight, f"{top * frac:.0f}")
        n = len(self.periods)
        slot = plot.width() / n
        label_w = painter.fontMetrics().horizontalAdvance(self.periods[0][0]) + 12
        label_every = max(1, -(-label_w // max(int(slot), 1)))
        for i, (label, values) in enumerate(self.periods):
            x = plot.left() + i * slot
            y = plot.bottom()
            for j, v in enumerate(values):
                h = plot.height() * v / top
                bar = QRectF(x + slot * 0.15, y - h, max(1.0, slot * 0.7), h)
                painter.fillRect(bar, SERIES_COLORS[j % len(SERIES_COLORS)])
                if v and self.keys is not None:
                    self._hit(bar.adjusted(-slot * 0.15, 0, slot * 0.15, 0) if h >= 4 else
                              QRectF(bar.left() - slot * 0.15, bar.top() - 4, slot, 8), self.keys(label, j))
                y -= h
            if i % label_every == 0:
                painter.setPen(DIM)
                painter.drawText(QRectF(x + slot / 2 - label_w / 2, plot.bottom() + 2, label_w, 14),
                                 Qt.AlignmentFlag.AlignHCenter, label)


class PlacesPlot(_Chart):
    """GPS clusters on a plain longitude / latitude plane, sized by photos,
    labelled with their town's name (coordinates where none is near)."""

    def __init__(self, title: str, parent=None) -> None:
        super().__init__(title, (), parent)
        self.places: list[dict] = []
        self.setFixedHeight(230)

    def set_places(self, places: list[dict], empty_text: Optional[str] = None) -> None:
        self.places = places or []
        if empty_text:
            self.empty_text = empty_text
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        area = self._frame(painter)
        self._hits = []
        if not self.places:
            self._empty(painter, area)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        lats = [p["lat"] for p in self.places]
        lons = [p["lon"] for p in self.places]
        pad = 0.5
        lat0, lat1 = min(lats) - pad, max(lats) + pad
        lon0, lon1 = min(lons) - pad, max(lons) + pad
        plot = area.adjusted(10, 6, -10, -6)
        painter.setPen(QPen(GRID, 1))
        painter.drawRect(plot)
        biggest = max(p["photos"] for p in self.places) or 1
        painter.setFont(self._small)
        labels: list[QRectF] = []
        for i, p in enumerate(self.places):
            x = plot.left() + plot.width() * (p["lon"] - lon0) / (lon1 - lon0)
            y = plot.bottom() - plot.height() * (p["lat"] - lat0) / (lat1 - lat0)
            r = 4 + 14 * (p["photos"] / biggest) ** 0.5
            color = QColor(SERIES_COLORS[0])
            color.setAlpha(170)
            painter.setBrush(color)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(QPointF(x, y), r, r)
            self._hit(QRectF(x - r, y - r, 2 * r, 2 * r), ("place", i))
            if i < 8:
                # Labels of the biggest places, each where it overlaps no
                # other label (right of its dot, else left), inside the plot.
                where = p.get("name") or f"{p['lat']:.2f}, {p['lon']:.2f}"
                text = f"{where} · {count(p['photos'], 'photo')}"
                width = painter.fontMetrics().horizontalAdvance(text) + 2
                for box in (QRectF(x + r + 3, y - 8, width, 16), QRectF(x - r - 3 - width, y - 8, width, 16)):
                    if plot.contains(box) and not any(box.intersects(o) for o in labels):
                        labels.append(box)
                        painter.setPen(TEXT)
                        painter.drawText(box, Qt.AlignmentFlag.AlignVCenter, text)
                        break

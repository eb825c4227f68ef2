"""Insights: the owner's profile as charts, after the preferences paper's
profile screen: photos, events, people and places over time, what the
photos show (the library's mix next to the mix weighted by what interests
the owner), and the owner's own decisions. The numbers come from
``photoorg.engine.interest.profile.build_profile`` and the browse queries,
computed on a worker thread when the view is opened."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from ..changes import Change
from ..session import Session
from .lazy import LazyView
from ..widgets.charts import BarChart, PlacesPlot, TimeBars

# The date inside the file (or its sidecar, its name) against only the file's
# modification time (a copied file's is the day it was copied).
PHOTO_DATES = ("dated in the file", "file time only")
NOT_YET = "Appears once the photos are analysed (File ▸ Analyse now)"
NO_EVENTS = "No album has an event label yet (albums get one when the photos are analysed)"
NO_PEOPLE = "No people yet: faces are found when the photos are analysed"


def load_insights(catalog) -> dict:
    """Runs on a worker thread."""
    out: dict = {"errors": []}
    out["photos"] = _continuous(catalog.photos_per_period("%Y-%m"))
    out["people_names"], out["people_periods"] = catalog.people_per_period()
    from photoorg.engine.interest.profile import build_profile

    try:
        out["profile"] = build_profile(catalog)
    except Exception as exc:  # noqa: BLE001 - the other charts still show
        out["profile"] = None
        out["errors"].append(f"the profile could not be computed: {exc}")
    return out


def _continuous(months: list[tuple]) -> list[tuple[str, list[int]]]:
    """Every month (or, over four years, every year) from the first to the
    last, empty ones included, so the bars are a time axis. ``months``:
    (period, count, count, ...) rows; the counts stay apart (stacked bars)."""
    if not months:
        return []
    width = len(months[0]) - 1
    first, last = months[0][0], months[-1][0]
    y0, m0 = int(first[:4]), int(first[5:7])
    y1, m1 = int(last[:4]), int(last[5:7])
    counts = {row[0]: list(row[1:]) for row in months}
    if (y1 - y0) * 12 + m1 - m0 > 48:
        years: dict[str, list[int]] = {}
        for period, *values in months:
            total = years.setdefault(period[:4], [0] * width)
            years[period[:4]] = [a + b for a, b in zip(total, values)]
        return [(str(y), years.get(str(y), [0] * width)) for y in range(y0, y1 + 1)]
    out = []
    y, m = y0, m0
    while (y, m) <= (y1, m1):
        key = f"{y:04d}-{m:02d}"
        out.append((key, counts.get(key, [0] * width)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


class InsightsView(LazyView):
    watches = Change.ANALYSIS | Change.ALBUMS | Change.PEOPLE | Change.CURATION | Change.PHOTOS | Change.FLAGS | Change.FOLDERS

    def __init__(self, session: Session, shell=None, parent=None) -> None:
        super().__init__(parent)
        self.session, self.shell = session, shell
        header = QFrame()
        header.setObjectName("ViewHeader")
        title = QLabel("Insights")
        title.setObjectName("ViewTitle")
        self.summary = QLabel("")
        self.summary.setObjectName("Hint")
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        row = QHBoxLayout(header)
        row.setContentsMargins(10, 6, 10, 6)
        row.addWidget(title)
        row.addWidget(self.summary, 1)
        row.addWidget(refresh)

        self.photos = TimeBars("Photos over time", PHOTO_DATES)
        self.events = BarChart("Events (albums)", ("photos",))
        self.events_time = TimeBars("Events over time (photos per year)")
        self.groups = BarChart("What your photos show", ("whole library", "weighted by your interest"), fmt="{:.0%}")
        self.concepts = BarChart("Top subjects, by your interest", ("",), fmt="{:.1%}")
        self.people = BarChart("People (photos)", ("photos",))
        self.people_time = TimeBars("People over time (photos per year)")
        self.places = PlacesPlot("Places")
        self.decisions = TimeBars("Your decisions per month", ("kept", "trashed"))
        body = QWidget()
        columns = QHBoxLayout(body)
        columns.setContentsMargins(12, 12, 12, 12)
        columns.setSpacing(12)
        # Two independent columns: charts of different heights leave no gaps.
        for charts in ([self.photos, self.events, self.people, self.places],
                       [self.events_time, self.groups, self.people_time, self.concepts, self.decisions]):
            column = QVBoxLayout()
            column.setSpacing(12)
            for chart in charts:
                column.addWidget(chart)
            column.addStretch(1)
            columns.addLayout(column, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(scroll, 1)
        self.listen(session)
        self._places: list[dict] = []
        self.data: dict = {}
        for chart in (self.photos, self.events, self.events_time, self.groups, self.concepts, self.people,
                      self.people_time, self.places, self.decisions):
            chart.clicked.connect(self.open_photos)

    def reload(self, kinds: Change) -> None:
        catalog = self.session.catalog
        self.summary.setText("computing…")
        self.session.runner.call("insights", lambda: load_insights(catalog), lane="query", key="insights",
                                 on_done=self._show,
                                 on_error=lambda msg: self.session.error.emit(f"Could not compute insights: {msg}"))

    def _show(self, data: dict) -> None:
        """Every number is one the view it summarises shows, and every bar
        opens its photos in the library (``open_photos``)."""
        self.loaded = True
        self.data = data
        self.photos.set_periods(data["photos"], "No dated photos yet",
                                keys=lambda period, _j: ({"period": period}, f"Photos of {period}"))
        people_ids = [pid for pid, _ in data["people_names"]]
        names = dict(data["people_names"])
        self.people_time.series = [names[pid] for pid in people_ids]
        self.people_time.set_periods(data["people_periods"], NO_PEOPLE, keys=lambda period, j: (
            {"person_id": people_ids[j], "period": period}, f"{names[people_ids[j]]} in {period}"))
        profile = data.get("profile") or {}
        events = profile.get("events") or {}
        counts = events.get("counts", [])
        self.events.set_rows([(e["name"], [e["photos"]]) for e in counts], NO_EVENTS,
                             keys=[({"event": e["event"]}, e["name"]) for e in counts])
        top = counts[:4]
        years = sorted({t["period"] for t in events.get("timeline", [])})
        by = {(t["period"], t["event"]): t["photos"] for t in events.get("timeline", [])}
        self.events_time.series = [e["name"] for e in top]
        self.events_time.set_periods([(y, [by.get((y, e["event"]), 0) for e in top]) for y in years], NO_EVENTS,
                                     keys=lambda period, j: ({"event": top[j]["event"], "period": period},
                                                             f"{top[j]['name']} in {period}"))
        groups = (profile.get("groups") or [])[:10]
        self.groups.set_rows([(g["group"], [g["library"], g["interest"]]) for g in groups], NOT_YET,
                             keys=[({"photo_ids": g.get("photo_ids", [])}, f"Photos of {g['group']}") for g in groups])
        concepts = (profile.get("concepts") or [])[:10]
        self.concepts.set_rows([(c["concept"], [c["interest"]]) for c in concepts], NOT_YET,
                               keys=[({"photo_ids": c.get("photo_ids", [])}, f"Photos of {c['concept']}")
                                     for c in concepts])
        people = (profile.get("people") or [])[:10]
        self.people.set_rows([(person_name(p), [p["photos"]]) for p in people], NO_PEOPLE,
                             keys=[({"person_id": p["person_id"]}, person_name(p)) for p in people])
        places = profile.get("places") or []
        self.places.set_places(places, "No photo has a GPS position")
        self._places = places
        curation = profile.get("curation") or {}
        months = {m["period"]: m for m in curation.get("by_month", [])}
        self.decisions.set_periods([(m["period"], [m["kept"], m["trashed"]]) for m in months.values()],
                                   "Your picks, ratings and clean-ups show here",
                                   keys=lambda period, j: (
                                       {"photo_ids": months[period]["kept_ids" if j == 0 else "trashed_ids"],
                                        **({} if j == 0 else {"status": "trashed"})},
                                       f"{'Kept' if j == 0 else 'Trashed'} in {period}"))
        if profile:
            self.summary.setText(f"{profile.get('photos', 0):,} photos · {profile.get('with_concepts', 0):,} analysed · "
                                 f"subjects weighted by {profile.get('weighting', '')} · click a bar for its photos")
        else:
            self.summary.setText("the profile needs analysed photos")
        for err in data["errors"]:
            self.session.error.emit(err)

    def open_photos(self, key) -> None:
        """A chart was clicked: its photos in the library."""
        if isinstance(key, tuple) and key and key[0] == "place":
            place = self._places[key[1]]
            name = place.get("name") or f"{place['lat']:.2f}, {place['lon']:.2f}"
            key = ({"photo_ids": place.get("ids", [])}, f"Photos at {name}")
        fields, title = key
        if self.shell is not None:
            self.shell.navigate(("filter", fields, title))


def person_name(p: dict) -> str:
    """As the People view names a person (``people_by_photos`` gives the
    display name), the owner marked as in its badge."""
    return p["name"] + (" (you)" if p["owner"] and p["name"] != "You" else "")

"""Trips: events on consecutive days away from home become one album.

Time segmentation cuts a camera roll at long gaps, and a night is always
one, so a five-day holiday came out as five albums (or fifteen). A person
calls it one trip, with days inside. Here consecutive time events are joined
when every one of them is away from home (its photos with GPS mostly more
than ``geo.AWAY_KM`` from it) or has no GPS at all while sitting between
two that are, and no more than ``MAX_GAP_DAYS`` calendar days separate one
from the next. A run becomes a trip when it covers at least two days and two
away events; a day trip stays the event it was.

Folders someone made stay as they are: only time events (camera rolls, the
"time" mode) are joined. Pure functions on plain records.
"""

from __future__ import annotations

from datetime import date
from typing import Callable, Optional, Sequence

from .segment import Group

MAX_GAP_DAYS = 1    # a day without photos inside a trip keeps it one trip; two do not
AWAY_SHARE = 0.5    # share of an event's GPS photos away from home for it to be away
MIN_DAYS = 2


def _days(g: Group) -> list[date]:
    return sorted({date.fromisoformat(p.day) for p in g.photos if p.day})


def _state(g: Group, is_away: Callable[[float, float], bool]) -> str:
    located = [(p.lat, p.lon) for p in g.photos if p.lat is not None and p.lon is not None]
    if not located:
        return "unknown"
    away = sum(1 for lat, lon in located if is_away(lat, lon))
    return "away" if away / len(located) >= AWAY_SHARE else "home"


def join_trips(groups: Sequence[Group], is_away: Optional[Callable[[float, float], bool]]) -> list[Group]:
    """``groups`` with runs of time events away from home joined into trips
    (order kept otherwise). Without a home (``is_away`` None) nothing is joined."""
    if is_away is None:
        return list(groups)
    timed = sorted((i for i, g in enumerate(groups) if g.source == "time" and _days(g)),
                   key=lambda i: _days(groups[i])[0])
    runs: list[list[int]] = []
    current: list[int] = []
    last_day: Optional[date] = None
    for i in timed:
        days = _days(groups[i])
        if _state(groups[i], is_away) == "home":
            runs.append(current)
            current = []
        elif current and last_day is not None and (days[0] - last_day).days <= MAX_GAP_DAYS + 1:
            current.append(i)
        else:
            runs.append(current)
            current = [i]
        last_day = days[-1] if current == [i] or last_day is None else max(last_day, days[-1])
    runs.append(current)
    trips: dict[int, Group] = {}   # first group index -> the trip
    absorbed: set[int] = set()
    for run in runs:
        # An event without GPS may sit inside a trip, not open or close one.
        while run and _state(groups[run[0]], is_away) == "unknown":
            run = run[1:]
        while run and _state(groups[run[-1]], is_away) == "unknown":
            run = run[:-1]
        away = [i for i in run if _state(groups[i], is_away) == "away"]
        days = {d for i in run for d in _days(groups[i])}
        if len(away) < 2 or len(days) < MIN_DAYS:
            continue
        photos = sorted((p for i in run for p in groups[i].photos), key=lambda p: (p.ts is None, p.ts or 0.0, p.id))
        folders = {groups[i].folder for i in run}
        trips[run[0]] = Group("trip", folders.pop() if len(folders) == 1 else "", photos)
        absorbed.update(run)
    out = []
    for i, g in enumerate(groups):
        if i in trips:
            out.append(trips[i])
        elif i not in absorbed:
            out.append(g)
    return out

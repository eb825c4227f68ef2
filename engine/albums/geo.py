"""Where the library's photos were taken, in names: each GPS photo's town
(stored in ``photo_places``), an album's place from its photos', and home.

Home is where the person lives, so that days elsewhere read as a trip: the
user's setting (``Preferences.home_place``: "Lyon, France", "Lyon" or
"45.76, 4.84") or else the town of the library with the most days of
photos (days, not photos: one wedding of 800 photos is not home).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from .places import GAZETTEER, gazetteer, haversine_km

log = logging.getLogger(__name__)

AWAY_KM = 50.0          # farther than this from home is away (a day out in the next town is not a trip)
HOME_MIN_DAYS = 3       # the library's home needs at least this many days of photos there
SHARED_NAME = 0.25
PLACE_MIN_SHARE, PLACE_MIN_PHOTOS = 0.25, 5  # an album is named after a place when this share (or count) of it says so      # a second town in at least this share of an album's named photos is named too


def update_photo_places(catalog, cache_dir=None) -> int:
    """Name the places of photos with GPS that have none (or moved); returns
    how many were named. Loads the gazetteer only when there is work."""
    todo = catalog.photos_needing_places(GAZETTEER)
    if not todo:
        return 0
    named = gazetteer(cache_dir).lookup([(lat, lon) for _pid, lat, lon in todo])
    catalog.save_photo_places([(pid, lat, lon, pl) for (pid, lat, lon), pl in zip(todo, named)], GAZETTEER)
    return len(todo)


@dataclass(frozen=True)
class Home:
    city: str
    country_code: str
    lat: float
    lon: float
    source: str  # "setting" | "library"

    def is_away(self, lat: float, lon: float) -> bool:
        return haversine_km((self.lat, self.lon), (lat, lon)) > AWAY_KM


_COORDS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[, ]\s*(-?\d+(?:\.\d+)?)\s*$")


def _home_from_setting(text: str, places: dict, cache_dir=None) -> Optional[Home]:
    m = _COORDS.match(text)
    if m:
        lat, lon = float(m.group(1)), float(m.group(2))
        pl = gazetteer(cache_dir).lookup([(lat, lon)])[0]
        return Home(pl.city if pl else text, pl.country_code if pl else "", lat, lon, "setting")
    city, _, country = (s.strip().lower() for s in text.partition(","))
    # The library's own photos of that town first (no gazetteer needed)...
    for p in places.values():
        if p.city and p.city.lower() == city and (not country or country in
                                                   ((p.country or "").lower(), (p.country_code or "").lower())):
            return Home(p.city, p.country_code or "", p.lat, p.lon, "setting")
    # ... else the gazetteer's most populous place of that name.
    g = gazetteer(cache_dir)
    best = None
    for i, name in enumerate(g.city):
        if name.lower() != city:
            continue
        code = g.code[i]
        if country and country not in (code.lower(), g.countries.get(code, "").lower()):
            continue
        if best is None or g.population[i] > g.population[best]:
            best = i
    if best is None:
        log.warning("home place %r not found in the gazetteer; using the library's most frequent place", text)
        return None
    lat, lon = g.position(best)
    return Home(g.city[best], g.code[best], lat, lon, "setting")


def find_home(catalog, photos: Sequence, places: dict, setting: Optional[str] = None, cache_dir=None) -> Optional[Home]:
    """The user's home setting, else the library's town with most photo days."""
    if setting and setting.strip():
        home = _home_from_setting(setting.strip(), places, cache_dir)
        if home is not None:
            return home
    days: dict[tuple[str, str], set] = {}
    where: dict[tuple[str, str], tuple[float, float]] = {}
    for p in photos:
        pl = places.get(p.id)
        if pl is None or not pl.city or not p.capture_time:
            continue
        key = (pl.city, pl.country_code or "")
        days.setdefault(key, set()).add(p.capture_time[:10])
        where.setdefault(key, (pl.lat, pl.lon))
    ranked = sorted(days, key=lambda k: (-len(days[k]), k))
    # A home is where most days were spent, clearly: a few days here and
    # there (or a tie) say nothing about where the owner lives.
    if not ranked or len(days[ranked[0]]) < HOME_MIN_DAYS or \
            (len(ranked) > 1 and len(days[ranked[1]]) == len(days[ranked[0]])):
        return None
    key = ranked[0]
    return Home(key[0], key[1], *where[key], source="library")


def album_place(places: Iterable, home: Optional[Home] = None) -> Optional[str]:
    """An album's place in words from its photos' places (``PhotoPlace``,
    None for a photo without GPS): the town most of them were taken in, or
    two towns when a second holds a good share, or the region / the country
    when the album wanders further. The country is added when it is not
    home's. None when too few photos say where (one Kenyan photo among 23
    camera samples does not make the folder "Nakuru")."""
    places = list(places)
    named = [p for p in places if p is not None and p.city]
    if not named or (len(named) < PLACE_MIN_PHOTOS and len(named) < PLACE_MIN_SHARE * len(places)):
        return None
    towns = Counter((p.city, p.country_code or "") for p in named)
    (top, top_n), *rest = towns.most_common()
    countries = Counter(p.country_code or "" for p in named)
    country_name = {p.country_code or "": p.country or "" for p in named}
    home_cc = home.country_code if home else None

    def with_country(name: str, cc: str) -> str:
        return f"{name}, {country_name[cc]}" if home_cc is not None and cc != home_cc and country_name[cc] else name

    if not rest or top_n / len(named) >= 1 - SHARED_NAME:
        return with_country(top[0], top[1])
    second, second_n = rest[0]
    if len(rest) == 1 or (second_n / len(named) >= SHARED_NAME and (top_n + second_n) / len(named) >= 0.8):
        if second[1] == top[1]:
            return with_country(f"{top[0]} & {second[0]}", top[1])
        return f"{with_country(top[0], top[1])} & {with_country(second[0], second[1])}"
    if len(countries) == 1:
        regions = Counter(p.region for p in named if p.region)
        region = regions.most_common(1)[0][0] if regions else None
        cc = next(iter(countries))
        if region and len(regions) == 1:
            return with_country(region, cc)
        return country_name[cc] or top[0]
    return " & ".join(country_name[cc] or cc for cc, _n in countries.most_common(2))


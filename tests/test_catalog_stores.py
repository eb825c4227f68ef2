"""The catalog by domain: ``Catalog`` is composed from each domain's store
found on disk (``engine/catalog/stores.py``), a method defined by two stores
or a store that fails to import is an error, and each rule has one home."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest

from photoorg.engine.catalog import Catalog, stores
from photoorg.engine.catalog.db import CatalogBase

ENGINE = Path(__file__).resolve().parents[1] / "engine"


def test_each_domain_brings_its_own_store():
    names = stores.store_module_names()
    for expected in ("faces.queries", "faces.people_queries", "privacy.queries", "interest.queries",
                     "albums.queries", "series.queries", "curation.queries", "catalog.queries"):
        assert f"photoorg.engine.{expected}" in names, names
    mixins = stores.query_mixins(names, CatalogBase)
    assert Catalog.__mro__[1:-2] == mixins and Catalog.__mro__[-2] is CatalogBase
    # Where a method lives says which domain answers for it.
    where = {"save_faces": "faces.queries", "people_list": "faces.people_queries", "confirm_owner":
             "faces.people_queries", "privacy_list": "privacy.queries", "set_private": "privacy.queries",
             "interest_scores": "interest.queries", "albums": "albums.queries", "series_list": "series.queries",
             "browse_rows": "catalog.browse", "folder_entries": "catalog.sidebar",
             "people_per_period": "catalog.insights", "photo_details": "catalog.inspector"}
    for method, module in where.items():
        assert getattr(Catalog, method).__module__ == f"photoorg.engine.{module}", method
    # The catalog package keeps the connection, the migrations and generic
    # stores; no domain store is left in it.
    assert not sorted(p.name for p in (ENGINE / "catalog").glob("*_store.py"))


def _fake_module(monkeypatch, name: str, **attrs) -> str:
    module = types.ModuleType(name)
    for key, value in attrs.items():
        setattr(module, key, value)
    monkeypatch.setitem(sys.modules, name, module)
    return name


def test_a_method_defined_by_two_stores_is_an_error(monkeypatch):
    class AlbumsA:
        def album_title(self): ...

    class AlbumsB:
        def album_title(self): ...

        def other(self): ...

    a = _fake_module(monkeypatch, "fake_store_a", QUERIES=AlbumsA)
    b = _fake_module(monkeypatch, "fake_store_b", QUERIES=AlbumsB)
    with pytest.raises(TypeError, match="'album_title' is defined twice"):
        stores.query_mixins([a, b], CatalogBase)

    class Shadow:  # would hide the catalog's own write()
        def write(self): ...

    with pytest.raises(TypeError, match="'write' is defined twice"):
        stores.query_mixins([_fake_module(monkeypatch, "fake_store_c", QUERIES=Shadow)], CatalogBase)
    # Distinct names compose.
    class Other:
        def something_else(self): ...

    assert stores.query_mixins([a, _fake_module(monkeypatch, "fake_store_d", QUERIES=Other)],
                               CatalogBase) == (AlbumsA, Other)


def test_a_broken_store_is_an_error_never_a_skip(monkeypatch, tmp_path):
    with pytest.raises(TypeError, match="names no QUERIES"):
        stores.query_mixins([_fake_module(monkeypatch, "fake_store_empty")], CatalogBase)
    (tmp_path / "fake_broken_queries.py").write_text("import no_such_module_here\nQUERIES = object\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError):
        stores.query_mixins(["fake_broken_queries"], CatalogBase)


def test_the_privacy_rule_and_the_person_rule_have_one_home():
    """Only the privacy store reads the evidence or the user's override to
    decide (every other module asks it), and the display name "Person
    N"/"You" is spelled once."""
    deciders, namers = set(), set()
    decides = re.compile(r"\b(pp|photo_privacy)\.(document|screenshot|portrait)\b|\bo\.private\b")
    for path in [*ENGINE.rglob("*.py"), *(ENGINE.parent / "app").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ENGINE).as_posix() if ENGINE in path.parents else "app"
        if decides.search(text):
            deciders.add(rel)
        if "'Person ' ||" in text or 'f"Person {' in text:
            namers.add(rel)
    assert deciders == {"privacy/queries.py"}, deciders
    assert namers == {"faces/people_queries.py"}, namers

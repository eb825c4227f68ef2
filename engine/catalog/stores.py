"""Where ``Catalog``'s queries come from: each domain's store, found on disk.

A domain's catalog queries are a mixin class (it reaches the database only
through ``self.db``, ``self.query``/``self.scalar`` and ``self.write()``) in a
module named ``queries.py`` or ``<something>_queries.py`` in its package
under ``engine/``, which names it in ``QUERIES`` (a class, or a tuple of
classes). Nothing lists them: ``Catalog`` is composed from what this finds,
over ``CatalogBase`` (the connection, the lock and the migrations).

Two stores defining one method name is an error (one would silently hide the
other in the method resolution order), and so is a store module that fails to
import or names no ``QUERIES``: never a silent skip.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Iterable


def _is_store_module(name: str) -> bool:
    return name == "queries" or name.endswith("_queries")


def store_module_names() -> list[str]:
    """Every ``engine/<package>/queries.py`` and ``*_queries.py``, sorted."""
    engine_dir = Path(__file__).resolve().parent.parent
    engine_pkg = __package__.rsplit(".", 1)[0]
    names = []
    for pkg in pkgutil.iter_modules([str(engine_dir)]):
        if not pkg.ispkg:
            continue
        for mod in pkgutil.iter_modules([str(engine_dir / pkg.name)]):
            if not mod.ispkg and _is_store_module(mod.name):
                names.append(f"{engine_pkg}.{pkg.name}.{mod.name}")
    return sorted(names)


def _own_names(cls: type) -> set[str]:
    return {n for n in vars(cls) if not (n.startswith("__") and n.endswith("__"))}


def query_mixins(module_names: Iterable[str], base: type) -> tuple[type, ...]:
    """The ``QUERIES`` classes of these modules, in order; raises when a
    module defines none, or when two classes (or a class and ``base``)
    define the same name."""
    owners: dict[str, str] = {n: f"{base.__module__}.{base.__qualname__}" for n in _own_names(base)}
    out: list[type] = []
    for module_name in module_names:
        module = importlib.import_module(module_name)  # an error here is an error: no silent skip
        found = getattr(module, "QUERIES", None)
        classes = found if isinstance(found, tuple) else (found,)
        if not classes or not all(isinstance(c, type) for c in classes):
            raise TypeError(f"{module_name} is a catalog store module but names no QUERIES class")
        for cls in classes:
            where = f"{cls.__module__}.{cls.__qualname__}"
            for name in sorted(_own_names(cls)):
                if name in owners and owners[name] != where:
                    raise TypeError(f"catalog method {name!r} is defined twice: in {owners[name]} and in {where}")
                owners[name] = where
            if cls not in out:
                out.append(cls)
    return tuple(out)

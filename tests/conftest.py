"""Shared fixtures. Tests never write into the user's home or the photos they
read: catalogs, caches and photo copies live in pytest's temporary folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_PHOTOS = REPO.parent / "shared" / "photos"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Point HOME and the XDG folders at a temporary place for every test, so
    that nothing (default catalog, trash, caches) can reach the real home."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (("XDG_DATA_HOME", ".local/share"), ("XDG_CACHE_HOME", ".cache"),
                     ("XDG_CONFIG_HOME", ".config")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.delenv("PHOTOORG_CATALOG", raising=False)


@pytest.fixture(autouse=True)
def _no_person_holds_two_faces_of_one_photo(monkeypatch):
    """Every catalog a test builds is checked when it closes (and the
    ``catalog`` fixture's at teardown): no person holds two faces of one
    photo (``Catalog.face_invariant_violations``)."""
    from photoorg.engine.catalog import db

    found: list = []
    original = db.CatalogBase.close

    def checked_close(self) -> None:
        if not self._closed and hasattr(self, "face_invariant_violations"):
            try:
                found.extend(self.face_invariant_violations())
            except Exception:  # noqa: BLE001 - a broken catalog is the test's own business
                pass
        original(self)

    monkeypatch.setattr(db.CatalogBase, "close", checked_close)
    yield found
    assert not found, f"a person holds two faces of one photo (person, content, faces): {found}"


@pytest.fixture(scope="session")
def shared_photos() -> Path:
    if not SHARED_PHOTOS.is_dir():
        pytest.skip(f"real test photos not found at {SHARED_PHOTOS} (../shared/photos beside the project)")
    return SHARED_PHOTOS


@pytest.fixture
def settings(tmp_path):
    from photoorg.engine.settings import Settings

    return Settings.for_catalog(tmp_path / "catalog.sqlite", workers=1)


@pytest.fixture
def catalog(settings):
    from photoorg.engine.catalog import Catalog

    with Catalog(settings.catalog_path) as cat:
        yield cat
        if not cat._closed:  # a test that closed it was checked at its close
            assert not cat.face_invariant_violations(), "a person holds two faces of one photo"


def copy_photos(src_root: Path, names: list[str], dest: Path) -> list[Path]:
    """Copy some shared photos into a temporary library folder."""
    out = []
    for name in names:
        target = dest / Path(name).name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src_root / name, target)
        out.append(target)
    return out


@pytest.fixture
def skimage_photos(tmp_path) -> Path:
    """Photos from a registry package (scikit-image's bundled data), saved as
    JPEG files the way a camera folder holds them."""
    data = pytest.importorskip("skimage.data")
    from PIL import Image

    folder = tmp_path / "skimage"
    folder.mkdir()
    for name in ("astronaut", "coffee", "chelsea", "rocket", "camera"):
        array = getattr(data, name)()
        Image.fromarray(array).save(folder / f"{name}.jpg", quality=92)
    return folder


def pytest_collection_modifyitems(config, items):
    # GUI tests need an offscreen Qt platform; set it before Qt is imported.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

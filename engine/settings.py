"""Typed settings, defined in one place and passed in (never read from globals).

``Settings`` is what a run needs: where the catalog and its cache live, how many
worker processes to use, and the user's ``Preferences``. Preferences are stored
in the catalog (table ``prefs``) so the window and the command line share them.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Optional

import platformdirs

Device = Literal["auto", "cpu", "cuda"]
TrashMode = Literal["system", "quarantine"]
SidecarNaming = Literal["auto", "append", "replace"]


def default_catalog_path() -> Path:
    """The per-user catalog, unless PHOTOORG_CATALOG names another file."""
    env = os.environ.get("PHOTOORG_CATALOG")
    if env:
        return Path(env).expanduser()
    return platformdirs.user_data_path("photoorg", appauthor=False) / "catalog.sqlite"


@dataclass(frozen=True)
class Preferences:
    # Inference device: auto picks CUDA when it really loads, else CPU.
    device: Device = "auto"
    # Images above this many megapixels are skipped (decompression-bomb guard;
    # the default is Pillow's own error threshold, 2 x 89.5 MP).
    max_megapixels: float = 178.9
    # XMP sidecars are written only when the user opts in.
    xmp_write: bool = False
    # "append": photo.jpg.xmp, "replace": photo.xmp, "auto": whichever exists.
    xmp_naming: SidecarNaming = "auto"
    # Write sidecars into this folder (mirroring paths) instead of beside photos.
    xmp_folder: Optional[str] = None
    trash_mode: TrashMode = "system"
    quarantine_dir: Optional[str] = None
    # Private photos (personal documents, receipts, screenshots) stay out of
    # stories and exports unless the user allows them.
    allow_private_in_exports: bool = False
    # The paper's portrait rule: photos about one person (a face large in the
    # frame) count as private too. Off: ordinary photos of people, portraits
    # included, are what stories are made of.
    private_portraits: bool = False
    # Where the owner lives ("Lyon, France", "Lyon" or "45.76, 4.84"), so that
    # days elsewhere are trips; unset: the library's town with most photo days.
    home_place: Optional[str] = None
    # Videos: seconds one file may take to read before it is skipped as
    # "reading took longer..."; whether story highlights keep their own sound
    # (mixed under the music) or play muted.
    video_time_limit_s: float = 120.0
    story_video_sound: Literal["muted", "under-music"] = "muted"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Preferences":
        known = {f.name: f for f in dataclasses.fields(cls)}
        clean = {k: v for k, v in data.items() if k in known}
        return dataclasses.replace(cls(), **clean)


@dataclass(frozen=True)
class Settings:
    catalog_path: Path
    cache_dir: Path
    workers: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    prefs: Preferences = field(default_factory=Preferences)
    thumbnail_px: int = 384

    @classmethod
    def for_catalog(cls, catalog_path: Path | str, **overrides: Any) -> "Settings":
        """Settings whose cache (thumbnails, exported models) sits beside the
        catalog file, so one catalog is one self-contained pair of paths."""
        # The real path: a catalog reached through a link keeps one cache.
        path = Path(catalog_path).expanduser().resolve()
        cache = path.with_name(path.stem + ".photoorg-cache")
        return cls(catalog_path=path, cache_dir=cache, **overrides)

    @property
    def thumbs_dir(self) -> Path:
        return self.cache_dir / "thumbs"

    @property
    def models_dir(self) -> Path:
        return self.cache_dir / "models"

    def with_prefs(self, prefs: Preferences) -> "Settings":
        return dataclasses.replace(self, prefs=prefs)

"""The sharpness and exposure stage: measured per photo, shown in the
inspector, sortable and filterable in the grid, named in a series' "why"."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from photoorg.engine.progress import CancelToken

SHARP = "immich/albums/nature/el_torcal_rocks.jpg"


def _library(shared_photos, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    original = Image.open(shared_photos / SHARP).convert("RGB")
    original.save(lib / "sharp.jpg", quality=95)
    original.filter(ImageFilter.GaussianBlur(4)).save(lib / "blurred.jpg", quality=95)
    Image.fromarray((np.asarray(original, np.float32) / 4).astype(np.uint8)).save(lib / "dark.jpg", quality=95)
    return lib


def test_sharpness_and_exposure_per_photo_in_grid_inspector_and_series(shared_photos, settings, catalog, tmp_path):
    from photoorg.engine.catalog.browse import BrowseFilter
    from photoorg.engine.pipeline import inspector_providers, stage_named
    from photoorg.engine.quality.stage import BLURRY, INSPECTOR, SHARP as SHARP_LEVEL, why_in_series
    from photoorg.engine.scan.scanner import scan

    scan(catalog, [str(_library(shared_photos, tmp_path))], settings)
    stage = stage_named("quality")  # found in its package: nothing lists it
    out = stage.run(catalog, settings, lambda p: None, CancelToken())
    assert out["photos"] == 3 and out["failed"] == 0 and out["blurry"] == 1 and out["badly_exposed"] == 1
    ids = {p.display_path.rsplit("/", 1)[1]: p.id for p in catalog.photos()}
    q = {name: catalog.query("SELECT sharpness, exposure FROM photo_quality WHERE content_hash = "
                             "(SELECT content_hash FROM photos WHERE id = ?)", (pid,))[0] for name, pid in ids.items()}
    assert q["sharp.jpg"][0] >= SHARP_LEVEL > BLURRY > q["blurred.jpg"][0]
    assert q["dark.jpg"][1] < q["sharp.jpg"][1] - 1.8  # a quarter of the light: 2 EV
    # The grid: sorted sharpest first, filtered to what needs a look.
    assert "sharpness" in catalog.browse_capabilities().sorts
    order = [r.name for r in catalog.browse_rows(sort="sharpness")]
    assert order.index("sharp.jpg") < order.index("blurred.jpg")
    assert [r.name for r in catalog.browse_rows(BrowseFilter(quality="blurry"))] == ["blurred.jpg"]
    assert {r.name for r in catalog.browse_rows(BrowseFilter(quality="poor"))} == {"blurred.jpg", "dark.jpg"}
    assert [r.name for r in catalog.browse_rows(BrowseFilter(quality="good"))] == ["sharp.jpg"]
    # The inspector's section, registered by the stage module.
    assert INSPECTOR in inspector_providers()
    (title, rows), = INSPECTOR(catalog, catalog.photo_details(ids["blurred.jpg"]))
    assert dict(rows)["Sharpness"].startswith("blurry")
    assert dict(INSPECTOR(catalog, catalog.photo_details(ids["dark.jpg"]))[0][1])["Exposure"].startswith("dark")
    # A series' "why": the kept shot is the sharpest, the blurred one is softer than it.
    catalog.save_series("series", "k", [(ids["sharp.jpg"], 1, 0.9), (ids["blurred.jpg"], 2, 0.4),
                                        (ids["dark.jpg"], 3, 0.2)])
    assert why_in_series(catalog, ids["sharp.jpg"]).startswith("the sharpest of 3 shots; well exposed")
    assert why_in_series(catalog, ids["blurred.jpg"]).startswith("softer than the kept shot")
    assert "dark" in why_in_series(catalog, ids["dark.jpg"])

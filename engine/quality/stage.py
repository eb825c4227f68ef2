"""Per-photo stage "quality": how sharp and how well exposed each photo is.

Measured on the photo fitted to 1024 px (the same pixels the privacy stage
reads, so it costs no resize of its own), in grey:

- sharpness: the variance of the Laplacian (3x3) in the sharpest part of the
  frame (the mean of the 2 sharpest cells of a 4x4 grid, so that a sharp
  subject before a soft background counts as sharp); ``sharpness_all`` over
  the whole frame. Noise raises it too: grain looks like detail.
- exposure: ``log2(mean luminance / 0.46)``, EV away from mid grey (a dark
  photo is negative); the shares of clipped highlights and crushed shadows.

Shown in the inspector (``INSPECTOR``), sortable and filterable in the grid
(``catalog.browse``: sort "sharpness", filter ``quality``), and named in a
series' "why" (``why_in_series``).
"""

from __future__ import annotations

import time
from typing import Optional

import numpy as np

from ..pipeline import Need, PhotoInput, PhotoStage

NAME = "quality"
VERSION = 1
NEED = Need("short", 1024, fit=1024)  # = privacy.stage.TEXT_NEED: one derived image for both
GRID = 4
# Levels, set on 58 photos of ../shared/photos and blurred / darkened copies
# (measured at 1024 px): originals 53 and up (5th percentile 209), a Gaussian
# blur of 2 px 3-33, of 4 px under 5. Originals' exposure -1.3 to +1.0 EV;
# a third of the light -2.9 to -0.6 EV.
SHARP, BLURRY = 150.0, 40.0
DARK_EV, BRIGHT_EV = -1.5, 1.0
CLIPPED = 0.15  # share of highlights (or 0.5 of shadows) that spoils a photo
MID_GREY = 0.46


def measure_grey(grey: np.ndarray) -> dict:
    """The measures of one grey image (float32, 0-255)."""
    g = grey.astype(np.float32)
    lap = 4 * g[1:-1, 1:-1] - g[:-2, 1:-1] - g[2:, 1:-1] - g[1:-1, :-2] - g[1:-1, 2:]
    h, w = lap.shape
    cells = [lap[r * h // GRID:(r + 1) * h // GRID, c * w // GRID:(c + 1) * w // GRID]
             for r in range(GRID) for c in range(GRID)]
    variances = sorted((float(c.var()) for c in cells if c.size), reverse=True)
    mean = float(g.mean()) / 255.0
    return {
        "sharpness": round(float(np.mean(variances[:2])) if variances else 0.0, 2),
        "sharpness_all": round(float(lap.var()) if lap.size else 0.0, 2),
        "exposure": round(float(np.clip(np.log2(max(mean, 1e-3) / MID_GREY), -8, 8)), 3),
        "highlights": round(float((g >= 250).mean()), 4),
        "shadows": round(float((g <= 5).mean()), 4),
    }


def measure(inp: PhotoInput) -> dict:
    return measure_grey(np.asarray(inp.image().convert("L")))


def write(catalog, done: list) -> dict:
    now = time.time()
    with catalog.write() as db:
        db.conn.executemany(
            "INSERT OR REPLACE INTO photo_quality(content_hash, sharpness, sharpness_all, exposure, highlights, "
            "shadows, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(p.content_hash, r["sharpness"], r["sharpness_all"], r["exposure"], r["highlights"], r["shadows"], now)
             for p, r in done])
    return {"blurry": sum(r["sharpness"] < BLURRY for _, r in done),
            "badly_exposed": sum(bool(exposure_problem(r)) for _, r in done)}


# -- what it means, in words ---------------------------------------------------------
def sharpness_word(value: float) -> str:
    return "sharp" if value >= SHARP else "slightly soft" if value >= BLURRY else "blurry"


def exposure_problem(q: dict) -> Optional[str]:
    """None when well exposed, else a few words."""
    if q["highlights"] >= CLIPPED:
        return f"{q['highlights']:.0%} blown highlights"
    if q["shadows"] >= 2 * CLIPPED + 0.2:
        return f"{q['shadows']:.0%} crushed shadows"
    if q["exposure"] <= DARK_EV:
        return f"dark ({q['exposure']:+.1f} EV)"
    if q["exposure"] >= BRIGHT_EV:
        return f"bright ({q['exposure']:+.1f} EV)"
    return None


def quality_of(catalog, content_hashes) -> dict[str, dict]:
    hashes = list(dict.fromkeys(content_hashes))
    out: dict[str, dict] = {}
    for i in range(0, len(hashes), 900):
        part = hashes[i:i + 900]
        for r in catalog.db.execute(
                "SELECT content_hash, sharpness, sharpness_all, exposure, highlights, shadows FROM photo_quality "
                f"WHERE content_hash IN ({','.join('?' * len(part))})", part):
            out[r[0]] = {"sharpness": r[1], "sharpness_all": r[2], "exposure": r[3], "highlights": r[4],
                         "shadows": r[5]}
    return out


def why_in_series(catalog, photo_id: int) -> Optional[str]:
    """How this shot compares with the others of its series, in sharpness
    and exposure ("the sharpest of 5 shots; well exposed", "softer than the
    kept shot: 35 against 210"); None when not in a series or not measured."""
    row = catalog.db.execute(
        "SELECT m.series_id, s.pick_photo_id FROM series_members m JOIN series s ON s.id = m.series_id "
        "WHERE m.photo_id = ? AND s.kind != 'duplicates'", (photo_id,)).fetchone()
    if row is None:
        return None
    members = catalog.db.execute("SELECT p.id, p.content_hash FROM series_members m JOIN photos p ON p.id = m.photo_id "
                                 "WHERE m.series_id = ?", (row[0],)).fetchall()
    q = quality_of(catalog, [h for _, h in members])
    by_id = {pid: q[h] for pid, h in members if h in q}
    if photo_id not in by_id or len(by_id) < 2:
        return None
    mine = by_id[photo_id]
    order = sorted(by_id, key=lambda pid: -by_id[pid]["sharpness"])
    place = order.index(photo_id) + 1
    problem = exposure_problem(mine)
    exposure = problem or "well exposed"
    pick = row[1]
    if place == 1:
        sharp = f"the sharpest of {len(by_id)} shots"
    elif pick in by_id and pick != photo_id and by_id[pick]["sharpness"] > mine["sharpness"] * 1.5:
        sharp = f"softer than the kept shot ({mine['sharpness']:.0f} against {by_id[pick]['sharpness']:.0f})"
    else:
        sharp = f"{_ordinal(place)} sharpest of {len(by_id)}"
    return f"{sharp}; {exposure}"


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def INSPECTOR(catalog, details: dict) -> list:  # noqa: N802 - the registration name
    h = details.get("content_hash")
    q = quality_of(catalog, [h]).get(h) if h else None
    if q is None:
        return []
    rows = [("Sharpness", f"{sharpness_word(q['sharpness'])} ({q['sharpness']:.0f}; whole frame "
                          f"{q['sharpness_all']:.0f})"),
            ("Exposure", exposure_problem(q) or f"well exposed ({q['exposure']:+.1f} EV)")]
    return [("SHARPNESS & EXPOSURE", rows)]


STAGE = PhotoStage(NAME, VERSION, write=write, compute=measure, image=NEED,
                   description="sharpness and exposure per photo")

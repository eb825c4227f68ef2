"""Migrations of the quality domain (found by ``catalog.schema``)."""

MIGRATIONS: list[str] = [
    # 1: sharpness and exposure per content (quality/stage.py says what each means).
    """
    CREATE TABLE photo_quality (
        content_hash TEXT PRIMARY KEY,
        sharpness REAL NOT NULL,        -- variance of the Laplacian in the sharpest part (1024 px grey)
        sharpness_all REAL NOT NULL,    -- the same over the whole frame
        exposure REAL NOT NULL,         -- EV from mid grey: log2(mean luminance / 0.46)
        highlights REAL NOT NULL,       -- share of clipped highlights (luminance >= 250)
        shadows REAL NOT NULL,          -- share of crushed shadows (luminance <= 5)
        updated_at REAL NOT NULL
    );
    CREATE INDEX photo_quality_sharpness ON photo_quality(sharpness);
    """,
]

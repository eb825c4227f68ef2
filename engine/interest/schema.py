"""Catalog migrations of the interest domain (numbered by position; never edit a
released migration, append a new one)."""

MIGRATIONS: list[str] = [
    # 1: the interest model's outputs per content, and the owner's retrainings.
    """
    CREATE TABLE interest (
        content_hash TEXT PRIMARY KEY,
        weights_key TEXT NOT NULL,      -- digest of the weights that made the row
        quality_raw REAL,               -- the quality head's raw output
        user_raw REAL,                  -- the learned correction of the prior (logit)
        prior TEXT NOT NULL,            -- JSON {term: logit} (prior.py)
        dims TEXT NOT NULL,             -- JSON {dimension: score on [-0.5, 0.5]}
        attention BLOB,                 -- 16 float32: primary attention over the 4x4 grid
        backbone_attention TEXT,        -- JSON {dimension: {backbone: weight}}
        updated_at REAL NOT NULL
    );
    CREATE TABLE interest_training (
        id INTEGER PRIMARY KEY,
        created_at REAL NOT NULL,
        seed INTEGER NOT NULL,
        photos INTEGER NOT NULL,        -- labelled photos trained on
        signature TEXT NOT NULL,        -- of the labels (signals.signature)
        weights_key TEXT,
        report TEXT                     -- JSON: held-out agreement and details
    );
    """,
]

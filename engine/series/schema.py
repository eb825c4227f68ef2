"""Catalog migrations of the series domain.

A series is a group of photos of one moment (kind 'series': bursts, "one more
shot") or copies of one content (kind 'duplicates': same content hash). Its
members are ranked (1 = best); ``pick_photo_id`` is the photo kept by default,
the model's rank-1 unless the user chose another (``user_pick`` = 1).
"""

MIGRATIONS: list[str] = [
    """
    CREATE TABLE series (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,             -- 'series' | 'duplicates'
        key TEXT NOT NULL UNIQUE,       -- stable identity across regrouping
        pick_photo_id INTEGER REFERENCES photos(id),
        user_pick INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE series_members (
        series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        photo_id INTEGER NOT NULL REFERENCES photos(id),
        rank INTEGER,                   -- 1 = best
        score REAL,                     -- the ranking model's score
        PRIMARY KEY (series_id, photo_id)
    );
    CREATE INDEX series_members_photo ON series_members(photo_id);
    """,
]

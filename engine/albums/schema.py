"""Catalog migrations of the albums domain (numbered by position; never edit a
released migration, append a new one).

An album belongs to one grouping ``mode`` (folders | time | auto), so the
user can switch views without losing the corrections made in another. Its
``id`` is its identity for the user: a rescan that regroups matches new groups
to old albums by their photos (content hashes), so an album keeps its id, its
user title and its corrected event while photos come and go. ``key`` names the
group's current origin (folder path or first photo), for quick matching.
"""

MIGRATIONS: list[str] = [
    """
    CREATE TABLE albums (
        id INTEGER PRIMARY KEY,
        mode TEXT NOT NULL,             -- folders | time | auto
        key TEXT NOT NULL,
        source TEXT NOT NULL,           -- folder | time
        folder_id INTEGER,
        title TEXT NOT NULL DEFAULT '',
        user_title TEXT,                -- the user's own title wins
        place TEXT,                     -- folder name or a coordinates region
        start_ts REAL,
        end_ts REAL,
        photo_count INTEGER NOT NULL DEFAULT 0,
        event TEXT,                     -- the model's top label
        event_scores TEXT,              -- JSON {label: probability}
        user_event TEXT,                -- the user's correction (wins over event)
        signature TEXT,                 -- members + model version last labelled
        model_version TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        UNIQUE (mode, key)
    );
    CREATE TABLE album_photos (
        album_id INTEGER NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,      -- capture order in the album
        importance REAL,                -- final: recalibrated, de-duplicated
        attention REAL,                 -- CLS-to-photo attention (sums to 1)
        importance_head REAL,           -- the importance MLP's score
        event_confidence REAL,          -- the photo's own confidence in the album's events
        PRIMARY KEY (album_id, photo_id)
    );
    CREATE INDEX album_photos_photo ON album_photos(photo_id);
    CREATE INDEX albums_mode ON albums(mode);
    """,
]

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
    # 2: place names (the gazetteer's town for each photo with GPS), the words
    # read in photos the privacy stage found text in, and an album's event
    # evidence and combined confidence (issue 18).
    """
    CREATE TABLE photo_places (
        photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
        lat REAL NOT NULL,              -- the position it was named from (renamed when GPS changes)
        lon REAL NOT NULL,
        city TEXT,                      -- NULL: no settlement near (at sea, in a desert)
        region TEXT,
        country TEXT,
        country_code TEXT,
        population INTEGER,
        distance_km REAL,
        kind TEXT,                      -- city | town | village | countryside
        gazetteer TEXT NOT NULL
    );
    CREATE TABLE photo_words (
        content_hash TEXT PRIMARY KEY,
        words TEXT NOT NULL,            -- recognized lines, newline-separated
        reader TEXT NOT NULL
    );
    ALTER TABLE albums ADD COLUMN evidence TEXT;          -- JSON list of {source, text, ...}
    ALTER TABLE albums ADD COLUMN event_confidence REAL;  -- the combined probability of the album's event
    """,
]

"""Catalog migrations of the series domain.

A series is a group of redundant shots of one moment (kind 'series': bursts,
copies, edits, crops, damaged copies; the default clean-up acts on them), a
stack of similar moments (kind 'similar': same scene, other framing, people
or action; cleaned only when the user asks) or copies of one content (kind
'duplicates': same content hash). Its
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
    # 2: local-feature verification. Evidence per pair of contents (a < b),
    # so a later run verifies only new pairs and the clean-up can check what
    # a kept shot shows of a trashed one. Series grouped before this version
    # (embedding only) are regrouped by the next run of the series stage;
    # their keys, the user's picks, ratings and curation journals are kept.
    """
    CREATE TABLE series_pairs (
        a TEXT NOT NULL,
        b TEXT NOT NULL,
        version TEXT NOT NULL,          -- local.VERSION of the keypoints compared
        inliers INTEGER NOT NULL,
        overlap_a REAL NOT NULL,        -- share of a's frame that b shows
        overlap_b REAL NOT NULL,
        changed REAL NOT NULL,          -- share of the common area that differs
        PRIMARY KEY (a, b)
    );
    CREATE TABLE series_state (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    INSERT INTO series_state(name, value) VALUES ('grouping', 'embedding-1');
    """,
]

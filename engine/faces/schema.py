"""Catalog migrations of the faces domain, privacy included (numbered by
position; never edit a released migration, append a new one).

- ``faces``: one row per detected face of a content (shared by every copy of
  that content). Box and landmarks are normalized to the upright full image
  (EXIF orientation applied): x, y in [0, 1] from the top-left corner;
  ``full_w``/``full_h`` give its size in pixels. The 128-D embeddings live in
  the features table (model ``dlib_resnet_v1``, kind ``face_embeddings``, one
  (n, 128) array per content, row ``idx``).
- ``people``: clusters the user sees. ``owner``: 0 no, 1 suggested (most
  selfies), 2 confirmed by the user (shown as "You").
- The user's corrections are constraints that every re-clustering applies:
  ``faces.assigned_by = 'user'`` pins a face to its person (must-link);
  ``face_rejections`` are "not this person" (cannot-link face/person);
  ``person_cannot_link`` keeps two people apart (made by a split);
  ``person_aliases`` maps a merged person to the one it went into.
- ``photo_privacy``: per-content evidence of a private photo (text found,
  screenshot, portrait); ``privacy_overrides``: the user's word, which wins.
  Migration 2 adds ``doc_kind``: what the recognized text says the document
  is (receipt, identity, bank, medical, address, page), NULL for none.
"""

MIGRATIONS: list[str] = [
    """
    CREATE TABLE people (
        id INTEGER PRIMARY KEY,
        name TEXT,
        owner INTEGER NOT NULL DEFAULT 0,
        user_touched INTEGER NOT NULL DEFAULT 0,  -- named, merged, split or corrected
        cover_face_id INTEGER,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE faces (
        id INTEGER PRIMARY KEY,
        content_hash TEXT NOT NULL,
        idx INTEGER NOT NULL,             -- row in the content's embedding array
        x0 REAL NOT NULL, y0 REAL NOT NULL, x1 REAL NOT NULL, y1 REAL NOT NULL,
        full_w INTEGER, full_h INTEGER,   -- upright full image, pixels
        landmarks TEXT NOT NULL,          -- JSON [[x, y] x 5], normalized
        det_score REAL, size_px REAL, inside REAL, yaw REAL, sharpness REAL,
        quality REAL NOT NULL,
        selfie INTEGER NOT NULL DEFAULT 0,  -- the main face of a front-camera photo
        person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        assigned_by TEXT,                 -- 'auto' | 'user' | NULL (no person)
        distance REAL,                    -- to the person when assigned automatically
        created_at REAL NOT NULL,
        UNIQUE (content_hash, idx)
    );
    CREATE INDEX faces_person ON faces(person_id);
    CREATE TABLE face_rejections (
        face_id INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
        person_id INTEGER NOT NULL,
        created_at REAL NOT NULL,
        PRIMARY KEY (face_id, person_id)
    );
    CREATE TABLE person_cannot_link (
        a INTEGER NOT NULL,
        b INTEGER NOT NULL,
        created_at REAL NOT NULL,
        PRIMARY KEY (a, b)
    );
    CREATE TABLE person_aliases (
        old_id INTEGER PRIMARY KEY,
        new_id INTEGER NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE TABLE photo_privacy (
        content_hash TEXT PRIMARY KEY,
        text_lines INTEGER NOT NULL DEFAULT 0,
        text_chars INTEGER NOT NULL DEFAULT 0,
        text_area REAL NOT NULL DEFAULT 0,
        document INTEGER NOT NULL DEFAULT 0,
        screenshot INTEGER NOT NULL DEFAULT 0,
        portrait INTEGER NOT NULL DEFAULT 0,
        updated_at REAL NOT NULL
    );
    CREATE TABLE privacy_overrides (
        content_hash TEXT PRIMARY KEY,
        private INTEGER NOT NULL,
        created_at REAL NOT NULL
    );
    """,
    """
    ALTER TABLE photo_privacy ADD COLUMN doc_kind TEXT;
    """,
]

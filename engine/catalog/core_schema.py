"""Numbered migrations of the catalog's core tables (domain "core").

Each later capability (series, albums, faces, curation...) keeps its own
numbered list in its own module (found by ``schema.migration_modules``); a
migration, once released, is never edited: a change is a new number.
"""

MIGRATIONS: list[str] = [
    # 1: folders, photos, other media, scan runs, skipped files, stage state.
    """
    CREATE TABLE roots (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        raw_path BLOB,
        added_at REAL NOT NULL,
        last_scan_id INTEGER
    );
    CREATE TABLE folders (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        raw_path BLOB,
        root_id INTEGER REFERENCES roots(id),
        missing INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE photos (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        raw_path BLOB,
        folder_id INTEGER REFERENCES folders(id),
        filename TEXT NOT NULL,
        -- ok | missing (not found on the last complete scan) | trashed
        status TEXT NOT NULL DEFAULT 'ok',
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        sidecar_mtime_ns INTEGER,
        content_hash TEXT NOT NULL,
        format TEXT,
        width INTEGER,
        height INTEGER,
        orientation INTEGER,
        frame_count INTEGER NOT NULL DEFAULT 1,
        capture_time TEXT,          -- local wall-clock time, ISO 8601
        capture_ts REAL,            -- seconds since the epoch, for sorting
        capture_tz TEXT,            -- UTC offset such as +02:00 when known
        capture_source TEXT,        -- exif:DateTimeOriginal, xmp, filename, mtime...
        camera_make TEXT,
        camera_model TEXT,
        lens TEXT,
        exposure_time REAL,
        f_number REAL,
        iso INTEGER,
        focal_length REAL,
        focal_length_35mm REAL,
        gps_lat REAL,
        gps_lon REAL,
        gps_alt REAL,
        rating INTEGER,             -- -1 rejected, 0 unrated, 1..5
        label TEXT,
        keywords TEXT,              -- JSON list
        added_scan_id INTEGER,
        updated_scan_id INTEGER,
        seen_scan_id INTEGER,
        added_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX photos_hash ON photos(content_hash);
    CREATE INDEX photos_capture ON photos(capture_ts);
    CREATE INDEX photos_folder ON photos(folder_id);
    CREATE INDEX photos_status ON photos(status);

    -- Videos are recorded (so nothing looks lost) but not analysed yet.
    CREATE TABLE videos (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        raw_path BLOB,
        folder_id INTEGER REFERENCES folders(id),
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'ok',
        seen_scan_id INTEGER
    );

    CREATE TABLE scan_runs (
        id INTEGER PRIMARY KEY,
        started_at REAL NOT NULL,
        finished_at REAL,
        roots TEXT NOT NULL,        -- JSON list of paths
        status TEXT NOT NULL,       -- running | done | cancelled | failed
        added INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL DEFAULT 0,
        unchanged INTEGER NOT NULL DEFAULT 0,
        moved INTEGER NOT NULL DEFAULT 0,
        missing INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        error TEXT
    );

    -- Files that could not be read, kept so that an unchanged broken file
    -- costs a stat on rescans and stays listed with its reason.
    CREATE TABLE skipped_files (
        path TEXT PRIMARY KEY,
        raw_path BLOB,
        size INTEGER,
        mtime_ns INTEGER,
        reason TEXT NOT NULL,
        scan_id INTEGER
    );

    -- Per-content state of every analysis stage, so analysis resumes and is
    -- done once per content hash (a moved file keeps its analysis).
    CREATE TABLE stage_state (
        content_hash TEXT NOT NULL,
        stage TEXT NOT NULL,
        version INTEGER NOT NULL,
        status TEXT NOT NULL,       -- done | failed
        error TEXT,
        updated_at REAL NOT NULL,
        PRIMARY KEY (content_hash, stage)
    );

    CREATE TABLE prefs (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 2: the user's culling flag, and every decision the user makes (the
    # learning signal of the series, interest and event models).
    """
    ALTER TABLE photos ADD COLUMN flag TEXT;  -- 'pick' | 'reject' | NULL
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        -- series_pick: the user chose photo_id as the best of series_id
        --   (other_photo_id: the model's pick it overrode);
        -- keep / trash: a curation outcome the user let stand or changed;
        -- rating / flag / favorite / open / export: signals of interest;
        -- event: value = corrected event label of album_id.
        kind TEXT NOT NULL,
        photo_id INTEGER,
        other_photo_id INTEGER,
        series_id INTEGER,
        album_id INTEGER,
        value TEXT,                 -- JSON
        created_at REAL NOT NULL
    );
    CREATE INDEX decisions_kind ON decisions(kind, created_at);
    CREATE INDEX decisions_photo ON decisions(photo_id);

    -- Per-content model outputs (embeddings, concept scores, ...), computed
    -- once per content hash and shared by every photo with that content.
    CREATE TABLE features (
        content_hash TEXT NOT NULL,
        model TEXT NOT NULL,
        kind TEXT NOT NULL,
        dtype TEXT NOT NULL,        -- numpy dtype string, e.g. <f2
        shape TEXT NOT NULL,        -- JSON list
        data BLOB NOT NULL,
        PRIMARY KEY (content_hash, model, kind)
    );
    """,
]

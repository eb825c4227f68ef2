"""Catalog migrations of the video domain (numbered by position; never edit a
released migration, append a new one)."""

MIGRATIONS: list[str] = [
    # 1: what was read of each video, its segments and its near-duplicates.
    """
    CREATE TABLE video_info (
        video_id INTEGER PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
        size INTEGER NOT NULL,          -- of the file when analysed (a change means: analyse again)
        mtime_ns INTEGER NOT NULL,
        model TEXT NOT NULL,            -- the weights that made the segments
        status TEXT NOT NULL,           -- ok | partial (part could be read) | skipped
        reason TEXT,                    -- the first problem, a sentence (skip_kinds classifies it)
        problems TEXT,                  -- JSON list of every problem
        container TEXT, codec TEXT, audio_codec TEXT,
        width INTEGER, height INTEGER,  -- upright
        duration_s REAL, fps REAL, rotation INTEGER,
        bit_depth INTEGER, hdr INTEGER, vfr INTEGER,
        capture_ts REAL, capture_time TEXT, capture_tz TEXT, capture_source TEXT,
        lat REAL, lon REAL,
        poster_s REAL,                  -- time of the poster frame
        poster_path TEXT,               -- its JPEG in the thumbnail cache
        signature BLOB,                 -- (T, 8) uint8: dhash per sampled frame
        signature_times TEXT,           -- JSON list of their times
        analysed_at REAL NOT NULL,
        seconds REAL                    -- analysis time
    );
    CREATE INDEX video_info_capture ON video_info(capture_ts);
    CREATE TABLE video_segments (
        video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        start_s REAL NOT NULL, end_s REAL NOT NULL, shot INTEGER NOT NULL,
        scene TEXT, scene_conf REAL, action TEXT, action_conf REAL,
        importance REAL, raw_importance REAL,
        highlight INTEGER NOT NULL DEFAULT 0,   -- 1 = best highlight; 0 = none
        PRIMARY KEY (video_id, idx)
    );
    CREATE TABLE video_duplicates (
        video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
        duplicate_of INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,             -- same clip | trimmed copy
        share REAL NOT NULL, offset_s REAL,
        PRIMARY KEY (video_id, duplicate_of)
    );
    """,
    # 2: videos in albums, stored (written after the albums and after the
    # videos stage: engine/video/albums.py), and which curation journal items
    # are videos (the journal's photo_id is NULL for them; undo puts the
    # video's status back through this table).
    """
    CREATE TABLE album_videos (
        album_id INTEGER NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
        video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
        how TEXT NOT NULL,              -- folder (the album's folder) | time (its time span)
        PRIMARY KEY (album_id, video_id)
    );
    CREATE INDEX album_videos_video ON album_videos(video_id);
    CREATE TABLE video_curation_items (
        item_id INTEGER PRIMARY KEY REFERENCES curation_items(id) ON DELETE CASCADE,
        video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE
    );
    """,
]

"""Catalog migrations of the curation domain (numbered by position; never edit a
released migration, append a new one).

The journal of every curation: one ``curation_transactions`` row per applied
plan and one ``curation_items`` row per file, written and committed (the
catalog runs with synchronous=FULL) before that file moves. Undo and crash
recovery read these rows and then look at the disk: the journal says where each
file was and where it was sent, the file system says where it is now.
"""

MIGRATIONS: list[str] = [
    """
    CREATE TABLE curation_transactions (
        id INTEGER PRIMARY KEY,
        created_at REAL NOT NULL,
        finished_at REAL,
        -- applying: files are moving, or the process died while they were;
        -- applied: every item reached a final state (moved, skipped, failed);
        -- undoing: an undo is running or died; undone: every moved file is back.
        state TEXT NOT NULL,
        mode TEXT NOT NULL,             -- system | quarantine
        quarantine_dir TEXT,            -- the folder of this transaction (quarantine mode)
        keep INTEGER,                   -- N of "keep the best N"
        summary TEXT,                   -- JSON: counts, bytes, the reason it stopped
        pid INTEGER                     -- the process that applied it
    );
    CREATE TABLE curation_items (
        id INTEGER PRIMARY KEY,
        transaction_id INTEGER NOT NULL REFERENCES curation_transactions(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,      -- order of moving
        photo_id INTEGER,
        series_id INTEGER,
        path TEXT NOT NULL,             -- original path (text; exact bytes in raw_path)
        raw_path BLOB,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        kept_by TEXT,                   -- JSON: ids of the photos that stay in its place
        dest TEXT NOT NULL,             -- where the file goes, decided before it moves
        raw_dest BLOB,
        info_path TEXT,                 -- its .trashinfo (system trash only)
        raw_info_path BLOB,
        -- pending: journaled, not moved (or the move was interrupted);
        -- copying: being copied to another file system (a copy found at the
        -- destination beside an intact original is ours to remove);
        -- moved: in the trash / quarantine; skipped: changed or gone, untouched;
        -- failed: could not be moved, untouched; restored: back at its path
        -- (restored_to when the original path was taken); lost: found in
        -- neither place at undo (the trash was emptied).
        state TEXT NOT NULL,
        reason TEXT,
        restored_to TEXT,
        raw_restored_to BLOB,
        updated_at REAL NOT NULL
    );
    CREATE INDEX curation_items_txn ON curation_items(transaction_id, position);
    CREATE INDEX curation_items_photo ON curation_items(photo_id);
    CREATE INDEX curation_transactions_state ON curation_transactions(state);
    """,
    # 2: what the "sidecars" stage last wrote for each photo (engine/xmp/stage.py):
    # a fingerprint of the exported state (rating, flag, label, keywords, best
    # shot, event, named faces, interest band, sidecar naming and folder) and
    # the sidecar written; a photo whose state changed, or whose sidecar is
    # gone, is written again. ``state``: that state as JSON (a rating or label the
    # catalog no longer has is then cleared in the sidecar, not left behind);
    # ``error``: why the last write failed (tried again next run).
    """
    CREATE TABLE xmp_sidecar_state (
        photo_id INTEGER PRIMARY KEY,
        sidecar TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        state TEXT,
        error TEXT,
        written_at REAL NOT NULL
    );
    """,
]

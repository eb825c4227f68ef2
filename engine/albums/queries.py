"""Catalog queries of the albums domain (a mixin of ``Catalog``).

Albums are written by the albums stage (``sync_albums``, ``save_album_labels``)
and read by the CLI and the window. An album keeps its id across regrouping
(matched by its photos), and with it the user's title and corrected event.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence


@dataclass(frozen=True)
class AlbumPhoto:
    photo_id: int
    path: str
    position: int
    importance: Optional[float]
    attention: Optional[float]
    importance_head: Optional[float]
    event_confidence: Optional[float]


@dataclass(frozen=True)
class AlbumInfo:
    id: int
    mode: str
    key: str
    source: str
    folder_id: Optional[int]
    title: str
    place: Optional[str]
    start_ts: Optional[float]
    end_ts: Optional[float]
    event: Optional[str]             # the user's label when corrected, else the model's
    model_event: Optional[str]
    user_event: Optional[str]
    event_scores: dict
    photo_count: int
    signature: Optional[str]
    evidence: tuple = ()                  # the event's evidence: dicts {source, text, ...}
    event_confidence: Optional[float] = None  # combined probability of ``event`` (model + evidence)


@dataclass(frozen=True)
class AlbumProposal:
    """A group the segmentation produced, to be stored as an album."""

    key: str
    source: str
    folder_id: Optional[int]
    photo_ids: tuple[int, ...]        # capture order
    content_hashes: tuple[str, ...]
    place: Optional[str]
    start_ts: Optional[float]
    end_ts: Optional[float]


MATCH_MIN_OVERLAP = 0.5  # share of an old album's photos a new group must hold to inherit it


def _row_to_info(r) -> AlbumInfo:
    return AlbumInfo(
        id=r["id"], mode=r["mode"], key=r["key"], source=r["source"], folder_id=r["folder_id"],
        title=r["user_title"] or r["title"], place=r["place"], start_ts=r["start_ts"], end_ts=r["end_ts"],
        event=r["user_event"] or r["event"], model_event=r["event"], user_event=r["user_event"],
        event_scores=json.loads(r["event_scores"]) if r["event_scores"] else {},
        photo_count=r["photo_count"], signature=r["signature"],
        evidence=tuple(json.loads(r["evidence"])) if _has(r, "evidence") and r["evidence"] else (),
        event_confidence=r["event_confidence"] if _has(r, "event_confidence") else None,
    )


def _has(row, key: str) -> bool:
    return key in row.keys()


@dataclass(frozen=True)
class PhotoPlace:
    photo_id: int
    lat: float
    lon: float
    city: Optional[str]
    region: Optional[str]
    country: Optional[str]
    country_code: Optional[str]
    population: Optional[int]
    distance_km: Optional[float]
    kind: Optional[str]


class AlbumQueries:
    """Mixin for ``Catalog``: reaches the database only through
    ``self.db`` (reads) and ``self.write()`` (transactions)."""

    # -- writing (the albums stage) -------------------------------------------------
    def sync_albums(self, mode: str, proposals: Sequence[AlbumProposal]) -> dict[str, int]:
        """Make the stored albums of ``mode`` match ``proposals``: a proposal
        takes over the old album with the same key, else the one whose photos
        (by content) it holds most of; other old albums are removed. Returns
        counts and the album id of each proposal key under "ids"."""
        now = time.time()
        with self.write() as db:
            old = {r["id"]: dict(r) for r in db.execute("SELECT * FROM albums WHERE mode = ?", (mode,))}
            old_hashes: dict[int, set[str]] = {i: set() for i in old}
            for r in db.execute(
                    "SELECT ap.album_id, p.content_hash FROM album_photos ap JOIN albums a ON a.id = ap.album_id "
                    "JOIN photos p ON p.id = ap.photo_id WHERE a.mode = ?", (mode,)):
                old_hashes[r[0]].add(r[1])
            album_of: dict[str, list[int]] = {}  # content hash -> old albums holding it
            for i, hashes in old_hashes.items():
                for h in hashes:
                    album_of.setdefault(h, []).append(i)
            by_key = {row["key"]: i for i, row in old.items()}
            taken: set[int] = set()
            assignment: dict[int, Optional[int]] = {}
            # Same key first, then the best photo overlap, largest groups first.
            for n, p in enumerate(proposals):
                i = by_key.get(p.key)
                if i is not None and i not in taken:
                    assignment[n] = i
                    taken.add(i)
            for n in sorted(range(len(proposals)), key=lambda n: -len(proposals[n].photo_ids)):
                if n in assignment:
                    continue
                overlap: dict[int, int] = {}
                for h in set(proposals[n].content_hashes):
                    for i in album_of.get(h, ()):
                        overlap[i] = overlap.get(i, 0) + 1
                best, best_share = None, 0.0
                for i, count in overlap.items():
                    share = count / len(old_hashes[i])
                    if i not in taken and share > best_share:
                        best, best_share = i, share
                assignment[n] = best if best is not None and best_share >= MATCH_MIN_OVERLAP else None
                if assignment[n] is not None:
                    taken.add(best)
            gone = [i for i in old if i not in taken]
            db.conn.executemany("DELETE FROM albums WHERE id = ?", [(i,) for i in gone])
            # Keys may move between albums: clear the taken ones first (UNIQUE).
            db.conn.executemany("UPDATE albums SET key = '~' || id WHERE id = ?", [(i,) for i in taken])
            ids: dict[str, int] = {}
            created = kept = 0
            for n, p in enumerate(proposals):
                i = assignment[n]
                values = (p.key, p.source, p.folder_id, p.place, p.start_ts, p.end_ts, len(p.photo_ids), now)
                if i is None:
                    i = db.execute(
                        "INSERT INTO albums(mode, key, source, folder_id, place, start_ts, end_ts, photo_count, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (mode, *values[:-1], now, now)).lastrowid
                    created += 1
                else:
                    db.execute("UPDATE albums SET key = ?, source = ?, folder_id = ?, place = ?, start_ts = ?, "
                               "end_ts = ?, photo_count = ?, updated_at = ? WHERE id = ?", (*values, i))
                    kept += 1
                ids[p.key] = i
                current = {r[0]: dict(r) for r in db.execute(
                    "SELECT photo_id, importance, attention, importance_head, event_confidence "
                    "FROM album_photos WHERE album_id = ?", (i,))}
                db.execute("DELETE FROM album_photos WHERE album_id = ?", (i,))
                db.conn.executemany(
                    "INSERT INTO album_photos(album_id, photo_id, position, importance, attention, importance_head, "
                    "event_confidence) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(i, pid, pos, *(current.get(pid, {}).get(k) for k in
                                     ("importance", "attention", "importance_head", "event_confidence")))
                     for pos, pid in enumerate(p.photo_ids)])
        return {"created": created, "kept": kept, "removed": len(gone), "ids": ids}

    def save_album_labels(self, album_id: int, *, title: str, event: Optional[str], event_scores: dict,
                          signature: str, model_version: Optional[str],
                          photos: Iterable[tuple[int, Optional[float], Optional[float], Optional[float], Optional[float]]],
                          evidence: Sequence[dict] = (), event_confidence: Optional[float] = None) -> None:
        """Store the album's event (combined scores), its evidence and the
        per-photo scores: photos are (photo_id, importance, attention,
        importance_head, event_confidence)."""
        with self.write() as db:
            db.execute("UPDATE albums SET title = ?, event = ?, event_scores = ?, signature = ?, model_version = ?, "
                       "evidence = ?, event_confidence = ?, updated_at = ? WHERE id = ?",
                       (title, event, json.dumps(event_scores), signature, model_version,
                        json.dumps(list(evidence)) if evidence else None, event_confidence, time.time(), album_id))
            db.conn.executemany(
                "UPDATE album_photos SET importance = ?, attention = ?, importance_head = ?, event_confidence = ? "
                "WHERE album_id = ? AND photo_id = ?",
                [(imp, att, head, conf, album_id, pid) for pid, imp, att, head, conf in photos])

    def set_album_title(self, album_id: int, title: str) -> None:
        with self.write() as db:
            db.execute("UPDATE albums SET title = ?, updated_at = ? WHERE id = ?", (title, time.time(), album_id))

    # -- the user's corrections ---------------------------------------------------------
    def set_album_event(self, album_id: int, label: Optional[str]) -> None:
        """The user says what the album is (None: back to the model's label);
        one action, logged as an "event" decision for retraining."""
        from ..albums.teacher import event_labels

        if label is not None and label not in event_labels():
            raise ValueError(f"unknown event {label!r}; one of: {', '.join(event_labels())}")
        with self.write() as db:
            row = db.execute("SELECT id FROM albums WHERE id = ?", (album_id,)).fetchone()
            if row is None:
                raise KeyError(f"no album {album_id}")
            db.execute("UPDATE albums SET user_event = ?, updated_at = ? WHERE id = ?", (label, time.time(), album_id))
            self.record_decision("event", album_id=album_id, value=label)

    def rename_album(self, album_id: int, title: Optional[str]) -> None:
        """The user's own title (None: back to the generated one)."""
        with self.write() as db:
            db.execute("UPDATE albums SET user_title = ?, updated_at = ? WHERE id = ?", (title, time.time(), album_id))

    # -- reading ----------------------------------------------------------------------
    def albums(self, mode: Optional[str] = None) -> list[AlbumInfo]:
        sql = "SELECT * FROM albums" + (" WHERE mode = ?" if mode else "") + " ORDER BY start_ts IS NULL, start_ts, id"
        return [_row_to_info(r) for r in self.db.execute(sql, (mode,) if mode else ())]

    def album(self, album_id: int) -> Optional[AlbumInfo]:
        r = self.db.execute("SELECT * FROM albums WHERE id = ?", (album_id,)).fetchone()
        return _row_to_info(r) if r else None

    def album_photos(self, album_id: int, order: str = "position") -> list[AlbumPhoto]:
        """Members; ``order`` "position" (capture) or "importance" (best first)."""
        by = "ap.position" if order == "position" else "ap.importance IS NULL, ap.importance DESC, ap.position"
        rows = self.db.execute(
            "SELECT ap.*, p.path FROM album_photos ap JOIN photos p ON p.id = ap.photo_id "
            f"WHERE ap.album_id = ? AND p.status = 'ok' ORDER BY {by}", (album_id,)).fetchall()
        return [AlbumPhoto(r["photo_id"], r["path"], r["position"], r["importance"], r["attention"],
                           r["importance_head"], r["event_confidence"]) for r in rows]

    def album_modes(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT mode FROM albums ORDER BY mode")]

    # -- place names and words in photos (inputs of titles and events) ------------------
    def photo_places(self, photo_ids: Optional[Iterable[int]] = None) -> dict[int, PhotoPlace]:
        """The stored place of each photo with GPS (all, or of ``photo_ids``)."""
        rows = self.db.execute("SELECT * FROM photo_places").fetchall()
        wanted = set(photo_ids) if photo_ids is not None else None
        return {r["photo_id"]: PhotoPlace(r["photo_id"], r["lat"], r["lon"], r["city"], r["region"], r["country"],
                                          r["country_code"], r["population"], r["distance_km"], r["kind"])
                for r in rows if wanted is None or r["photo_id"] in wanted}

    def photos_needing_places(self, gazetteer: str) -> list[tuple[int, float, float]]:
        """(photo id, lat, lon) of photos with GPS whose stored place is
        missing, from another position or another gazetteer."""
        rows = self.db.execute(
            "SELECT p.id, p.gps_lat, p.gps_lon FROM photos p LEFT JOIN photo_places pp ON pp.photo_id = p.id "
            "WHERE p.status = 'ok' AND p.gps_lat IS NOT NULL AND p.gps_lon IS NOT NULL AND (pp.photo_id IS NULL "
            "OR pp.lat != p.gps_lat OR pp.lon != p.gps_lon OR pp.gazetteer != ?)", (gazetteer,)).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def save_photo_places(self, rows: Sequence[tuple], gazetteer: str) -> None:
        """rows: (photo_id, lat, lon, place or None)."""
        with self.write() as db:
            db.conn.executemany(
                "INSERT OR REPLACE INTO photo_places(photo_id, lat, lon, city, region, country, country_code, "
                "population, distance_km, kind, gazetteer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(pid, lat, lon, *((pl.city, pl.region, pl.country, pl.country_code, pl.population, pl.distance_km,
                                    pl.kind) if pl is not None else (None,) * 7), gazetteer)
                 for pid, lat, lon, pl in rows])

    def photo_words(self, content_hashes: Iterable[str]) -> dict[str, str]:
        hashes = list(set(content_hashes))
        out: dict[str, str] = {}
        for start in range(0, len(hashes), 500):
            part = hashes[start:start + 500]
            out.update((r[0], r[1]) for r in self.db.execute(
                f"SELECT content_hash, words FROM photo_words WHERE content_hash IN ({','.join('?' * len(part))})",
                part))
        return out

    def photos_needing_words(self, reader: str) -> list[tuple[str, str]]:
        """(content hash, path) of photos the privacy stage recognized text in
        whose words were not read (by ``reader``)."""
        rows = self.db.execute(
            "SELECT pp.content_hash, min(p.path) FROM photo_privacy pp JOIN photos p ON p.content_hash = pp.content_hash "
            "LEFT JOIN photo_words w ON w.content_hash = pp.content_hash "
            "WHERE pp.text_lines > 0 AND p.status = 'ok' AND (w.content_hash IS NULL OR w.reader != ?) "
            "GROUP BY pp.content_hash", (reader,)).fetchall()
        return [(r[0], r[1]) for r in rows]

    def face_counts(self, content_hashes: Iterable[str]) -> Optional[dict[str, int]]:
        """Faces found per content for the contents the faces stage has done
        (any version); None when it has done none of them."""
        hashes = list(set(content_hashes))
        done: dict[str, int] = {}
        for start in range(0, len(hashes), 900):
            part = hashes[start:start + 900]
            marks = ",".join("?" * len(part))
            done.update((r[0], 0) for r in self.db.execute(
                f"SELECT content_hash FROM stage_state WHERE stage = 'faces' AND status = 'done' "
                f"AND content_hash IN ({marks})", part))
            for r in self.db.execute(f"SELECT content_hash, count(*) FROM faces WHERE content_hash IN ({marks}) "
                                     "GROUP BY content_hash", part):
                if r[0] in done:
                    done[r[0]] = r[1]
        return done or None

    def save_photo_words(self, rows: Sequence[tuple[str, str]], reader: str) -> None:
        with self.write() as db:
            db.conn.executemany("INSERT OR REPLACE INTO photo_words(content_hash, words, reader) VALUES (?, ?, ?)",
                                [(h, w, reader) for h, w in rows])

    def event_corrections(self) -> list[tuple[int, str]]:
        """(album id, label) of the user's latest event correction per album
        that still exists and is still corrected."""
        rows = self.db.execute("SELECT id, user_event FROM albums WHERE user_event IS NOT NULL ORDER BY id")
        return [(r[0], r[1]) for r in rows]

    def photo_albums(self, photo_id: int) -> list[dict]:
        """The albums a photo is in, for the inspector: id, title, mode,
        event (the user's first), the photo's importance and rank there,
        the album's size and the model's probability for its event."""
        return [
            {"id": r[0], "title": r[1], "mode": r[2], "event": r[3], "user_event": r[4], "importance": r[5],
             "rank": r[6], "size": r[7], "event_p": r[8]}
            for r in self.db.execute(
                "SELECT a.id, coalesce(a.user_title, a.title), a.mode, coalesce(a.user_event, a.event), "
                "a.user_event, ap.importance, "
                "(SELECT count(*) + 1 FROM album_photos o WHERE o.album_id = a.id AND o.importance > ap.importance), "
                "(SELECT count(*) FROM album_photos o WHERE o.album_id = a.id), "
                # the model's probability for its event ("event_p"): the window says "no clear
                # event" below the title's threshold rather than presenting a guess as the event
                "CASE WHEN json_valid(a.event_scores) THEN json_extract(a.event_scores, '$.\"' || a.event || '\"') END "
                "FROM album_photos ap JOIN albums a ON a.id = ap.album_id WHERE ap.photo_id = ? ORDER BY a.mode",
                (photo_id,))]


QUERIES = AlbumQueries

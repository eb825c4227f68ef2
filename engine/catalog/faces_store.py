"""Catalog queries of the faces domain (a mixin of ``Catalog``): faces,
people, the user's corrections, the owner, and private photos.

Boxes are normalized to the upright full image (EXIF orientation applied):
``box`` = [x, y, w, h] with x, y from the top-left corner, all in [0, 1];
``box_px`` is the same in pixels of the upright full image. The window crops
the face itself from the photo at ``path``.

Every correction (name, merge, split, "not this person", move) marks the
person ``user_touched`` and is stored as a constraint that re-clustering
applies (see ``engine/faces/people.py``), and is logged as a decision.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

import numpy as np

from ..paths import fs_path
from ..privacy.rules import CLOSE_MIN_DAYS, CLOSE_MIN_PHOTOS, close_person_is_subject, is_private, privacy_reasons

EMBEDDING_MODEL = "dlib_resnet_v1"
EMBEDDING_KIND = "face_embeddings"
OWNER_SUGGESTED, OWNER_CONFIRMED = 1, 2


@dataclass(frozen=True)
class FaceRef:
    id: int
    photo_id: Optional[int]  # one photo with this content (None if all are gone)
    path: Optional[str]
    content_hash: str
    box: tuple[float, float, float, float]  # x, y, w, h normalized
    box_px: Optional[tuple[int, int, int, int]]
    quality: float
    person_id: Optional[int]
    assigned_by: Optional[str]

    def to_json(self) -> dict:
        return {"id": self.id, "photo_id": self.photo_id, "path": self.path,
                "box": [round(v, 4) for v in self.box],
                "box_px": list(self.box_px) if self.box_px else None,
                "quality": round(self.quality, 3), "assigned_by": self.assigned_by}


@dataclass(frozen=True)
class PersonInfo:
    id: int
    name: Optional[str]
    face_count: int
    photo_count: int
    owner: int  # 0 / OWNER_SUGGESTED / OWNER_CONFIRMED
    user_touched: bool
    cover: Optional[FaceRef]

    @property
    def display_name(self) -> str:
        if self.owner == OWNER_CONFIRMED and not self.name:
            return "You"
        return self.name or f"Person {self.id}"


@dataclass(frozen=True)
class PrivacyInfo:
    photo_id: int
    path: str
    is_private: bool
    # receipt, identity_document, bank_document, medical_document,
    # address_document, page_of_writing, screenshot, portrait (with the
    # setting on), user (see privacy.rules.privacy_reasons)
    reasons: tuple[str, ...]
    override: Optional[bool] = None
    people: tuple[int, ...] = field(default=())


# "+p.status" keeps SQLite on the content-hash index: with the status index a
# per-face lookup would scan every photo (quadratic on large libraries).
_FACE_COLS = ("f.id, f.content_hash, f.x0, f.y0, f.x1, f.y1, f.full_w, f.full_h, f.quality, "
              "f.person_id, f.assigned_by, "
              "(SELECT p.id FROM photos p WHERE p.content_hash = f.content_hash AND +p.status = 'ok' "
              " ORDER BY p.id LIMIT 1) AS photo_id")


class FaceQueries:
    """Mixin for ``Catalog``: reaches the database only through
    ``self.db`` (reads) and ``self.write()`` (transactions)."""

    # -- detection results ------------------------------------------------------
    def save_faces(self, content_hash: str, faces: Sequence, full_size: Optional[tuple[int, int]] = None,
                   selfie_index: Optional[int] = None) -> list[int]:
        """Replace the faces of one content with ``faces`` (``DetectedFace``s);
        ``full_size`` is the upright full image size in pixels."""
        full_w, full_h = full_size or (None, None)
        now = time.time()
        with self.write() as db:
            db.execute("DELETE FROM faces WHERE content_hash = ?", (content_hash,))
            ids = []
            for idx, f in enumerate(faces):
                ids.append(db.execute(
                    "INSERT INTO faces(content_hash, idx, x0, y0, x1, y1, full_w, full_h, landmarks, det_score, "
                    "size_px, inside, yaw, sharpness, quality, selfie, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (content_hash, idx, *f.box, full_w, full_h, json.dumps([list(p) for p in f.landmarks]),
                     f.det_score, f.size_px, f.inside, f.yaw, f.sharpness, f.quality,
                     int(idx == selfie_index), now)).lastrowid)
            if faces:
                self.put_features(EMBEDDING_MODEL, EMBEDDING_KIND,
                                  {content_hash: np.stack([f.embedding for f in faces])})
            else:
                db.execute("DELETE FROM features WHERE content_hash = ? AND model = ? AND kind = ?",
                           (content_hash, EMBEDDING_MODEL, EMBEDDING_KIND))
        return ids

    def capture_info(self, content_hash: str) -> Optional[dict]:
        """EXIF fields the selfie test reads (make, model, lens, focal lengths)."""
        row = self.db.execute(
            "SELECT id, path, filename, format, camera_make, camera_model, lens, focal_length, focal_length_35mm, "
            "width, height FROM photos WHERE content_hash = ? ORDER BY status != 'ok', id LIMIT 1",
            (content_hash,)).fetchone()
        return dict(row) if row else None

    def face_table(self) -> dict[str, np.ndarray]:
        """Every face of a photo still in the library, as arrays for clustering:
        id, person (-1 none), pinned (user-assigned), quality, embedding, and
        photo (one code per content: two faces with one code are two people)."""
        rows = self.db.execute(
            "SELECT f.id, f.content_hash, f.idx, f.quality, f.person_id, f.assigned_by FROM faces f "
            "WHERE EXISTS (SELECT 1 FROM photos p WHERE p.content_hash = f.content_hash AND +p.status = 'ok') "
            "ORDER BY f.id").fetchall()
        embs = self.get_features(EMBEDDING_MODEL, EMBEDDING_KIND, {r["content_hash"] for r in rows})
        keep = [r for r in rows if r["content_hash"] in embs and r["idx"] < len(embs[r["content_hash"]])]
        x = (np.stack([embs[r["content_hash"]][r["idx"]] for r in keep]).astype(np.float32)
             if keep else np.zeros((0, 128), np.float32))
        codes: dict[str, int] = {}
        return {
            "id": np.array([r["id"] for r in keep], np.int64),
            "photo": np.array([codes.setdefault(r["content_hash"], len(codes)) for r in keep], np.int64),
            "person": np.array([r["person_id"] if r["person_id"] is not None else -1 for r in keep], np.int64),
            "pinned": np.array([r["assigned_by"] == "user" for r in keep], bool),
            "quality": np.array([r["quality"] for r in keep], np.float32),
            "embedding": x,
        }

    # -- people: written by clustering -------------------------------------------
    def new_person(self, name: Optional[str] = None, user_touched: bool = False) -> int:
        now = time.time()
        with self.write() as db:
            return db.execute("INSERT INTO people(name, user_touched, created_at, updated_at) VALUES (?, ?, ?, ?)",
                              (name, int(user_touched), now, now)).lastrowid

    def assign_faces(self, rows: Iterable[tuple[int, Optional[int], Optional[str], Optional[float]]]) -> None:
        """(face_id, person_id or None, assigned_by, distance) for each face."""
        with self.write() as db:
            db.conn.executemany("UPDATE faces SET person_id = ?, assigned_by = ?, distance = ? WHERE id = ?",
                                [(p, by if p is not None else None, d, f) for f, p, by, d in rows])

    def drop_empty_people(self) -> int:
        """Remove people left without faces, unless the user named them."""
        with self.write() as db:
            return db.execute("DELETE FROM people WHERE name IS NULL AND owner < 2 AND NOT EXISTS "
                              "(SELECT 1 FROM faces f WHERE f.person_id = people.id)").rowcount

    def people_meta(self) -> dict[int, dict]:
        return {r["id"]: dict(r) for r in self.db.execute("SELECT * FROM people")}

    def face_rejections(self) -> dict[int, set[int]]:
        out: dict[int, set[int]] = {}
        for f, p in self.db.execute("SELECT face_id, person_id FROM face_rejections"):
            out.setdefault(f, set()).add(self.resolve_person(p))
        return out

    def person_cannot_links(self) -> set[frozenset]:
        return {frozenset((self.resolve_person(a), self.resolve_person(b)))
                for a, b in self.db.execute("SELECT a, b FROM person_cannot_link")}

    def resolve_person(self, person_id: int) -> int:
        """Follow merges: the person that ``person_id`` now lives in."""
        seen = set()
        while person_id not in seen:
            seen.add(person_id)
            row = self.db.execute("SELECT new_id FROM person_aliases WHERE old_id = ?", (person_id,)).fetchone()
            if row is None:
                break
            person_id = row[0]
        return person_id

    def update_owner_suggestion(self) -> Optional[int]:
        """The person with the most selfies is the suggested owner (as in the
        paper: only when exactly one person has the most, and at least one).
        A confirmed owner is never replaced."""
        with self.write() as db:
            confirmed = db.execute("SELECT id FROM people WHERE owner = 2").fetchone()
            if confirmed:
                return confirmed[0]
            counts = db.execute("SELECT person_id, count(*) AS n FROM faces WHERE selfie = 1 AND person_id IS NOT NULL "
                                "GROUP BY person_id ORDER BY n DESC LIMIT 2").fetchall()
            db.execute("UPDATE people SET owner = 0 WHERE owner = 1")
            if not counts or (len(counts) > 1 and counts[0]["n"] == counts[1]["n"]):
                return None
            db.execute("UPDATE people SET owner = 1 WHERE id = ?", (counts[0]["person_id"],))
            return counts[0]["person_id"]

    # -- people: what the window and the CLI read ----------------------------------
    def _face_ref(self, r) -> FaceRef:
        path = None
        if r["photo_id"] is not None:
            p = self.db.execute("SELECT path, raw_path FROM photos WHERE id = ?", (r["photo_id"],)).fetchone()
            path = fs_path(p["path"], p["raw_path"])
        box = (r["x0"], r["y0"], r["x1"] - r["x0"], r["y1"] - r["y0"])
        box_px = None
        if r["full_w"] and r["full_h"]:
            box_px = tuple(int(round(v * s)) for v, s in zip(box, (r["full_w"], r["full_h"]) * 2))
        return FaceRef(r["id"], r["photo_id"], path, r["content_hash"], box, box_px, r["quality"],
                       r["person_id"], r["assigned_by"])

    def face(self, face_id: int) -> Optional[FaceRef]:
        r = self.db.execute(f"SELECT {_FACE_COLS} FROM faces f WHERE f.id = ?", (face_id,)).fetchone()
        return self._face_ref(r) if r else None

    def faces_of_photo(self, photo_id: int) -> list[FaceRef]:
        rows = self.db.execute(f"SELECT {_FACE_COLS} FROM faces f JOIN photos ph ON ph.content_hash = f.content_hash "
                               "WHERE ph.id = ? ORDER BY f.idx", (photo_id,)).fetchall()
        return [self._face_ref(r) for r in rows]

    def person_faces(self, person_id: int) -> list[FaceRef]:
        """Faces of a person (in photos still in the library), best first."""
        rows = self.db.execute(
            f"SELECT {_FACE_COLS} FROM faces f WHERE f.person_id = ? AND photo_id IS NOT NULL "
            "ORDER BY f.assigned_by = 'user' DESC, f.quality DESC, f.id", (person_id,)).fetchall()
        return [self._face_ref(r) for r in rows]

    def person(self, person_id: int) -> Optional[PersonInfo]:
        found = [p for p in self.people_list(include_unnamed_singletons=True) if p.id == person_id]
        return found[0] if found else None

    def people_list(self, include_unnamed_singletons: bool = True) -> list[PersonInfo]:
        """People with at least one face in the library, most faces first."""
        rows = self.db.execute(
            # photos: files in the library (a copy counts), as the library grid
            # filtered on the person and the Insights chart count them
            "SELECT pe.id, pe.name, pe.owner, pe.user_touched, pe.cover_face_id, count(f.id) AS n, "
            "(SELECT count(*) FROM photos p WHERE p.status = 'ok' AND p.content_hash IN "
            " (SELECT content_hash FROM faces x WHERE x.person_id = pe.id)) AS photos "
            "FROM people pe JOIN faces f ON f.person_id = pe.id "
            "WHERE EXISTS (SELECT 1 FROM photos p WHERE p.content_hash = f.content_hash AND +p.status = 'ok') "
            "GROUP BY pe.id ORDER BY pe.owner = 2 DESC, n DESC, pe.id").fetchall()
        out = []
        for r in rows:
            # A face the user made a new person (an unsure face confirmed) is listed.
            if not include_unnamed_singletons and r["n"] < 2 and not r["name"] and not r["user_touched"]:
                continue
            cover = self.face(r["cover_face_id"]) if r["cover_face_id"] else None
            if cover is None or cover.person_id != r["id"] or cover.photo_id is None:
                best = self.db.execute(
                    f"SELECT {_FACE_COLS} FROM faces f WHERE f.person_id = ? AND photo_id IS NOT NULL "
                    "ORDER BY f.quality DESC, f.id LIMIT 1", (r["id"],)).fetchone()
                cover = self._face_ref(best) if best else None
            out.append(PersonInfo(r["id"], r["name"], r["n"], r["photos"], r["owner"], bool(r["user_touched"]), cover))
        return out

    def unassigned_faces(self) -> list[FaceRef]:
        rows = self.db.execute(f"SELECT {_FACE_COLS} FROM faces f WHERE f.person_id IS NULL "
                               "AND photo_id IS NOT NULL ORDER BY f.quality DESC").fetchall()
        return [self._face_ref(r) for r in rows]

    # -- the user's corrections ---------------------------------------------------
    def _require_person(self, db, person_id: int) -> None:
        if db.execute("SELECT 1 FROM people WHERE id = ?", (person_id,)).fetchone() is None:
            raise KeyError(f"no person {person_id}")

    def _touch(self, db, person_id: int) -> None:
        db.execute("UPDATE people SET user_touched = 1, updated_at = ? WHERE id = ?", (time.time(), person_id))

    def name_person(self, person_id: int, name: Optional[str]) -> None:
        with self.write() as db:
            self._require_person(db, person_id)
            db.execute("UPDATE people SET name = ? WHERE id = ?", ((name or "").strip() or None, person_id))
            self._touch(db, person_id)
            self.record_decision("person_name", value={"person": person_id, "name": name})

    def set_cover_face(self, person_id: int, face_id: int) -> None:
        with self.write() as db:
            db.execute("UPDATE people SET cover_face_id = ? WHERE id = ?", (face_id, person_id))

    def merge_people(self, target_id: int, source_ids: Iterable[int]) -> int:
        """Move every face of ``source_ids`` into ``target_id``; the sources
        become aliases of the target (their corrections follow)."""
        now = time.time()
        with self.write() as db:
            self._require_person(db, target_id)
            clash = self.merge_conflict(target_id, source_ids)
            if clash:
                raise ValueError(clash)
            target_name = db.execute("SELECT name FROM people WHERE id = ?", (target_id,)).fetchone()[0]
            for source in source_ids:
                if source == target_id:
                    continue
                self._require_person(db, source)
                row = db.execute("SELECT name, owner FROM people WHERE id = ?", (source,)).fetchone()
                db.execute("UPDATE faces SET person_id = ? WHERE person_id = ?", (target_id, source))
                db.execute("UPDATE OR IGNORE face_rejections SET person_id = ? WHERE person_id = ?", (target_id, source))
                db.execute("UPDATE OR IGNORE person_cannot_link SET a = ? WHERE a = ?", (target_id, source))
                db.execute("UPDATE OR IGNORE person_cannot_link SET b = ? WHERE b = ?", (target_id, source))
                db.execute("INSERT OR REPLACE INTO person_aliases(old_id, new_id, created_at) VALUES (?, ?, ?)",
                           (source, target_id, now))
                db.execute("UPDATE person_aliases SET new_id = ? WHERE new_id = ?", (target_id, source))
                if not target_name and row["name"]:
                    target_name = row["name"]
                    db.execute("UPDATE people SET name = ? WHERE id = ?", (target_name, target_id))
                if row["owner"]:
                    db.execute("UPDATE people SET owner = max(owner, ?) WHERE id = ?", (row["owner"], target_id))
                db.execute("DELETE FROM people WHERE id = ?", (source,))
                self.record_decision("person_merge", value={"into": target_id, "from": source})
            self._touch(db, target_id)
        return target_id

    def merge_conflict(self, target_id: int, source_ids: Iterable[int]) -> Optional[str]:
        """Why these people cannot be one (two of them are in one photo, and
        two faces of one photo are never one person), or None."""
        ids = sorted({target_id, *source_ids})
        marks = ",".join("?" * len(ids))
        row = self.db.execute(
            f"SELECT f.content_hash, group_concat(DISTINCT f.person_id) AS people FROM faces f "
            f"WHERE f.person_id IN ({marks}) GROUP BY f.content_hash HAVING count(DISTINCT f.person_id) > 1 LIMIT 1",
            ids).fetchone()
        if row is None:
            return None
        names = [self._person_label(int(p)) for p in row["people"].split(",")]
        photo = self.db.execute("SELECT path FROM photos WHERE content_hash = ? ORDER BY status != 'ok', id LIMIT 1",
                                (row["content_hash"],)).fetchone()
        where = photo["path"].rsplit("/", 1)[-1] if photo else "one photo"
        return (f"{' and '.join(names)} are both in {where}: two faces of one photo are never one person, "
                "so they were not merged")

    def _person_label(self, person_id: int) -> str:
        row = self.db.execute("SELECT name, owner FROM people WHERE id = ?", (person_id,)).fetchone()
        if row and row["name"]:
            return row["name"]
        return "You" if row and row["owner"] == OWNER_CONFIRMED else f"Person {person_id}"

    def face_invariant_violations(self) -> list[tuple[int, str, int]]:
        """(person, content hash, faces) wherever a person holds two or more
        faces of one photo: must always be empty (tests check every catalog)."""
        return [tuple(r) for r in self.db.execute(
            "SELECT person_id, content_hash, count(*) FROM faces WHERE person_id IS NOT NULL "
            "GROUP BY person_id, content_hash HAVING count(*) > 1")]

    def split_person(self, person_id: int, face_ids: Iterable[int], name: Optional[str] = None) -> int:
        """Move the chosen faces of a person into a new person; the two stay
        apart in every later clustering (cannot-link), the moved faces stay
        with the new person (must-link)."""
        face_ids = list(face_ids)
        with self.write() as db:
            self._require_person(db, person_id)
            mine = {r[0] for r in db.execute("SELECT id FROM faces WHERE person_id = ?", (person_id,))}
            wrong = [f for f in face_ids if f not in mine]
            if wrong or not face_ids:
                raise ValueError(f"faces {wrong} are not faces of person {person_id}" if wrong else "no faces given")
            new_id = self.new_person(name=(name or "").strip() or None, user_touched=True)
            db.conn.executemany("UPDATE faces SET person_id = ?, assigned_by = 'user', distance = NULL WHERE id = ?",
                                [(new_id, f) for f in face_ids])
            db.execute("INSERT OR IGNORE INTO person_cannot_link(a, b, created_at) VALUES (?, ?, ?)",
                       (person_id, new_id, time.time()))
            self._touch(db, person_id)
            self.record_decision("person_split", value={"from": person_id, "to": new_id, "faces": face_ids})
        return new_id

    def remove_face(self, face_id: int, person_id: Optional[int] = None) -> None:
        """"Not this person": the face leaves its person and never joins it again."""
        with self.write() as db:
            row = db.execute("SELECT person_id FROM faces WHERE id = ?", (face_id,)).fetchone()
            if row is None:
                raise KeyError(f"no face {face_id}")
            person_id = person_id if person_id is not None else row[0]
            if person_id is None:
                return
            db.execute("INSERT OR IGNORE INTO face_rejections(face_id, person_id, created_at) VALUES (?, ?, ?)",
                       (face_id, person_id, time.time()))
            if row[0] == person_id:
                db.execute("UPDATE faces SET person_id = NULL, assigned_by = NULL, distance = NULL WHERE id = ?",
                           (face_id,))
            self._touch(db, person_id)
            self.record_decision("face_not_person", value={"face": face_id, "person": person_id})

    def move_face(self, face_id: int, person_id: int) -> None:
        """The user says this face is ``person_id`` (pinned there from now on)."""
        with self.write() as db:
            self._require_person(db, person_id)
            self._free_photo_for(db, face_id, person_id)
            if db.execute("UPDATE faces SET person_id = ?, assigned_by = 'user', distance = NULL WHERE id = ?",
                          (person_id, face_id)).rowcount == 0:
                raise KeyError(f"no face {face_id}")
            db.execute("DELETE FROM face_rejections WHERE face_id = ? AND person_id = ?", (face_id, person_id))
            self._touch(db, person_id)
            self.record_decision("face_person", value={"face": face_id, "person": person_id})

    def _free_photo_for(self, db, face_id: int, person_id: int) -> None:
        """Before ``face_id`` goes to ``person_id``: the person's other face in
        the same photo, if the clustering put it there, leaves the person;
        one the user placed there refuses the move."""
        other = db.execute(
            "SELECT o.id, o.assigned_by FROM faces f JOIN faces o ON o.content_hash = f.content_hash "
            "AND o.id != f.id WHERE f.id = ? AND o.person_id = ?", (face_id, person_id)).fetchone()
        if other is None:
            return
        if other["assigned_by"] == "user":
            raise ValueError(f"{self._person_label(person_id)} already has face {other['id']} in this photo: "
                             "two faces of one photo are never one person")
        db.execute("UPDATE faces SET person_id = NULL, assigned_by = NULL, distance = NULL WHERE id = ?",
                   (other["id"],))

    # -- review of unknown faces: "is this X?" ---------------------------------------
    def accept_suggestions(self, face_ids: Iterable[int], person_id: int) -> list[tuple[int, Optional[int], Optional[str]]]:
        """The user confirms that these faces are ``person_id`` (pinned there
        for good, like ``move_face``). Returns each face's previous (face,
        person, assigned_by) for undo (``restore_faces``)."""
        before = []
        with self.write() as db:
            self._require_person(db, person_id)
            for f in face_ids:
                row = db.execute("SELECT person_id, assigned_by FROM faces WHERE id = ?", (f,)).fetchone()
                if row is None:
                    raise KeyError(f"no face {f}")
                before.append((int(f), row["person_id"], row["assigned_by"]))
                self._free_photo_for(db, f, person_id)
                db.execute("UPDATE faces SET person_id = ?, assigned_by = 'user', distance = NULL WHERE id = ?",
                           (person_id, f))
                db.execute("DELETE FROM face_rejections WHERE face_id = ? AND person_id = ?", (f, person_id))
                self.record_decision("face_suggestion_accept", value={"face": int(f), "person": person_id})
            self._touch(db, person_id)
        return before

    def accept_as_new_person(self, face_ids: Iterable[int], name: Optional[str] = None) -> int:
        """These unknown faces are one person nobody named yet: a new person,
        the faces pinned to it (refused when two are of one photo)."""
        face_ids = [int(f) for f in face_ids]
        marks = ",".join("?" * len(face_ids))
        if self.scalar(f"SELECT count(*) - count(DISTINCT content_hash) FROM faces WHERE id IN ({marks})", face_ids):
            raise ValueError("two of these faces are in one photo: two faces of one photo are never one person")
        with self.write():
            pid = self.new_person(name=(name or "").strip() or None, user_touched=True)
            self.accept_suggestions(face_ids, pid)
        return pid

    def reject_suggestion(self, face_id: int, person_id: int) -> None:
        """"This is not ``person_id``": kept for good (a cannot-link)."""
        with self.write() as db:
            if db.execute("SELECT 1 FROM faces WHERE id = ?", (face_id,)).fetchone() is None:
                raise KeyError(f"no face {face_id}")
            db.execute("INSERT OR IGNORE INTO face_rejections(face_id, person_id, created_at) VALUES (?, ?, ?)",
                       (face_id, person_id, time.time()))
            db.execute("UPDATE faces SET person_id = NULL, assigned_by = NULL, distance = NULL "
                       "WHERE id = ? AND person_id = ?", (face_id, person_id))
            self.record_decision("face_suggestion_reject", value={"face": face_id, "person": person_id})

    def unreject_suggestion(self, face_id: int, person_id: int) -> None:
        """Undo of ``reject_suggestion``."""
        with self.write() as db:
            db.execute("DELETE FROM face_rejections WHERE face_id = ? AND person_id = ?", (face_id, person_id))
            self.record_decision("face_suggestion_unreject", value={"face": face_id, "person": person_id})

    def restore_faces(self, before: Iterable[tuple[int, Optional[int], Optional[str]]]) -> None:
        """Undo of ``accept_suggestions``: each face back where it was."""
        with self.write() as db:
            for f, p, by in before:
                db.execute("UPDATE faces SET person_id = ?, assigned_by = ?, distance = NULL WHERE id = ?", (p, by, f))
            self.record_decision("face_restore", value={"faces": [b[0] for b in before]})
        self.drop_empty_people()

    def confirm_owner(self, person_id: Optional[int]) -> None:
        """The user says ``person_id`` is them (None: nobody is)."""
        with self.write() as db:
            db.execute("UPDATE people SET owner = 0 WHERE owner > 0")
            if person_id is not None:
                self._require_person(db, person_id)
                db.execute("UPDATE people SET owner = 2 WHERE id = ?", (person_id,))
                self._touch(db, person_id)
            self.record_decision("owner", value={"person": person_id})

    def owner_person(self) -> Optional[tuple[int, bool]]:
        """(person id, confirmed) of the owner, or None."""
        row = self.db.execute("SELECT id, owner FROM people WHERE owner > 0 ORDER BY owner DESC LIMIT 1").fetchone()
        return (row[0], row[1] == OWNER_CONFIRMED) if row else None

    # -- private photos -------------------------------------------------------------
    def save_privacy(self, content_hash: str, *, text_lines: int, text_chars: int, text_area: float,
                     document: bool, screenshot: bool, portrait: bool, doc_kind: Optional[str] = None) -> None:
        with self.write() as db:
            db.execute(
                "INSERT OR REPLACE INTO photo_privacy(content_hash, text_lines, text_chars, text_area, document, "
                "screenshot, portrait, doc_kind, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (content_hash, text_lines, text_chars, text_area, int(document), int(screenshot), int(portrait),
                 doc_kind, time.time()))

    def portraits_private(self) -> bool:
        """The user's setting: the paper's portrait rule makes portraits
        private (``Preferences.private_portraits``, off by default)."""
        return bool((self.get_pref("preferences", {}) or {}).get("private_portraits", False))

    def close_people(self) -> set[int]:
        """People seen in many photos over several days (family, close
        friends): ``privacy.rules.CLOSE_MIN_PHOTOS`` contents over
        ``CLOSE_MIN_DAYS`` days of capture (file times do not count as days)."""
        rows = self.db.execute(
            "SELECT f.person_id FROM faces f JOIN photos p ON p.content_hash = f.content_hash AND +p.status = 'ok' "
            "WHERE f.person_id IS NOT NULL GROUP BY f.person_id "
            "HAVING count(DISTINCT f.content_hash) >= ? "
            "AND count(DISTINCT CASE WHEN coalesce(p.capture_source, '') != 'mtime' "
            "THEN substr(p.capture_time, 1, 10) END) >= ?",
            (CLOSE_MIN_PHOTOS, CLOSE_MIN_DAYS)).fetchall()
        return {r[0] for r in rows}

    def _faces_by_content(self) -> dict[str, list[tuple[Optional[int], float]]]:
        """content hash -> (person id, face width / the image's short side)."""
        out: dict[str, list[tuple[Optional[int], float]]] = {}
        for h, pid, x0, x1, w, hgt in self.db.execute("SELECT content_hash, person_id, x0, x1, full_w, full_h "
                                                      "FROM faces"):
            scale = w / min(w, hgt) if w and hgt else 1.0
            out.setdefault(h, []).append((pid, (x1 - x0) * scale))
        return out

    def close_people_photos(self, close: Optional[set[int]] = None) -> set[str]:
        """Contents whose subject is a close person
        (``privacy.rules.close_person_is_subject``), not merely in them: a
        signal for stories and importance (no longer a privacy reason)."""
        close = self.close_people() if close is None else close
        if not close:
            return set()
        return {h for h, faces in self._faces_by_content().items() if close_person_is_subject(faces, close)}

    def privacy_list(self, only_private: bool = False, photo_ids: Optional[Iterable[int]] = None) -> list[PrivacyInfo]:
        """Every photo's private flag and its reasons (the user's override
        wins). Close people are not a reason: they are a signal for stories."""
        wanted = None if photo_ids is None else set(photo_ids)
        portraits = self.portraits_private()
        faces_by_hash = self._faces_by_content()
        rows = self.db.execute(
            "SELECT p.id, p.path, p.raw_path, p.content_hash, pp.document, pp.doc_kind, pp.screenshot, pp.portrait, "
            "o.private FROM photos p LEFT JOIN photo_privacy pp ON pp.content_hash = p.content_hash "
            "LEFT JOIN privacy_overrides o ON o.content_hash = p.content_hash WHERE p.status = 'ok' ORDER BY p.id")
        out = []
        for r in rows:
            if wanted is not None and r["id"] not in wanted:
                continue
            reasons = privacy_reasons(bool(r["document"]), r["doc_kind"], bool(r["screenshot"]),
                                      bool(r["portrait"]), portraits)
            persons = {pid for pid, _ in faces_by_hash.get(r["content_hash"], []) if pid is not None}
            override = None if r["private"] is None else bool(r["private"])
            private = is_private(reasons, override)
            if override:
                reasons.append("user")
            if only_private and not private:
                continue
            out.append(PrivacyInfo(r["id"], fs_path(r["path"], r["raw_path"]), private, tuple(reasons), override,
                                   tuple(sorted(persons))))
        return out

    def private_photos(self) -> list[PrivacyInfo]:
        """Photos that stay out of stories and exports unless the user allows it."""
        return self.privacy_list(only_private=True)

    def is_private(self, photo_id: int) -> bool:
        return any(p.is_private for p in self.privacy_list(photo_ids=[photo_id]))

    def set_private(self, photo_ids: Iterable[int], private: Optional[bool]) -> None:
        """The user's word on photos: True / False, or None to go back to the rules."""
        with self.write() as db:
            for pid in photo_ids:
                row = db.execute("SELECT content_hash FROM photos WHERE id = ?", (pid,)).fetchone()
                if row is None:
                    raise KeyError(f"no photo {pid}")
                if private is None:
                    db.execute("DELETE FROM privacy_overrides WHERE content_hash = ?", (row[0],))
                else:
                    db.execute("INSERT OR REPLACE INTO privacy_overrides(content_hash, private, created_at) "
                               "VALUES (?, ?, ?)", (row[0], int(private), time.time()))
                self.record_decision("private", photo_id=pid, value=private)

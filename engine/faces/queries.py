"""The faces domain's store (a ``Catalog`` mixin, found by ``catalog.stores``):
detected faces and their embeddings, what clustering reads and writes
(people rows, assignments, the user's constraints, the suggested owner),
and face lookups for the window and the CLI. The people themselves, as the
user sees and corrects them, are in ``people_queries.py``.

Boxes are normalized to the upright full image (EXIF orientation applied):
``box`` = [x, y, w, h] with x, y from the top-left corner, all in [0, 1];
``box_px`` is the same in pixels of the upright full image. The window crops
the face itself from the photo at ``path``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

import numpy as np

from ..paths import fs_path

EMBEDDING_MODEL = "dlib_resnet_v1"
EMBEDDING_KIND = "face_embeddings"
OWNER_SUGGESTED, OWNER_CONFIRMED = 1, 2  # people.owner


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

    # -- faces: what the window and the CLI read -----------------------------------
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

    def unassigned_faces(self) -> list[FaceRef]:
        rows = self.db.execute(f"SELECT {_FACE_COLS} FROM faces f WHERE f.person_id IS NULL "
                               "AND photo_id IS NOT NULL ORDER BY f.quality DESC").fetchall()
        return [self._face_ref(r) for r in rows]

    def face_invariant_violations(self) -> list[tuple[int, str, int]]:
        """(person, content hash, faces) wherever a person holds two or more
        faces of one photo: must always be empty (tests check every catalog)."""
        return [tuple(r) for r in self.db.execute(
            "SELECT person_id, content_hash, count(*) FROM faces WHERE person_id IS NOT NULL "
            "GROUP BY person_id, content_hash HAVING count(*) > 1")]


QUERIES = FaceQueries

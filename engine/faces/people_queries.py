"""The people domain's store (a ``Catalog`` mixin, found by
``catalog.stores``): people as the window, the CLI and Insights show them
(names, photo counts), the user's corrections, the owner, and close people.

Two rules are defined here once: a person's display name
(``person_display_name``: the name, "You" for the confirmed owner, else
"Person N") and which photos show a person (``PERSON_PHOTOS``: every file in
the library whose content holds one of their faces, a copy included), used
by the People view, the grid's person filter and the Insights chart alike.

Every correction (name, merge, split, "not this person", move) marks the
person ``user_touched`` and is stored as a constraint that re-clustering
applies (see ``engine/faces/people.py``), and is logged as a decision.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterable, Optional

from ..privacy.rules import CLOSE_MIN_DAYS, CLOSE_MIN_PHOTOS, close_person_is_subject
from .queries import _FACE_COLS, OWNER_CONFIRMED, FaceRef

# The photos (alias {photo}) that show person {person}: one definition for
# the People view's counts, the grid's filter and the Insights chart.
PERSON_PHOTOS = "{photo}.content_hash IN (SELECT content_hash FROM faces WHERE person_id = {person})"


def person_display_name(person_id: int, name: Optional[str], owner: int) -> str:
    """What the window and the CLI call a person."""
    if name:
        return name
    return "You" if owner == OWNER_CONFIRMED else f"Person {person_id}"


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
        return person_display_name(self.id, self.name, self.owner)


class PeopleQueries:
    """Mixin for ``Catalog``: reaches the database only through
    ``self.db`` (reads) and ``self.write()`` (transactions)."""

    # -- people: what the window and the CLI read ----------------------------------
    def person(self, person_id: int) -> Optional[PersonInfo]:
        found = [p for p in self.people_list(include_unnamed_singletons=True) if p.id == person_id]
        return found[0] if found else None

    def people_list(self, include_unnamed_singletons: bool = True) -> list[PersonInfo]:
        """People with at least one face in the library, most faces first."""
        rows = self.db.execute(
            # photos: files in the library (a copy counts), as the library grid
            # filtered on the person and the Insights chart count them
            "SELECT pe.id, pe.name, pe.owner, pe.user_touched, pe.cover_face_id, count(f.id) AS n, "
            f"(SELECT count(*) FROM photos p WHERE p.status = 'ok' AND {PERSON_PHOTOS.format(photo='p', person='pe.id')}) "
            "AS photos "
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

    def people_by_photos(self, top_k: Optional[int] = None) -> list[dict]:
        """People in the library's photos, most photos first (the Insights
        charts and the profile): ``id``, ``name`` (as displayed), ``owner``,
        ``photos`` and ``faces``, counted as ``people_list`` counts them."""
        shows = PERSON_PHOTOS.format(photo="p", person="pe.id")
        rows = self.db.execute(
            f"SELECT pe.id, pe.name, pe.owner, (SELECT count(*) FROM photos p WHERE p.status = 'ok' AND {shows}) "
            "AS photos, (SELECT count(*) FROM faces f WHERE f.person_id = pe.id AND EXISTS (SELECT 1 FROM photos p "
            "WHERE p.content_hash = f.content_hash AND +p.status = 'ok')) AS faces "
            "FROM people pe WHERE photos > 0 ORDER BY photos DESC, pe.id LIMIT ?",
            (-1 if top_k is None else top_k,)).fetchall()
        return [{"id": r["id"], "name": person_display_name(r["id"], r["name"], r["owner"]), "owner": r["owner"],
                 "photos": r["photos"], "faces": r["faces"]} for r in rows]

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
        return person_display_name(person_id, row["name"] if row else None, row["owner"] if row else 0)

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


QUERIES = PeopleQueries

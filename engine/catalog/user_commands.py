"""Every action a user takes on a library, as a journalled, undoable command
(``actions.run_action``): the window and the command line call these, never
the store's write methods directly, so that Ctrl+Z (also after a restart)
and ``photoorg undo --action`` restore everything an action changed.

Each builder returns an ``Action``: what it is called, the rows it may touch
(scopes picked by ids read *before* it runs, so they pick the same rows
after), and the store call that does it. ``perform(catalog, action)`` runs it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

from ..errors import PhotoOrgError
from ..paths import display, to_db
from .actions import Scope


@dataclass
class Action:
    kind: str
    label: str
    scopes: Callable[[Any], list[Scope]]   # catalog -> scopes, read just before it runs
    run: Callable[[Any], Any]               # catalog -> result


class NotALibraryFolder(PhotoOrgError):
    pass


def perform(catalog, action: Action) -> tuple[int, Any]:
    """Run ``action`` as one transaction; (journal id, result)."""
    with catalog.write():
        return catalog.run_action(action.kind, action.label, action.scopes(catalog), action.run)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


# -- culling ---------------------------------------------------------------------------
def set_flag(photo_ids: Iterable[int], flag: Optional[str]) -> Action:
    ids = list(photo_ids)
    what = _plural(len(ids), "photo")
    label = {"pick": f"Pick {what}", "reject": f"Reject {what}", None: f"Unflag {what}"}[flag]
    return Action("flag", label, lambda c: [Scope.ids("photos", "id", ids)], lambda c: c.set_flag(ids, flag))


def set_rating(photo_ids: Iterable[int], rating: Optional[int]) -> Action:
    ids = list(photo_ids)
    what = _plural(len(ids), "photo")
    label = f"Rate {what} {rating}★" if rating else f"Clear the rating of {what}"
    return Action("rating", label, lambda c: [Scope.ids("photos", "id", ids)], lambda c: c.set_rating(ids, rating))


def set_series_pick(series_id: int, photo_id: int) -> Action:
    return Action("series_pick", "Change the pick of a series",
                  lambda c: [Scope.ids("series", "id", [series_id]), Scope.ids("series_members", "series_id", [series_id])],
                  lambda c: c.set_series_pick(series_id, photo_id))


# -- people ------------------------------------------------------------------------------
def _people_scopes(person_ids: Iterable[Optional[int]], face_ids: Iterable[int] = ()):
    persons = [p for p in person_ids if p is not None]

    def scopes(c) -> list[Scope]:
        faces = set(face_ids)
        if persons:
            marks = ",".join("?" * len(persons))
            faces |= {r[0] for r in c.db.execute(f"SELECT id FROM faces WHERE person_id IN ({marks})", persons)}
        return [Scope("people"), Scope("person_cannot_link"), Scope("person_aliases"), Scope("face_rejections"),
                Scope.ids("faces", "id", sorted(faces))]
    return scopes


def name_person(person_id: int, name: Optional[str]) -> Action:
    return Action("name", f"Name a person “{name or ''}”", _people_scopes([person_id]),
                  lambda c: c.name_person(person_id, name))


def split_person(person_id: int, face_ids: Iterable[int], name: Optional[str] = None) -> Action:
    faces = list(face_ids)
    return Action("split", f"Split {_plural(len(faces), 'face')} off into a new person",
                  _people_scopes([person_id], faces), lambda c: c.split_person(person_id, faces, name))


def move_face(face_id: int, person_id: int) -> Action:
    def scopes(c):
        current = c.face(face_id)
        return _people_scopes([person_id, current.person_id if current else None], [face_id])(c)
    return Action("move_face", "Move a face to another person", scopes, lambda c: c.move_face(face_id, person_id))


def merge_people(target_id: int, source_ids: Iterable[int]) -> Action:
    sources = [s for s in source_ids if s != target_id]
    return Action("merge", f"Merge {_plural(len(sources) + 1, 'person')}".replace("persons", "people"),
                  _people_scopes([target_id, *sources]), lambda c: c.merge_people(target_id, sources))


def not_this_person(person_id: int, face_ids: Iterable[int]) -> Action:
    faces = list(face_ids)
    return Action("not_person", f"Remove {_plural(len(faces), 'face')} from a person",
                  _people_scopes([person_id], faces), lambda c: [c.remove_face(f, person_id) for f in faces])


def confirm_owner(person_id: Optional[int]) -> Action:
    return Action("owner", "Mark who you are" if person_id is not None else "Unmark who you are",
                  _people_scopes([]), lambda c: c.confirm_owner(person_id))


def accept_faces(face_ids: Iterable[int], person_id: Optional[int], label: str) -> Action:
    faces = list(face_ids)

    def run(c):
        return c.accept_as_new_person(faces) if person_id is None else c.accept_suggestions(faces, person_id)
    return Action("accept_faces", f"Confirm {_plural(len(faces), 'face')} as {label}",
                  _people_scopes([person_id], faces), run)


def reject_suggestion(face_id: int, person_id: int, label: str) -> Action:
    return Action("reject_face", f"Not {label}", _people_scopes([person_id], [face_id]),
                  lambda c: c.reject_suggestion(face_id, person_id))


# -- albums and privacy ----------------------------------------------------------------
def correct_event(album_id: int, label: Optional[str]) -> Action:
    def run(c):
        from ..albums.build import correct_event as correct

        return correct(c, album_id, label)
    return Action("event", "Correct the event of an album", lambda c: [Scope.ids("albums", "id", [album_id])], run)


def rename_album(album_id: int, title: Optional[str]) -> Action:
    return Action("album_title", "Rename an album", lambda c: [Scope.ids("albums", "id", [album_id])],
                  lambda c: c.rename_album(album_id, title))


def set_private(photo_ids: Iterable[int], private: Optional[bool]) -> Action:
    ids = list(photo_ids)
    label = {True: "Mark a photo private", False: "Mark a photo not private",
             None: "Let the rules decide privacy"}[private]

    def scopes(c):
        hashes = [r[0] for r in c.db.execute(
            f"SELECT content_hash FROM photos WHERE id IN ({','.join('?' * len(ids))})", ids)] if ids else []
        return [Scope.ids("privacy_overrides", "content_hash", hashes)]
    return Action("privacy", label, scopes, lambda c: c.set_private(ids, private))


# -- library folders ----------------------------------------------------------------------
def _under(column: str, path: str) -> tuple[str, tuple]:
    text = to_db(path)[0]
    lo = to_db(path.rstrip(os.sep) + os.sep)[0]
    return f"({column} = ? OR ({column} >= ? AND {column} < ?))", (text, lo, lo[:-1] + chr(ord(os.sep) + 1))


def library_root(catalog, path: str) -> str:
    """The library folder ``path`` names (as typed, absolute, or a root's
    last part); a sentence listing the folders when it names none."""
    roots = catalog.roots()
    full = os.path.abspath(os.path.expanduser(path))
    if full in roots:
        return full
    named = [r for r in roots if os.path.basename(r.rstrip(os.sep)) == path.rstrip(os.sep)]
    if len(named) == 1:
        return named[0]
    listing = "; ".join(display(r) for r in roots) or "none yet"
    if len(named) > 1:
        raise NotALibraryFolder(f"“{path}” names {len(named)} library folders: {listing}; give the full path")
    raise NotALibraryFolder(f"{display(path)} is not a library folder; the library folders are: {listing}")


def remove_folder(root: str) -> Action:
    """A library folder leaves the catalog with its photos (the files stay
    where they are); undo brings every row back with its ids, so picks,
    ratings, albums and series come back too."""
    where_photos, params = _under("path", root)

    def scopes(c) -> list[Scope]:
        ids = [r[0] for r in c.db.execute(f"SELECT id FROM photos WHERE {where_photos}", params)]
        series = [r[0] for r in c.db.execute(
            f"SELECT DISTINCT series_id FROM series_members WHERE photo_id IN ({','.join('?' * len(ids))})", ids)] \
            if ids else []
        out = [Scope.ids("photos", "id", ids), Scope("folders", where_photos, params),
               Scope("roots", where_photos, params), Scope("videos", where_photos, params),
               Scope("skipped_files", where_photos, params),
               Scope.ids("series", "id", series), Scope.ids("series_members", "series_id", series)]
        for table in ("album_photos", "photo_places", "xmp_sidecar_state"):
            out.append(Scope.ids(table, "photo_id", ids))
        return out

    def run(c) -> int:
        db = c.db
        ids = [r[0] for r in db.execute(f"SELECT id FROM photos WHERE {where_photos}", params)]
        for i in range(0, len(ids), 900):
            chunk = ids[i:i + 900]
            marks = ",".join("?" * len(chunk))
            db.execute(f"DELETE FROM series_members WHERE photo_id IN ({marks})", chunk)
            db.execute(f"UPDATE series SET pick_photo_id = NULL WHERE pick_photo_id IN ({marks})", chunk)
            for table in ("album_photos", "photo_places", "xmp_sidecar_state"):
                db.execute(f"DELETE FROM {table} WHERE photo_id IN ({marks})", chunk)
            db.execute(f"DELETE FROM photos WHERE id IN ({marks})", chunk)
        for table in ("videos", "skipped_files", "folders", "roots"):
            db.execute(f"DELETE FROM {table} WHERE {where_photos}", params)
        return len(ids)

    return Action("remove_folder", f"Remove {display(root)} from the library", scopes, run)

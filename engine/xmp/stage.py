"""The "sidecars" stage: XMP sidecars follow the catalog (opt-in,
``Preferences.xmp_write``).

For every photo it gathers what other tools should see: the user's rating,
pick/reject flag, colour label and keywords, "Best shot" for the pick of a
series (write.py's conventions), the event of the photo's album (the user's
correction, or the model's label when it is sure enough to name it in the
album's title), the names of the named people in it with an mwg-rs region
per named face, and the interest band ("High/Medium/Low interest"). A
fingerprint of that state is kept per photo (table ``xmp_sidecar_state``,
curation migration 2, with the naming and folder preferences); only photos
whose state changed since the last write, or whose sidecar is gone, are
written again, merged into what other tools wrote
(``write.write_photo_sidecar``). A rating or label that an earlier write put
in and the catalog no longer has is cleared (rating 0, no label).

The interest enters the fingerprint as its band only: the interest model is
retrained on every batch of decisions, and a score moving from 0.71 to 0.72
is not worth rewriting thousands of files; ``photoorg:Interest`` holds the
score of the last write.

Faces are kept normalized to the upright image; MWG regions are given in
the image as stored, so each box goes through ``write.face_region`` with the
photo's EXIF orientation. A photo with nothing to say (no rating, flag,
label, best shot, event, named face or interest: its own keywords do not
count, the file holds them) gets no new sidecar.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from typing import Optional

from ..paths import display, fs_path
from ..pipeline import Stage
from ..progress import ProgressMeter
from .merge import interest_keyword
from .write import XmpWriteError, face_region, sidecar_path, write_photo_sidecar

log = logging.getLogger(__name__)

NAME = "sidecars"
CHUNK = 900  # ids per IN (...) query (SQLite's default limit is 999 variables)


def _series_picks(catalog) -> set[int]:
    """Photos that are the pick of a series of two or more (write.py: "Best shot")."""
    return {r[0] for r in catalog.query(
        "SELECT s.pick_photo_id FROM series s WHERE s.pick_photo_id IS NOT NULL AND "
        "(SELECT count(*) FROM series_members m WHERE m.series_id = s.id) > 1")}


def _events(catalog) -> Optional[dict[int, list[str]]]:
    """photo id -> the event of its album (current album mode), or None when
    there are no albums yet (unknown: what was written stays)."""
    from ..albums.build import default_mode, event_unnamed_reason

    albums = catalog.albums(default_mode(catalog))
    if not albums:
        return None
    out: dict[int, list[str]] = {}
    for info in albums:
        label = info.user_event
        if not label and info.model_event and \
                event_unnamed_reason(info.event_scores.get(info.model_event), info.photo_count) is None:
            label = info.model_event
        for ap in catalog.album_photos(info.id):
            out.setdefault(ap.photo_id, [])
            if label and label not in out[ap.photo_id]:
                out[ap.photo_id].append(label)
    return out


def _named_faces(catalog) -> dict[str, list[tuple[str, tuple[float, float, float, float]]]]:
    """content hash -> (name, upright box x, y, w, h) of every named face."""
    names = {pid: (row["name"] or "").strip() for pid, row in catalog.people_meta().items()}
    out: dict[str, list] = {}
    for h, pid, x0, y0, x1, y1 in catalog.query(
            "SELECT content_hash, person_id, x0, y0, x1, y1 FROM faces WHERE person_id IS NOT NULL ORDER BY idx"):
        if names.get(pid):
            out.setdefault(h, []).append((names[pid], (x0, y0, x1 - x0, y1 - y0)))
    return out


def _interest(catalog, photo_ids: list[int]) -> dict[int, float]:
    if not hasattr(catalog, "interest_scores"):
        return {}
    out: dict[int, float] = {}
    for i in range(0, len(photo_ids), CHUNK):
        out.update(catalog.interest_scores(photo_ids[i:i + CHUNK]))
    return out


def _written(catalog) -> dict[int, tuple[str, str, Optional[str]]]:
    return {r[0]: (r[1], r[2], r[3]) for r in catalog.query(
        "SELECT photo_id, sidecar, fingerprint, state FROM xmp_sidecar_state")}


def _record(catalog, rows: list[tuple[int, str, str, Optional[str], Optional[str]]]) -> None:
    now = time.time()
    # A file name need not be UTF-8 (os.fsdecode keeps its bytes as
    # surrogates, which SQLite text cannot hold): stored as displayed, with
    # \xNN escapes; such a sidecar is looked for by its OS path again below.
    with catalog.write() as db:
        db.conn.executemany(
            "INSERT OR REPLACE INTO xmp_sidecar_state(photo_id, sidecar, fingerprint, state, error, written_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(pid, display(side), fp, state, None if error is None else display(error), now)
             for pid, side, fp, state, error in rows])


def to_clear(before: Optional[str], state: dict) -> list[str]:
    """A rating or label the last write put in the sidecar (a reject is
    written as rating -1) that the catalog no longer has."""
    try:
        old = json.loads(before) if before else {}
    except ValueError:
        old = {}
    out = []
    if state["rating"] is None and (old.get("rating") or old.get("flag") == "reject"):
        out.append("rating")
    if state["label"] is None and old.get("label"):
        out.append("label")
    return out


def export_state(row, best: bool, events: Optional[list[str]], faces: list, interest: Optional[float]) -> dict:
    """What the sidecar of one photo says (the fingerprinted part)."""
    keywords = json.loads(row["keywords"]) if row["keywords"] else []
    people = list(dict.fromkeys(name for name, _ in faces))
    return {
        "rating": row["rating"], "flag": row["flag"], "label": row["label"], "keywords": keywords,
        "best_shot": best, "size": [row["width"], row["height"], row["orientation"]],
        "events": events, "people": people,
        "regions": [[name, [round(v, 4) for v in box]] for name, box in faces],
        "interest": interest_keyword(interest) if interest is not None else None,
    }


def has_content(state: dict) -> bool:
    """Something worth a new sidecar. The photo's own keywords alone are not
    (they are in the file already); they are carried into any sidecar written."""
    return bool(state["rating"] or state["flag"] or state["label"] or state["best_shot"]
                or state["events"] or state["people"] or state["interest"])


def fingerprint(state: dict) -> str:
    return hashlib.sha1(json.dumps(state, sort_keys=True).encode("utf-8")).hexdigest()



def _exists_raw(row, prefs) -> bool:
    """Whether the sidecar of a photo whose name is not UTF-8 is there (its
    stored path is only the displayed form)."""
    return os.path.exists(sidecar_path(fs_path(row["path"], row["raw_path"]), prefs.xmp_naming, prefs.xmp_folder))


def run(catalog, settings, progress, cancel) -> dict:
    prefs = settings.prefs
    if not prefs.xmp_write:
        return {"enabled": False}
    rows = catalog.query("SELECT id, path, raw_path, content_hash, rating, flag, label, keywords, width, height, "
                         "orientation FROM photos WHERE status = 'ok' ORDER BY id")
    picks = _series_picks(catalog)
    events = _events(catalog)
    faces = _named_faces(catalog)
    interest = _interest(catalog, [r["id"] for r in rows])
    written = _written(catalog)

    # Where sidecars go is part of what was written: changing the naming or
    # the folder writes them again. The path itself is resolved only for
    # photos to write ("auto" naming lists the photo's folder).
    where = {"naming": prefs.xmp_naming, "folder": prefs.xmp_folder}
    todo = []
    for r in rows:
        state = export_state(r, r["id"] in picks, None if events is None else events.get(r["id"], []),
                             faces.get(r["content_hash"], []), interest.get(r["id"]))
        fp = fingerprint({**state, "where": where})
        before = written.get(r["id"])
        if before is not None and before[1] == fp and (not has_content(state) or os.path.exists(before[0])
                                                       or (r["raw_path"] and _exists_raw(r, prefs))):
            continue
        side = sidecar_path(fs_path(r["path"], r["raw_path"]), prefs.xmp_naming, prefs.xmp_folder)
        todo.append((r, state, side, fp, to_clear(before[2] if before else None, state)))

    meter = ProgressMeter("sidecars", progress, total=len(todo))
    counts = {"photos": len(rows), "written": 0, "unchanged": len(rows) - len(todo), "empty": 0, "failed": 0}
    errors: list[str] = []
    done: list[tuple[int, str, str, Optional[str], Optional[str]]] = []
    for r, state, side, fp, clear in todo:
        cancel.raise_if_cancelled()
        as_json = json.dumps(state, sort_keys=True)
        if not has_content(state) and not os.path.exists(side):
            counts["empty"] += 1  # nothing to say, and no sidecar of ours to update
            done.append((r["id"], side, fp, as_json, None))
        else:
            regions = [face_region(name, box, r["orientation"]) for name, box in faces.get(r["content_hash"], [])]
            try:
                side = write_photo_sidecar(catalog, settings, r["id"], events=state["events"],
                                           people=state["people"], regions=regions,
                                           interest=interest.get(r["id"]), clear=clear) or side
                counts["written"] += 1
                done.append((r["id"], side, fp, as_json, None))
            except (XmpWriteError, OSError) as exc:  # one bad sidecar must not stop the others
                counts["failed"] += 1
                errors.append(display(str(exc)))
                log.warning("sidecars: %s", exc)
                # No fingerprint: tried again next run; the state of the last
                # good write stays what ``clear`` compares with.
                done.append((r["id"], side, "", written.get(r["id"], (None, None, None))[2], str(exc)))
        if len(done) >= 256:
            _record(catalog, done)
            done = []
        meter.advance(message=os.path.basename(side)[-60:])
    if done:
        _record(catalog, done)
    out: dict = {"enabled": True, **counts}
    if errors:
        out["errors"] = errors[:5]
    return out


STAGE = Stage(NAME, run, after=(), uses=("albums", "faces", "interest", "series"), description="XMP sidecars follow the catalog: ratings, events, people, interest")

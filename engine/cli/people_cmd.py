"""photoorg people: people found in the photos, and the user's corrections.

    photoorg people [--json] [--all]        list people: id, name, faces (path, box)
    photoorg people name ID NAME            name a person ("" clears)
    photoorg people merge ID OTHER...       merge OTHER... into ID
    photoorg people split ID FACE...        move these faces of ID to a new person
    photoorg people remove-face FACE        "not this person"
    photoorg people move-face FACE ID       this face is person ID
    photoorg people confirm-owner ID        ID is me (shown as "You"); 0 = nobody
    photoorg people recluster               cluster every face again (corrections kept)
    photoorg people private [--set|--unset|--auto PHOTO...]   private photos

``box`` is [x, y, w, h] normalized to the upright photo (EXIF orientation
applied), x and y from the top-left corner; ``box_px`` is the same in pixels.
"""

from __future__ import annotations

import argparse

from ..errors import PhotoOrgError
from .common import Context


class PeopleError(PhotoOrgError):
    """A correction named a person, face or photo that does not exist."""


def _common(p: argparse.ArgumentParser) -> None:
    # Accept the global options after the action too (photoorg people name 3 Ann --json).
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")
    p.add_argument("--catalog", metavar="FILE", default=argparse.SUPPRESS, help="catalog file")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("people", help="people found in the photos; name, merge, split")
    p.add_argument("--all", action="store_true", help="also list people seen only once")
    actions = p.add_subparsers(dest="people_action", metavar="ACTION")
    a = actions.add_parser("name", help="name a person")
    a.add_argument("person", type=int)
    a.add_argument("name")
    a = actions.add_parser("merge", help="merge people into the first")
    a.add_argument("person", type=int)
    a.add_argument("others", type=int, nargs="+")
    a = actions.add_parser("split", help="move faces of a person to a new person")
    a.add_argument("person", type=int)
    a.add_argument("faces", type=int, nargs="+")
    a.add_argument("--name", default=None)
    a = actions.add_parser("remove-face", help='"not this person": take a face out of its person')
    a.add_argument("face", type=int)
    a = actions.add_parser("move-face", help="put a face into a person")
    a.add_argument("face", type=int)
    a.add_argument("person", type=int)
    a = actions.add_parser("confirm-owner", help='confirm the person who is you (0: nobody)')
    a.add_argument("person", type=int)
    actions.add_parser("recluster", help="cluster every face again, keeping corrections")
    a = actions.add_parser("private", help="list private photos, or set the user's word on some")
    group = a.add_mutually_exclusive_group()
    group.add_argument("--set", dest="private_value", action="store_const", const=True)
    group.add_argument("--unset", dest="private_value", action="store_const", const=False)
    group.add_argument("--auto", dest="private_value", action="store_const", const="auto",
                       help="forget the user's word, go back to the rules")
    a.add_argument("photos", type=int, nargs="*", metavar="PHOTO_ID")
    for parser in actions.choices.values():
        _common(parser)
    p.set_defaults(func=run, people_action=None)


def person_json(catalog, person, with_faces: bool = True) -> dict:
    out = {"id": person.id, "name": person.display_name if person.name or person.owner == 2 else None,
           "owner": {0: None, 1: "suggested", 2: "confirmed"}[person.owner],
           "face_count": person.face_count, "photo_count": person.photo_count,
           "cover": person.cover.to_json() if person.cover else None}
    if with_faces:
        out["faces"] = [f.to_json() for f in catalog.person_faces(person.id)]
    return out


def _listing(ctx: Context, catalog) -> int:
    people = catalog.people_list(include_unnamed_singletons=ctx.args.all)
    data = {"people": [person_json(catalog, p) for p in people],
            "unassigned_faces": len(catalog.unassigned_faces())}
    lines = [f"{p.id:>5}  {p.display_name:<24} {p.face_count:>4} faces in {p.photo_count} photos"
             + ("  (owner?)" if p.owner == 1 else "") for p in people]
    ctx.emit(data, "\n".join(lines) or "no people yet: run 'photoorg analyze'")
    return 0


def _private(ctx: Context, catalog) -> int:
    value = ctx.args.private_value
    if value is not None:
        if not ctx.args.photos:
            raise PeopleError("name the photos (ids) to mark")
        catalog.set_private(ctx.args.photos, None if value == "auto" else value)
    items = catalog.private_photos()
    data = {"private": [{"photo_id": p.photo_id, "path": p.path, "reasons": list(p.reasons)} for p in items]}
    ctx.emit(data, "\n".join(f"{p.photo_id:>6}  {','.join(p.reasons):<28} {p.path}" for p in items)
             or "no private photos")
    return 0


def run(ctx: Context) -> int:
    action = ctx.args.people_action
    readonly = action is None or (action == "private" and ctx.args.private_value is None)
    with ctx.open(readonly=readonly) as catalog:
        if action is None:
            return _listing(ctx, catalog)
        if action == "private":
            return _private(ctx, catalog)
        args = ctx.args
        try:
            if action == "name":
                catalog.name_person(args.person, args.name)
                result = {"person": args.person, "name": args.name or None}
            elif action == "merge":
                result = {"person": catalog.merge_people(args.person, args.others), "merged": args.others}
            elif action == "split":
                result = {"from": args.person, "person": catalog.split_person(args.person, args.faces, args.name)}
            elif action == "remove-face":
                face = catalog.face(args.face)
                if face is None:
                    raise KeyError(f"no face {args.face}")
                catalog.remove_face(args.face)
                result = {"face": args.face, "removed_from": face.person_id}
            elif action == "move-face":
                catalog.move_face(args.face, args.person)
                result = {"face": args.face, "person": args.person}
            elif action == "confirm-owner":
                catalog.confirm_owner(args.person or None)
                result = {"owner": args.person or None}
            elif action == "recluster":
                from ..faces.people import recluster

                result = recluster(catalog)
            else:  # pragma: no cover - argparse rejects unknown actions
                raise PeopleError(f"unknown action {action}")
        except (KeyError, ValueError) as exc:
            raise PeopleError(str(exc).strip("'\"")) from None
    ctx.emit(result, ", ".join(f"{k} {v}" for k, v in result.items()))
    return 0

"""photoorg people: people found in the photos, and the user's corrections.

    photoorg people [--json] [--all]        list people: id, name, faces (path, box)
    photoorg people --unassigned            faces in no person, grouped by likely person,
                                            with ranked "is this X?" suggestions; faces that
                                            match nobody closely are "unsure", each with its
                                            nearest people and "a new person" as first offer
    photoorg people suggest                 the same groups, numbered
    photoorg people suggest accept FACE [PERSON]    FACE is PERSON (default: its top offer, the
                                            best suggestion, or a new person when unsure)
    photoorg people suggest reject FACE PERSON      FACE is not PERSON (kept for good)
    photoorg people suggest accept-group N [--person P]   every face of group N is its suggested
                                            person (or P; a "new person?" group becomes a person)
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

from ..catalog import user_commands
from ..catalog.user_commands import perform
from ..errors import PhotoOrgError
from ..faces.people_queries import person_display_name
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
    p.add_argument("--unassigned", action="store_true",
                   help="faces in no person, grouped by likely person, with suggestions")
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
    a = actions.add_parser("suggest", help='review unknown faces: "is this X?" (list, accept, reject, accept-group)')
    a.add_argument("verb", nargs="?", default="list", choices=["list", "accept", "reject", "accept-group"])
    a.add_argument("ids", type=int, nargs="*", metavar="ID")
    a.add_argument("--person", type=int, default=None, help="accept-group: into this person")
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
    lines = [f"{p.id:>5}  {p.display_name:<24} {p.face_count:>4} face{'s' if p.face_count != 1 else ''} in "
             f"{p.photo_count} photo{'s' if p.photo_count != 1 else ''}"
             + ("  (owner?)" if p.owner == 1 else "") for p in people]
    ctx.emit(data, "\n".join(lines) or "no people yet: run 'photoorg analyze'")
    return 0


def _groups_json(catalog, groups) -> list[dict]:
    names = {p.id: p.display_name for p in catalog.people_list(include_unnamed_singletons=True)}
    out = []
    for n, g in enumerate(groups, 1):
        faces = []
        for fid in g.face_ids:
            ref = catalog.face(fid)
            faces.append({**(ref.to_json() if ref else {"id": fid}),
                          "suggestions": [{"person": s.person_id, "name": names.get(s.person_id),
                                           "similarity": round(s.similarity, 3), "distance": round(s.distance, 3)}
                                          for s in g.suggestions.get(fid, [])],
                          # What 'suggest accept FACE' (Y in the window) makes it.
                          "offer": ({"person": g.person_id, "name": names.get(g.person_id)} if g.person_id
                                    else {"person": None, "new_person": True})})
        out.append({"group": n, "person": g.person_id, "name": names.get(g.person_id) if g.person_id else None,
                    "kind": g.kind,
                    "faces": faces})
    return out


def _label(catalog, person_id) -> str:
    """The person an action names in the undo list, as the window names them."""
    if person_id is None:
        return "a new person"
    found = catalog.person(person_id)
    return found.display_name if found else person_display_name(person_id, None, 0)


def _who(s: dict) -> str:
    """A candidate as the user can name it back: 'Ann (person 3)', 'person 3'."""
    default = person_display_name(s["person"], None, 0)
    return f"person {s['person']}" if s["name"] in (None, default) else f"{s['name']} (person {s['person']})"


def _review_text(data: list[dict]) -> str:
    lines = []
    for g in data:
        head = {"is_this": f"is this {g['name']} (person {g['person']})?", "new_person": "a new person?",
                "unsure": "unsure: each a new person, or one of its nearest people?"}[g["kind"]]
        lines.append(f"group {g['group']}: {len(g['faces'])} face{'s' if len(g['faces']) != 1 else ''}, {head}")
        for f in g["faces"]:
            cands = ", ".join(_who(s) + f" {s['similarity']:.0%}" for s in f["suggestions"])
            if g["kind"] == "unsure":
                cands = "a new person?" + (f" or {cands}" if cands else " (no person near)")
            lines.append(f"   face {f['id']:>6}  {cands or 'no close person'}  {f.get('path') or ''}")
    return "\n".join(lines) or "no unassigned faces to review"


def _suggest(ctx: Context, catalog) -> int:
    from ..faces.suggest import face_suggestions, review_groups

    args = ctx.args
    verb = args.verb
    if verb == "list":
        data = _groups_json(catalog, review_groups(catalog))
        ctx.emit({"groups": data}, _review_text(data))
        return 0
    try:
        if verb == "accept":
            if len(args.ids) not in (1, 2):
                raise PeopleError("give the face, and optionally the person: people suggest accept FACE [PERSON]")
            face = args.ids[0]
            person = args.ids[1] if len(args.ids) == 2 else None
            new = False
            if person is None:
                sugg = face_suggestions(catalog)
                if face not in sugg:
                    raise PeopleError(f"face {face} is not waiting for review: name the person")
                if sugg[face]:
                    person = sugg[face][0].person_id
                else:  # unsure or in a "new person?" group: the top offer is a new person
                    new = True
            # Journalled as the window's Y is, so 'photoorg undo --action' takes it back.
            action, made = perform(catalog, user_commands.accept_faces([face], None if new else person,
                                                                       _label(catalog, None if new else person)))
            person = made if new else person
            result = {"face": face, "person": person, "accepted": True, "new_person": new, "action": action}
        elif verb == "reject":
            if len(args.ids) != 2:
                raise PeopleError("give the face and the person: people suggest reject FACE PERSON")
            action, _ = perform(catalog, user_commands.reject_suggestion(args.ids[0], args.ids[1],
                                                                         _label(catalog, args.ids[1])))
            result = {"face": args.ids[0], "person": args.ids[1], "rejected": True, "action": action}
        else:  # accept-group
            groups = review_groups(catalog)
            if len(args.ids) != 1 or not 1 <= args.ids[0] <= len(groups):
                raise PeopleError(f"give a group number from 1 to {len(groups)} ('people suggest' lists them)")
            g = groups[args.ids[0] - 1]
            person = args.person or g.person_id
            if person is None and g.unsure:
                raise PeopleError(f"group {args.ids[0]} holds unsure faces of different people: "
                                  "answer them one by one (people suggest accept FACE [PERSON])")
            action, made = perform(catalog, user_commands.accept_faces(g.face_ids, person, _label(catalog, person)))
            person = made if person is None else person
            result = {"group": args.ids[0], "person": person, "faces": g.face_ids, "action": action}
    except (KeyError, ValueError) as exc:
        raise PeopleError(str(exc).strip("'\"")) from None
    ctx.emit(result, ", ".join(f"{k} {v}" for k, v in result.items()))
    return 0


def _private(ctx: Context, catalog) -> int:
    value = ctx.args.private_value
    if value is not None:
        if not ctx.args.photos:
            raise PeopleError("name the photos (ids) to mark")
        perform(catalog, user_commands.set_private(ctx.args.photos, None if value == "auto" else value))
    items = catalog.private_photos()
    data = {"private": [{"photo_id": p.photo_id, "path": p.path, "reasons": list(p.reasons)} for p in items]}
    ctx.emit(data, "\n".join(f"{p.photo_id:>6}  {','.join(p.reasons):<28} {p.path}" for p in items)
             or "no private photos")
    return 0


def run(ctx: Context) -> int:
    action = ctx.args.people_action
    readonly = (action is None or (action == "private" and ctx.args.private_value is None)
                or (action == "suggest" and ctx.args.verb == "list"))
    with ctx.open(readonly=readonly) as catalog:
        if action is None and ctx.args.unassigned:
            from ..faces.suggest import review_groups

            data = _groups_json(catalog, review_groups(catalog))
            ctx.emit({"groups": data}, _review_text(data))
            return 0
        if action is None:
            return _listing(ctx, catalog)
        if action == "suggest":
            return _suggest(ctx, catalog)
        if action == "private":
            return _private(ctx, catalog)
        args = ctx.args
        try:
            if action == "name":
                perform(catalog, user_commands.name_person(args.person, args.name))
                result = {"person": args.person, "name": args.name or None}
            elif action == "merge":
                result = {"person": perform(catalog, user_commands.merge_people(args.person, args.others))[1],
                          "merged": args.others}
            elif action == "split":
                result = {"from": args.person,
                          "person": perform(catalog, user_commands.split_person(args.person, args.faces, args.name))[1]}
            elif action == "remove-face":
                face = catalog.face(args.face)
                if face is None:
                    raise KeyError(f"no face {args.face}")
                perform(catalog, user_commands.not_this_person(face.person_id, [args.face]))
                result = {"face": args.face, "removed_from": face.person_id}
            elif action == "move-face":
                perform(catalog, user_commands.move_face(args.face, args.person))
                result = {"face": args.face, "person": args.person}
            elif action == "confirm-owner":
                perform(catalog, user_commands.confirm_owner(args.person or None))
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

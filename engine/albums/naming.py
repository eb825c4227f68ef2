"""One way to name an album, for the command line and the window alike: its
id, its title as the album list shows it, its folder (path or name), or any
part of the title that only one album has. A name that fits several albums
is refused with the candidates listed, never resolved by guessing."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Optional

from ..errors import PhotoOrgError


class AlbumNotFound(PhotoOrgError):
    pass


class AmbiguousAlbum(PhotoOrgError):
    def __init__(self, ref: str, candidates: list) -> None:
        self.candidates = candidates
        titles = [shown_title(a) for a in candidates]
        # Two albums of one title are told apart by their first day.
        named = [t if titles.count(t) == 1 else f"{t} (from {_day(a)})" for t, a in zip(titles, candidates)]
        listing = "; ".join(f"{a.id}: {t}" for a, t in list(zip(candidates, named))[:12])
        more = f" and {len(candidates) - 12} more" if len(candidates) > 12 else ""
        super().__init__(f"“{ref}” names {len(candidates)} albums: {listing}{more}; "
                         "give the album id or more of its title")


def shown_title(album) -> str:
    """The title as the album list shows it."""
    return album.title or album.place or "Untitled"


def _day(album) -> str:
    return dt.datetime.fromtimestamp(album.start_ts).strftime("%d %b %Y") if album.start_ts else "no date"


def _norm(text: str) -> str:
    """Case, accents of punctuation and spacing do not count: 'Birthday – 2019' ~ 'birthday 2019'."""
    return " ".join(re.findall(r"\w+", (text or "").casefold()))


def _names(album, folders: dict[int, str]) -> list[str]:
    names = [album.title or "", album.place or "", shown_title(album), f"{shown_title(album)} ({_day(album)})"]
    folder = folders.get(album.folder_id) if album.folder_id is not None else None
    if folder:
        names += [folder, os.path.basename(folder.rstrip(os.sep))]
    return [n for n in names if n]


def _current_mode(catalog) -> Optional[str]:
    modes = catalog.album_modes()
    from .build import default_mode

    mode = default_mode(catalog)
    return mode if mode in modes else (modes[0] if modes else None)


def resolve_album(catalog, ref: str) -> int:
    """The id of the album ``ref`` names (see the module's doc), among the
    albums the window shows now (their mode), else among all."""
    ref = ref.strip()
    if ref.isdigit() and catalog.album(int(ref)) is not None:
        return int(ref)
    folders = catalog.folder_paths()
    mode = _current_mode(catalog)
    pools = [catalog.albums(mode)] if mode else []
    pools.append(catalog.albums())
    wanted = _norm(ref)
    full = os.path.abspath(os.path.expanduser(ref))
    for albums in pools:
        if not wanted:
            break
        exact = [a for a in albums if full in _names(a, folders) or any(_norm(n) == wanted for n in _names(a, folders))]
        if len(exact) == 1:
            return exact[0].id
        part = exact or [a for a in albums if any(f" {wanted} " in f" {_norm(n)} " for n in _names(a, folders))]
        if not part:
            part = [a for a in albums if any(wanted in _norm(n) for n in _names(a, folders))]
        if len(part) == 1:
            return part[0].id
        if len(part) > 1:
            raise AmbiguousAlbum(ref, part)
    raise AlbumNotFound(f"no album is named “{ref}”: give its id, its title or part of it, or its folder "
                        "('photoorg albums' lists them)")


# -- events as the titles name them ---------------------------------------------------
def named_event(album) -> Optional[str]:
    """The event an album is titled with: the user's label, or the model's
    when the title names it (``build.event_unnamed_reason``, the one rule for
    titles, keywords and the window); None for a guess."""
    if album.user_event:
        return album.user_event
    event = album.model_event or album.event
    if not event:
        return None
    from .build import event_unnamed_reason

    return None if event_unnamed_reason(album.event_scores.get(event), album.photo_count) else event


def event_albums(catalog) -> dict[str, list]:
    """event -> the albums titled with it, among the albums the window shows
    (one grouping mode: the same photos are not counted once per mode)."""
    mode = _current_mode(catalog)
    out: dict[str, list] = {}
    for album in catalog.albums(mode) if mode else []:
        event = named_event(album)
        if event:
            out.setdefault(event, []).append(album)
    return out


def event_display_name(event: str) -> str:
    """'CasualFamilyGather' -> 'Family gathering' (the names the window shows)."""
    from .teacher import event_display_name as display

    return display(event)


# A model's event below this probability is not offered as its "best guess"
# (a 1 % "Halloween" is no guess worth showing; 23 labels share 100 %).
GUESS_SHOWN = 0.25


def guess_text(why: str, name: str, p: Optional[float], prefix: str = "best guess ") -> str:
    """'no clear event (best guess Halloween 45%)'; a guess below
    ``GUESS_SHOWN`` is left out: 'no clear event'."""
    if p is None or p < GUESS_SHOWN:
        return why
    return f"{why} ({prefix}{name} {p:.0%})"

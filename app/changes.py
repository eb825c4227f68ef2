"""What can change in a library, as one typed definition the window listens to.

Every action and every job says which kinds of things it changed
(``session.notify(Change.PHOTOS | Change.SERIES)``); each view says which
kinds it shows (``LazyView.watches``) and reloads only for those. Kinds are
flags, so one notice can carry several (a clean-up changes photos, series,
folders' counts and the curation history at once).
"""

from __future__ import annotations

import enum


class Change(enum.Flag):
    PHOTOS = enum.auto()      # rows added, removed or re-read (scan, clean-up, folder removal)
    FLAGS = enum.auto()       # picks, rejects, stars
    SERIES = enum.auto()      # series and their picks
    PEOPLE = enum.auto()      # faces, people, names, the owner
    ALBUMS = enum.auto()      # albums, titles, events
    PRIVACY = enum.auto()     # privacy findings and the user's overrides
    CURATION = enum.auto()    # files moved to the trash or put back
    ANALYSIS = enum.auto()    # an analysis run finished: every derived value may be new
    PROGRESS = enum.auto()    # analysis or a scan is writing now (throttled; views refresh live)
    FOLDERS = enum.auto()     # library folders and their counts
    PREFS = enum.auto()       # the user's settings

    @classmethod
    def none(cls) -> "Change":
        return cls(0)


# What a whole analysis run may have changed.
ANALYSED = (Change.ANALYSIS | Change.PHOTOS | Change.SERIES | Change.PEOPLE | Change.ALBUMS | Change.PRIVACY
            | Change.FLAGS)
# A clean-up or its undo: files left or came back, so counts and series change too.
CLEANED = Change.CURATION | Change.PHOTOS | Change.SERIES | Change.FOLDERS | Change.ALBUMS

# The words other branches may still emit on ``Session.library_changed(str)``
# (kept as a thin bridge so that older code keeps refreshing the right views).
LEGACY = {
    "scan": Change.PHOTOS | Change.FOLDERS,
    "analysis": ANALYSED,
    "analysis-live": Change.PROGRESS,
    "series": Change.SERIES,
    "curation": CLEANED,
    "people": Change.PEOPLE,
    "albums": Change.ALBUMS,
    "privacy": Change.PRIVACY,
    "prefs": Change.PREFS,
    "flags": Change.FLAGS,
    "folders": Change.FOLDERS | Change.PHOTOS,
}


def from_word(word: str) -> Change:
    """The kinds an old-style word stands for (an unknown word: everything,
    so that a view never stays stale because of a spelling)."""
    return LEGACY.get(word, ~Change.none())

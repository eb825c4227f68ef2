"""What kind of problem made a scan skip a file or folder: one stable word.

The reason a person reads ("file is truncated: ...") may carry a decoder's
own text, which changes between library versions; the kind is the product's
classification and does not. Both the skips found now and those remembered
in the catalog (stored as reason text) are classified from the reason's
opening words, which are the product's own (engine/imaging/decode.py,
engine/scan/extract.py, engine/scan/walker.py, engine/scan/scanner.py).
"""

from __future__ import annotations

# (opening words of a reason, kind); the first match wins, so a longer
# opening must come before a shorter one it starts with.
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("empty file", "empty"),
    ("file is truncated", "truncated"),
    ("not a readable image", "unreadable"),
    ("corrupted image header", "corrupted"),
    ("image data is corrupted", "corrupted"),
    ("the image decoder crashed", "corrupted"),
    ("image is ", "too-large"),  # "image is N megapixels ..., above the M MP safety limit"
    ("image declares", "too-large"),  # pixel-density bomb guard (engine/imaging/decode.py)
    ("jpeg xl data is corrupted", "corrupted"),
    ("a link to a", "outside-library"),  # links whose target is outside the roots (walker)
    ("the sidecar is", "too-large"),  # safe_io: a sidecar above its size limit
    ("the sidecar grew", "too-large"),
    ("a named pipe (fifo)", "not-a-file"),  # safe_io: special files are never opened
    ("a device", "not-a-file"),
    ("a socket", "not-a-file"),
    ("a folder, not a file", "not-a-file"),
    ("not a regular file", "not-a-file"),
    ("raw file is truncated or not supported", "raw-unsupported"),
    ("permission denied", "permission-denied"),
    ("read error", "read-error"),
    ("cannot be opened", "read-error"),
    ("cannot be read", "read-error"),
    ("folder cannot be", "read-error"),
    ("not enough memory", "out-of-memory"),
    ("file kept changing", "changing"),
    ("file disappeared", "gone"),
    ("folder not found", "not-found"),
    ("not a folder", "not-a-folder"),
    ("not a file", "not-a-file"),
    ("cannot be stored in the catalog", "catalog-error"),
    ("unexpected error", "unexpected"),
    # videos (engine/video/probe.py, frames.py, reader.py)
    ("not a readable video", "unreadable"),
    ("no video stream", "no-video"),
    ("reading took longer", "timed-out"),
    ("reading stopped at the time limit", "timed-out"),
    ("the video decoder crashed", "corrupted"),
    ("no frame could be decoded", "corrupted"),
    ("the container declares", "corrupted"),
    ("no picture could be decoded", "corrupted"),
    ("truncated: the pictures stop", "truncated"),
)

# Every kind a reason can have; "other" is a reason this table does not know
# yet (a new one should be added above).
KINDS = tuple(dict.fromkeys(kind for _, kind in _PREFIXES)) + ("other",)


def kind_of(reason: str) -> str:
    """The kind of a skip reason, e.g. "truncated" for "file is truncated: ..."."""
    text = reason.strip().lower()
    for prefix, kind in _PREFIXES:
        if text.startswith(prefix):
            return kind
    return "other"

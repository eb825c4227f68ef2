"""An album's context from the catalog's stored inputs: the words read in
its photos, its real capture times, its faces, its photos' kinds of place
(evidence.AlbumContext). Pure: the caller reads the catalog once for all
albums."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Optional, Sequence

from .evidence import AlbumContext
from .titles import has_real_date


def _local_time(photo) -> Optional[datetime]:
    try:
        return datetime.fromisoformat(photo.capture_time[:19])
    except (TypeError, ValueError):
        return None


def album_context(members: Sequence, places: dict, words: dict[str, str],
                  faces: Optional[dict[str, int]]) -> AlbumContext:
    """``members``: catalog photos; ``places``: photo id -> PhotoPlace;
    ``words``: content hash -> recognized lines; ``faces``: content hash ->
    face count for the contents the faces stage did (None: it did none)."""
    texts = [words[p.content_hash].split("\n") for p in members if words.get(p.content_hash)]
    times = [t for t in (_local_time(p) for p in members if has_real_date(p)) if t is not None]
    counts = [faces[p.content_hash] for p in members if faces and p.content_hash in faces]
    kinds = [places[p.id].kind for p in members if p.id in places and places[p.id].kind]
    return AlbumContext(texts=texts, times=times, faces=counts or None, kinds=kinds, photos=len(members))


def context_signature(ctx: AlbumContext, combiner_version: str) -> str:
    """Changes when anything the evidence reads changes (new words, faces
    found, places named, the combination retrained)."""
    h = hashlib.sha1(combiner_version.encode())
    h.update(repr((ctx.texts, [t.isoformat() for t in ctx.times], ctx.faces, ctx.kinds)).encode())
    return h.hexdigest()[:16]

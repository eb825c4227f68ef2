"""Counts in words the way a person writes them: "1 photo", "2 photos",
"1 person", "12,345 photos" (the window and the command line both use it)."""

from __future__ import annotations

IRREGULAR = {"person": "people", "series": "series", "copy": "copies"}


def count(n: int, word: str, many: str | None = None) -> str:
    many = many or IRREGULAR.get(word) or word + "s"
    return f"{n:,} {word if n == 1 else many}"

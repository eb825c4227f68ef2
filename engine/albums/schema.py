"""Catalog migrations of the albums domain (numbered by position; never edit a
released migration, append a new one)."""

MIGRATIONS: list[str] = []

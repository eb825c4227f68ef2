"""The 1000 ImageNet-1k classes, the backbone's "concepts", as label lists.

The files in ``resources/imagenet/`` come from the timm wheel (Apache-2.0),
``timm/data/_info/``, filtered to the 1000 ImageNet-1k synsets in class-index
order (see resources/imagenet/README.md). timm is not a runtime dependency.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


def _lines(name: str) -> list[str]:
    text = (resources.files("photoorg.resources") / "imagenet" / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


@lru_cache(maxsize=1)
def imagenet_synsets() -> list[str]:
    """WordNet ids (``n01440764``...) in the backbone's class order."""
    return _lines("imagenet_synsets.txt")


def _by_synset(name: str) -> list[str]:
    table = dict(line.split("\t", 1) for line in _lines(name))
    return [table[s] for s in imagenet_synsets()]


@lru_cache(maxsize=1)
def imagenet_lemmas() -> list[str]:
    """All names of each class, comma-separated ("tench, Tinca tinca")."""
    return _by_synset("imagenet_synset_to_lemma.txt")


@lru_cache(maxsize=1)
def imagenet_labels() -> list[str]:
    """A short display name per class (its first lemma: "tench")."""
    return [lemma.split(",")[0].strip() for lemma in imagenet_lemmas()]


@lru_cache(maxsize=1)
def imagenet_definitions() -> list[str]:
    """The WordNet gloss of each class."""
    return _by_synset("imagenet_synset_to_definition.txt")

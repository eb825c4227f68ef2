"""Pair labels in the Phototriage format (Chang et al., "Automatic triage for
a photo series", SIGGRAPH 2016), for users who have that dataset.

Layout: a folder with ``train_pairlist.txt`` / ``val_pairlist.txt`` /
``test_pairlist.txt`` and the images (``train_val_imgs/``, ``test_imgs/`` or
beside the lists) named ``SSSSSS-II.JPG`` (series, photo index). Each list
line is ``SERIES I J SHARE [RANK_I RANK_J]`` where SHARE is the fraction of
voters who preferred photo I over photo J; a line of five integers
``SERIES I J VOTES_I VOTES_J`` (vote counts) is read too. Ties (SHARE 0.5)
carry no preference and are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import PhotoOrgError

IMAGE_DIRS = ("train_val_imgs", "test_imgs", "imgs", "images", ".")


@dataclass(frozen=True)
class LabelledPair:
    series: str
    preferred: Path
    other: Path
    confidence: float  # share of voters who agree, 0.5..1


def _find_image(root: Path, series: int, index: int) -> Optional[Path]:
    names = [f"{series:06d}-{index:02d}.JPG", f"{series:06d}-{index:02d}.jpg"]
    for folder in IMAGE_DIRS:
        for base in (root, root / "train_val", root / "test"):
            for name in names:
                p = base / folder / name
                if p.exists():
                    return p
    return None


def parse_line(line: str) -> Optional[tuple[int, int, int, float]]:
    """(series, i, j, share preferring i) or None for blank/comment lines."""
    parts = line.split()
    if not parts or parts[0].startswith("#"):
        return None
    if len(parts) < 4:
        raise ValueError(f"expected 'SERIES I J SHARE [RANK_I RANK_J]', got {line.strip()!r}")
    series, i, j = int(parts[0]), int(float(parts[1])), int(float(parts[2]))
    if len(parts) == 5 and all(p.isdigit() for p in parts[3:]):
        vi, vj = int(parts[3]), int(parts[4])
        share = vi / (vi + vj) if vi + vj else 0.5
    else:
        share = float(parts[3])
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"preference share must be within 0..1: {line.strip()!r}")
    return series, i, j, share


def load_pairs(root: Path, split: str = "train") -> list[LabelledPair]:
    root = Path(root)
    candidates = [root / f"{split}_pairlist.txt", root / "train_val" / f"{split}_pairlist.txt",
                  root / "test" / f"{split}_pairlist.txt"]
    lists = [p for p in candidates if p.exists()]
    if not lists:
        raise PhotoOrgError(f"no {split}_pairlist.txt in {root} (expected the Phototriage layout)")
    out, missing = [], 0
    for n, line in enumerate(lists[0].read_text().splitlines(), 1):
        try:
            parsed = parse_line(line)
        except ValueError as exc:
            raise PhotoOrgError(f"{lists[0]} line {n}: {exc}") from None
        if parsed is None:
            continue
        series, i, j, share = parsed
        if share == 0.5:
            continue
        a, b = _find_image(root, series, i), _find_image(root, series, j)
        if a is None or b is None:
            missing += 1
            continue
        if share > 0.5:
            out.append(LabelledPair(str(series), a, b, share))
        else:
            out.append(LabelledPair(str(series), b, a, 1.0 - share))
    if not out:
        raise PhotoOrgError(f"{lists[0]}: no usable pairs ({missing} pairs name images that are not there)")
    return out

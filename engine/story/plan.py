"""The story plan: which photos, in which order, for how long.

A ``StoryPlan`` is plain data (JSON round-trip, no catalog or Qt inside), so
the window can show it, let the user add, remove and reorder photos, and then
hand it to ``render_video`` or ``render_html`` unchanged.

Timeline: the title card and every photo are *slides*. Consecutive slides
overlap by ``transition_s`` (the cross-fade); slide ``i`` starts at the sum of
the previous slides' strides (duration minus the overlap).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Optional

Box = tuple[float, float, float, float]  # x0, y0, x1, y1, fractions of the upright image

# Per-photo time on screen when nothing else decides it, and the range a
# target length may stretch or shrink it to.
DEFAULT_PHOTO_S = 4.0
MIN_PHOTO_S = 2.5
MAX_PHOTO_S = 7.0
DEFAULT_TRANSITION_S = 1.0
DEFAULT_TITLE_S = 3.5


@dataclass
class StorySlide:
    """One photo of the story, with what the renderers need to frame it."""

    path: str
    photo_id: Optional[int] = None
    content_hash: str = ""
    capture_ts: Optional[float] = None
    capture_time: Optional[str] = None
    width: Optional[int] = None  # upright pixel size from the catalog
    height: Optional[int] = None
    score: float = 0.0  # the selection score (importance with variety bonuses)
    importance: Optional[float] = None  # the albums model's importance, when known
    reason: str = ""  # why the selection chose it, for the window's tooltip
    faces: list[Box] = field(default_factory=list)  # face boxes (keep in frame)
    focus: Optional[Box] = None  # the region to keep in frame when there are no faces
    duration_s: Optional[float] = None  # None: the plan's seconds_per_photo
    # A video highlight (engine/story/clips.py): the clip's video and span; it
    # plays for its own length, which retiming leaves alone.
    video_id: Optional[int] = None
    clip_start: Optional[float] = None
    clip_end: Optional[float] = None

    @property
    def is_clip(self) -> bool:
        return self.video_id is not None and self.clip_start is not None

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "StorySlide":
        known = {f.name for f in dataclasses.fields(cls)}
        clean = {k: v for k, v in data.items() if k in known}
        clean["faces"] = [tuple(b) for b in clean.get("faces") or []]
        if clean.get("focus") is not None:
            clean["focus"] = tuple(clean["focus"])
        return cls(**clean)


@dataclass
class StoryPlan:
    title: str
    dates: str = ""  # "3 - 5 May 2019", shown under the title
    place: str = ""
    album_id: Optional[int] = None
    slides: list[StorySlide] = field(default_factory=list)
    # Good photos left out (best first): what the window offers to add.
    alternates: list[StorySlide] = field(default_factory=list)
    seconds_per_photo: float = DEFAULT_PHOTO_S
    transition_s: float = DEFAULT_TRANSITION_S
    title_s: float = DEFAULT_TITLE_S  # 0 = no title card
    # What the selection left out and why: {"private": 3, "series": 12, ...}
    excluded: dict[str, int] = field(default_factory=dict)

    # -- timeline ------------------------------------------------------------
    def slide_durations(self) -> list[float]:
        """Durations of the title card (when shown) and of every photo slide."""
        out = [self.title_s] if self.title_s > 0 else []
        out += [s.duration_s or self.seconds_per_photo for s in self.slides]
        return out

    @property
    def duration_s(self) -> float:
        durations = self.slide_durations()
        if not durations:
            return 0.0
        return sum(durations) - self.transition_s * (len(durations) - 1)

    def fit_to_seconds(self, seconds: float) -> None:
        """Retime the photo slides so the story lasts ``seconds`` (within the
        per-photo limits: a 3-photo album does not become a 90 s video)."""
        clips = [s for s in self.slides if s.is_clip]
        n = len(self.slides) - len(clips)
        if n == 0:
            return
        title = self.title_s - self.transition_s if self.title_s > 0 else 0.0
        seconds -= sum((s.duration_s or 0.0) - self.transition_s for s in clips)  # clips keep their length
        # total = title_stride + n * (d - t) + t
        per = (seconds - title - self.transition_s) / n + self.transition_s
        self.seconds_per_photo = round(min(MAX_PHOTO_S, max(MIN_PHOTO_S, per)), 3)
        for s in self.slides:
            if not s.is_clip:
                s.duration_s = None

    # -- editing (the window's add / remove / reorder) --------------------------
    def index_of(self, photo_id: int) -> int:
        for i, s in enumerate(self.slides):
            if s.photo_id == photo_id:
                return i
        raise KeyError(f"photo {photo_id} is not in the story")

    def remove(self, photo_id: int) -> StorySlide:
        """Take a photo out; it goes back to the top of the alternates."""
        slide = self.slides.pop(self.index_of(photo_id))
        self.alternates.insert(0, slide)
        return slide

    def add(self, slide: StorySlide, index: Optional[int] = None) -> None:
        """Put a photo in at ``index``, or at its place in capture order."""
        self.alternates = [a for a in self.alternates if a.photo_id != slide.photo_id or slide.photo_id is None]
        if index is None:
            key = slide.capture_ts if slide.capture_ts is not None else float("inf")
            index = next((i for i, s in enumerate(self.slides)
                          if (s.capture_ts if s.capture_ts is not None else float("inf")) > key), len(self.slides))
        self.slides.insert(index, slide)

    def add_alternate(self, photo_id: int, index: Optional[int] = None) -> StorySlide:
        for a in self.alternates:
            if a.photo_id == photo_id:
                self.add(a, index)
                return a
        raise KeyError(f"photo {photo_id} is not among the alternates")

    def move(self, photo_id: int, index: int) -> None:
        slide = self.slides.pop(self.index_of(photo_id))
        self.slides.insert(max(0, min(index, len(self.slides))), slide)

    def sort_by_time(self) -> None:
        self.slides.sort(key=lambda s: (s.capture_ts is None, s.capture_ts or 0.0, s.path))

    # -- serialisation -------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["duration_s"] = round(self.duration_s, 3)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "StoryPlan":
        known = {f.name for f in dataclasses.fields(cls)}
        clean = {k: v for k, v in data.items() if k in known}
        clean["slides"] = [StorySlide.from_json(s) for s in clean.get("slides", [])]
        clean["alternates"] = [StorySlide.from_json(s) for s in clean.get("alternates", [])]
        return cls(**clean)

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False)

    @classmethod
    def loads(cls, text: str) -> "StoryPlan":
        return cls.from_json(json.loads(text))

"""The story editor: the photos the selection chose for an album's story, in
order, each with why it was chosen; remove one, add one of the good photos
left out, reorder (drag, or the move buttons), set the length, pick music,
bring in the private photos it left out; then export a video or a web
slideshow with progress and cancel (here and in the status strip).

The plan (``engine.story.StoryPlan``) is edited here on the GUI thread (plain
data, cheap); choosing and rendering run on the "story" lane
(``story_actions``) and never block the window.
"""

from __future__ import annotations

from photoorg.engine.wording import count
import os
from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFileDialog, QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy,
    QSpinBox, QVBoxLayout, QWidget,
)

from photoorg.engine.story import StoryPlan, VideoOptions

from .. import story_actions
from ..qtutil import slot
from ..session import Session, format_duration, progress_text
from ..theme import icon
from .story_strip import ID_ROLE, StoryStrip, slide_tooltip, taken_caption

# How the panel words the engine's progress stages: (doing, unit)
STAGE_WORDS = {"story video": ("Rendering the video", "frames"), "story html": ("Writing the slideshow", "photos"),
               "story selection": ("Choosing the photos", "photos looked at")}

EXCLUDED_NAMES = {"private": "private", "series": "other shots of a series", "rejected": "rejected",
                  "duplicates": "identical copies"}


def excluded_text(excluded: dict) -> str:
    parts = [f"{n} {EXCLUDED_NAMES.get(k, k)}" for k, n in excluded.items() if n]
    return ("Kept out by the rules: " + ", ".join(parts)) if parts else "Kept out by the rules: none"


class ElidedLabel(QLabel):
    """One line that gives way to the layout: cut with "…", whole in the tooltip."""

    def __init__(self, text: str = "", parent=None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.full = ""
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming
        self.full = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        super().setText(self.fontMetrics().elidedText(self.full, Qt.TextElideMode.ElideRight, max(10, self.width())))


class StoryPanel(QWidget):
    closed = Signal()
    photo_selected = Signal(int)

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.album_id: Optional[int] = None
        self.album_title = ""
        self.target_s: Optional[float] = None  # the length asked for (the spin box shows it rounded)
        self.plan: Optional[StoryPlan] = None
        self.private_ids: frozenset = frozenset()
        self.include_private = session.settings.prefs.allow_private_in_exports
        self.music: Optional[str] = None
        self.music_s: Optional[float] = None
        self.video_options: Optional[VideoOptions] = None  # None: the chosen format's size, 30 fps
        self.select_task = None
        self.render_task = None
        self.last_result = None

        header = QFrame()
        header.setObjectName("ViewHeader")
        self.title = QLabel("Story")
        self.title.setObjectName("ViewTitle")
        self.summary = QLabel("")
        self.summary.setObjectName("Hint")
        self.back = QPushButton("Back to the album")
        top = QHBoxLayout(header)
        top.setContentsMargins(10, 6, 10, 6)
        top.addWidget(self.title)
        top.addWidget(self.summary)
        top.addStretch(1)
        top.addWidget(self.back)

        self.length = QSpinBox()
        self.length.setRange(5, 900)
        self.length.setSuffix(" s")
        self.length.setToolTip("How long the story lasts: the photos' time on screen is stretched or shortened "
                               "(2.5 to 7 s each)")
        self.again = QPushButton("Choose again")
        self.again.setToolTip("Let the selection choose photos for this length again (your edits are replaced)")
        self.private = QCheckBox("Include private photos")
        self.private.setChecked(self.include_private)
        self.private.setToolTip("Private photos (documents, screenshots, portraits, close people) stay out of "
                                "stories unless you include them; changing this chooses the photos again")
        self.music_button = QPushButton("Music…")
        self.music_button.setToolTip("A music file (MP3, M4A, OGG, WAV); the video ends with it")
        self.music_label = QLabel("no music")
        self.music_label.setObjectName("Hint")
        self.music_clear = QPushButton("×")
        self.music_clear.setToolTip("No music")
        self.music_clear.setFixedWidth(28)
        self.format = QComboBox()
        self.format.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.format.setMinimumContentsLength(20)
        for key, (label, _fmt, _size) in story_actions.FORMATS.items():
            self.format.addItem(label, key)
        self.export_button = QPushButton(icon("export"), "Export…")
        self.export_button.setObjectName("Primary")
        self.card = ElidedLabel("")
        self.card.setObjectName("Hint")
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Length"))
        controls.addWidget(self.length)
        controls.addWidget(self.again)
        controls.addSpacing(12)
        controls.addWidget(self.private)
        controls.addStretch(1)
        # The way out, at the bottom right: music, format, export.
        output = QHBoxLayout()
        output.addWidget(self.music_button)
        output.addWidget(self.music_label)
        output.addWidget(self.music_clear)
        output.addStretch(1)
        output.addWidget(QLabel("Export as"))
        output.addWidget(self.format)
        output.addWidget(self.export_button)

        # What runs now (choosing or rendering), with its own cancel button.
        self.busy = QFrame()
        self.busy.setObjectName("ProgressPanel")
        self.busy_label = ElidedLabel("")
        self.busy_bar = QProgressBar()
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedWidth(160)
        self.cancel_button = QPushButton("Cancel")
        busy_row = QHBoxLayout(self.busy)
        busy_row.setContentsMargins(10, 4, 10, 4)
        busy_row.addWidget(self.busy_label, 1)
        busy_row.addWidget(self.busy_bar)
        busy_row.addWidget(self.cancel_button)
        self.busy.hide()
        self.outcome = QLabel("")
        self.outcome.setObjectName("Why")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.outcome.hide()

        self.slides = StoryStrip(session.thumbs, movable=True)
        self.alternates = StoryStrip(session.thumbs, movable=False)
        self.alternates.setWrapping(False)  # one row, scrolled sideways: the story's strip keeps the room
        self.alternates.setFixedHeight(172)
        self.slides_head = QLabel("IN THE STORY")
        self.slides_head.setObjectName("InspectorSection")
        slides_hint = QLabel("in this order · drag to reorder · hover a photo for why it was chosen")
        slides_hint.setObjectName("Hint")
        self.left = QPushButton("◀ Earlier")
        self.right = QPushButton("Later ▶")
        self.remove = QPushButton("Remove from the story")
        self.remove.setToolTip("Take the selected photo out (Delete); it goes back to the photos left out")
        self.timing = QLabel("")
        self.timing.setObjectName("Hint")
        edit_row = QHBoxLayout()
        for w in (self.left, self.right, self.remove):
            edit_row.addWidget(w)
        edit_row.addStretch(1)
        edit_row.addWidget(self.timing)
        alt_head = QLabel("LEFT OUT")
        alt_head.setObjectName("InspectorSection")
        self.alt_hint = QLabel("good photos the story has no room for, best first · double-click to add")
        self.alt_hint.setObjectName("Hint")
        self.add = QPushButton("Add to the story")
        self.add.setToolTip("Put the selected photo in, at its place in time")
        self.excluded = QLabel("")
        self.excluded.setObjectName("Hint")
        alt_row = QHBoxLayout()
        alt_row.addWidget(self.add)
        alt_row.addStretch(1)
        alt_row.addWidget(self.excluded)

        body = QVBoxLayout()
        body.setContentsMargins(10, 8, 10, 8)
        body.setSpacing(4)
        body.addLayout(controls)
        body.addWidget(self.card)
        body.addWidget(self.busy)
        body.addWidget(self.outcome)
        for head, hint in ((self.slides_head, slides_hint),):
            row = QHBoxLayout()
            row.addWidget(head)
            row.addWidget(hint, 1)
            body.addLayout(row)
        body.addWidget(self.slides, 3)
        body.addLayout(edit_row)
        row = QHBoxLayout()
        row.addWidget(alt_head)
        row.addWidget(self.alt_hint, 1)
        body.addLayout(row)
        body.addWidget(self.alternates)
        body.addLayout(alt_row)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #333333;")
        body.addWidget(line)
        body.addLayout(output)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addLayout(body, 1)

        self.back.clicked.connect(slot(self.closed.emit))
        self.again.clicked.connect(slot(self.choose_again))
        self.length.valueChanged.connect(self.set_length)
        self.private.toggled.connect(self.set_include_private)
        self.music_button.clicked.connect(slot(self.choose_music))
        self.music_clear.clicked.connect(slot(self.set_music, None))
        self.export_button.clicked.connect(slot(self.export))
        self.cancel_button.clicked.connect(slot(self.cancel))
        self.left.clicked.connect(slot(self.move_selected, -1))
        self.right.clicked.connect(slot(self.move_selected, 1))
        self.remove.clicked.connect(slot(self.remove_selected))
        self.add.clicked.connect(slot(self.add_selected_alternate))
        self.slides.order_changed.connect(self.reorder)
        self.slides.currentItemChanged.connect(lambda cur, _p: self._picked(cur))
        self.alternates.currentItemChanged.connect(lambda cur, _p: self._picked(cur))
        self.alternates.itemDoubleClicked.connect(lambda item: self.add_alternate(item.data(ID_ROLE)))
        delete = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.slides)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(slot(self.remove_selected))
        self._update()

    # -- choosing ------------------------------------------------------------------------
    def open_album(self, album_id: int, title: str, *, seconds: Optional[float] = None,
                   count: Optional[int] = None) -> None:
        """Start on an album's story: the selection runs in the background."""
        if album_id != self.album_id:
            self.plan = None
            self.last_result = None
            self.outcome.hide()
        self.album_id = album_id
        self.title.setText("Story")
        self.album_title = title
        if self.plan is None:
            self._select(seconds=seconds, count=count)
        self._update()

    def choose_again(self) -> None:
        self._select(seconds=self.target_s)

    def set_include_private(self, on: bool) -> None:
        if on == self.include_private:
            return
        self.include_private = on
        plan = self.plan
        if plan is not None:
            held = {s.photo_id for s in plan.slides + plan.alternates} & self.private_ids
            if (on and not plan.excluded.get("private")) or (not on and not held):
                self._update()  # no private photo concerned: the plan (and the user's edits) stay
                return
        # The same length: the private photos compete for its places (and
        # the ones without room are offered among the photos left out).
        self._select(seconds=self.target_s if plan is not None else None)

    def _select(self, *, seconds: Optional[float] = None, count: Optional[int] = None) -> None:
        if self.album_id is None:
            return
        if self.select_task is not None and not self.select_task.finished:
            self.select_task.cancel()
        album_id = self.album_id
        task = story_actions.start_selection(
            self.session, album_id, seconds=seconds, count=count, include_private=self.include_private,
            on_done=lambda sel: self._selected(album_id, sel), on_error=self._select_failed,
            on_cancelled=self._update, on_progress=self._progress)
        self.select_task = task
        self._busy("Choosing the photos…", task)

    def _selected(self, album_id: int, selection) -> None:
        if album_id != self.album_id:
            return
        self.outcome.hide()
        self.plan = selection.plan
        self.private_ids = selection.private_ids
        self.target_s = self.plan.duration_s
        self.length.blockSignals(True)
        self.length.setValue(round(self.plan.duration_s))
        self.length.blockSignals(False)
        self.refresh()

    def _select_failed(self, message: str) -> None:
        """Shown here (not in the window's banner): the panel says what to do."""
        self.plan = None
        self.refresh()
        hint = ("" if self.include_private or "private" not in message
                else "\nTick “Include private photos” to tell the story with them.")
        self.outcome.setText(f"No story: {message}.{hint}")
        self.outcome.show()

    # -- editing ---------------------------------------------------------------------------
    def remove_selected(self) -> None:
        pid = self.slides.selected_id()
        if pid is not None:
            self.remove_slide(pid)

    def remove_slide(self, photo_id: int) -> None:
        if self.plan is None:
            return
        row = self.plan.index_of(photo_id)
        self.plan.remove(photo_id)
        self._refit()
        following = self.plan.slides[min(row, len(self.plan.slides) - 1)].photo_id if self.plan.slides else None
        self.refresh(keep=following)

    def add_selected_alternate(self) -> None:
        pid = self.alternates.selected_id()
        if pid is not None:
            self.add_alternate(pid)

    def add_alternate(self, photo_id: int) -> None:
        if self.plan is None:
            return
        self.plan.add_alternate(photo_id)
        self._refit()
        self.refresh(keep=photo_id)

    def move_selected(self, delta: int) -> None:
        pid = self.slides.selected_id()
        if pid is None or self.plan is None:
            return
        self.plan.move(pid, self.plan.index_of(pid) + delta)
        self.refresh(keep=pid)

    def reorder(self, ids: list) -> None:
        """The strip was reordered by dragging: the plan follows."""
        if self.plan is None:
            return
        for i, pid in enumerate(ids):
            self.plan.move(pid, i)
        self.refresh(keep=self.slides.selected_id())

    def set_length(self, seconds: int) -> None:
        self.target_s = float(seconds)
        if self.plan is not None:
            self.plan.fit_to_seconds(self.target_s)
            self.refresh(keep=self.slides.selected_id())

    def _refit(self) -> None:
        if self.plan is not None and self.plan.slides and self.target_s:
            self.plan.fit_to_seconds(self.target_s)

    # -- music -----------------------------------------------------------------------------
    def choose_music(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Music for the story", os.path.expanduser("~"),
                                              "Audio (*.mp3 *.m4a *.aac *.ogg *.oga *.opus *.wav *.flac);;All files (*)")
        if path:
            self.set_music(path)

    def set_music(self, path: Optional[str]) -> None:
        self.music, self.music_s = path, None
        if path is None:
            self._update()
            return
        self.music_label.setText(f"{os.path.basename(path)} (reading…)")

        def done(seconds: float) -> None:
            if self.music == path:
                self.music_s = seconds
                self._update()

        def failed(message: str) -> None:
            if self.music == path:
                self.music = None
                self.session.error.emit(message)
                self._update()

        story_actions.probe_music(self.session, path, done, failed)

    # -- export ----------------------------------------------------------------------------
    def format_key(self) -> str:
        return self.format.currentData()

    def export(self) -> None:
        """Ask where, then render (a file dialog only while nothing runs here)."""
        if self.plan is None or not self.plan.slides:
            return
        _label, fmt, _size = story_actions.FORMATS[self.format_key()]
        name = (self.plan.title or "story").replace(os.sep, "-")
        start = os.path.join(os.path.expanduser("~"), name + (".mp4" if fmt == "mp4" else " slideshow"))
        if fmt == "mp4":
            path, _ = QFileDialog.getSaveFileName(self, "Export the story video", start, "Video (*.mp4)")
        else:
            path, _ = QFileDialog.getSaveFileName(self, "Export the web slideshow (a folder)", start,
                                                  "Folder (*)")
        if path:
            self.render(path)

    def render(self, out: str, format_key: Optional[str] = None):
        """Render the plan as it is now to ``out``; returns the task."""
        if self.plan is None or not self.plan.slides or self.rendering():
            return None
        key = format_key or self.format_key()
        _label, fmt, size = story_actions.FORMATS[key]
        out = story_actions.output_path(out, fmt)
        options = self.video_options or (VideoOptions(width=size[0], height=size[1]) if size else None)
        self.outcome.hide()
        task = story_actions.start_render(
            self.session, self.plan, out, fmt, music=self.music, options=options,
            on_done=self._rendered, on_error=lambda _m: self._update(),
            on_cancelled=self._render_cancelled, on_progress=self._progress)
        self.render_task = task
        self._busy("Rendering the video…" if fmt == "mp4" else "Writing the web slideshow…", task)
        return task

    def rendering(self) -> bool:
        return self.render_task is not None and not self.render_task.finished

    def _rendered(self, result) -> None:
        self.last_result = result
        lines = [f"Saved {result.path}: {count(result.slides, 'photo')}, {result.duration_s:.0f} s "
                 f"({'video' if result.format == 'mp4' else 'web slideshow'}), made in "
                 f"{format_duration(result.elapsed_s)}."]
        lines += [f"Left out {os.path.basename(k['path'])}: {k['reason']}" for k in result.skipped[:5]]
        if result.dropped:
            lines.append(f"{count(len(result.dropped), 'photo')} {'was' if len(result.dropped) == 1 else 'were'} cut so that the video ends with the music.")
        self.outcome.setText("\n".join(lines))
        self.outcome.show()
        self._update()

    def _render_cancelled(self) -> None:
        self.outcome.setText("Export cancelled: nothing was written.")
        self.outcome.show()
        self._update()

    def cancel(self) -> None:
        for task in (self.select_task, self.render_task):
            if task is not None and not task.finished:
                task.cancel()
        self.busy_label.setText("Cancelling…")

    # -- showing ---------------------------------------------------------------------------
    def _busy(self, text: str, task) -> None:
        self.busy_label.setText(text)
        self.busy_bar.setRange(0, 0)
        self.busy.show()
        self._update()

    def _progress(self, p) -> None:
        running = [t for t in (self.select_task, self.render_task) if t is not None and t.state == "running"]
        if not running:
            return
        doing, unit = STAGE_WORDS.get(p.stage, ("", ""))
        if unit and p.total:
            text = f"{doing}: {p.done:,} of {p.total:,} {unit}"
            if p.eta_s is not None and p.done < p.total:
                text += f" · about {format_duration(p.eta_s)} left"
        else:
            text = f"{running[0].name}: {progress_text(p)}"
        self.busy_label.setText(text)
        if p.total:
            self.busy_bar.setRange(0, p.total)
            self.busy_bar.setValue(min(p.done, p.total))

    def _picked(self, item) -> None:
        if item is not None and item.data(ID_ROLE) is not None:
            self.photo_selected.emit(item.data(ID_ROLE))

    def refresh(self, keep: Optional[int] = None) -> None:
        """Show the plan as it is now."""
        plan = self.plan
        if plan is None:
            self.slides.clear()
            self.alternates.clear()
            self._update()
            return
        durations = plan.slide_durations()[1 if plan.title_s > 0 else 0:]
        self.slides.set_slides(
            plan.slides, [f"{i} · {d:.1f} s" for i, d in enumerate(durations, 1)],
            [slide_tooltip(s, f"Photo {i} of {len(plan.slides)}") for i, s in enumerate(plan.slides, 1)],
            self.private_ids, keep)
        self.alternates.set_slides(
            plan.alternates, [taken_caption(s) for s in plan.alternates],
            [slide_tooltip(s, "Not in the story (double-click to add)") for s in plan.alternates],
            self.private_ids, keep)
        self._update()

    def _update(self) -> None:
        plan = self.plan
        selecting = self.select_task is not None and not self.select_task.finished
        rendering = self.rendering()
        if not selecting and not rendering:
            self.busy.hide()
        has = plan is not None and bool(plan.slides)
        for w in (self.left, self.right, self.remove):
            w.setEnabled(has and not selecting)
        self.add.setEnabled(plan is not None and bool(plan.alternates) and not selecting)
        self.export_button.setEnabled(has and not selecting and not rendering)
        self.again.setEnabled(self.album_id is not None and not selecting and not rendering)
        self.private.setEnabled(self.album_id is not None and not selecting and not rendering)
        self.music_clear.setVisible(self.music is not None)
        if self.music is None:
            self.music_label.setText("no music")
        elif self.music_s is not None:
            self.music_label.setText(f"{os.path.basename(self.music)} ({format_duration(self.music_s)})")
        if plan is None:
            self.summary.setText("choosing the photos…" if selecting else "")
            self.timing.setText("")
            self.excluded.setText("")
            self.card.setText(f"Album: {self.album_title}" if self.album_title else "")
            self.slides_head.setText("IN THE STORY")
            self.private.setText("Include private photos")
            return
        n = len(plan.slides)
        self.slides_head.setText(f"IN THE STORY ({n})")
        self.summary.setText(f"{n} photo{'s' if n != 1 else ''} · {plan.duration_s:.0f} s")
        self.card.setText("Title card: " + " · ".join(x for x in (f"“{plan.title}”", plan.dates, plan.place) if x))
        self.alt_hint.setText("good photos the story has no room for, best first · double-click to add"
                              if plan.alternates else "none: every photo the rules allow is in the story")
        timing = f"{plan.seconds_per_photo:.1f} s per photo, title card {plan.title_s:.1f} s"
        target = self.target_s or self.length.value()
        if n and abs(plan.duration_s - target) > 1.0:
            timing += (" · at most 7 s a photo: add photos for a longer story" if plan.duration_s < target
                       else " · at least 2.5 s a photo: remove photos for a shorter story")
        if self.music_s is not None and self.music_s < plan.duration_s:
            timing += f" · the video is cut to the music ({format_duration(self.music_s)})"
        self.timing.setText(timing)
        private_out = plan.excluded.get("private", 0)
        self.excluded.setText(excluded_text(plan.excluded))
        self.private.blockSignals(True)
        self.private.setChecked(self.include_private)
        self.private.blockSignals(False)
        if self.include_private:
            shown = sum(1 for s in plan.slides if s.photo_id in self.private_ids)
            self.private.setText(f"Include private photos ({shown} in the story)")
        else:
            self.private.setText(f"Include the {private_out} private photo{'s' if private_out != 1 else ''} left out"
                                 if private_out else "Include private photos (none left out)")

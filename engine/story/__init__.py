"""Story slideshows from an album: selection and rendering (video and HTML).

The engine API the window and the CLI use::

    plan = select_story(catalog, settings, album_id, seconds=60)      # or count=20
    plan = select_story_for_folder(catalog, settings, "/photos/trip")
    plan.remove(photo_id); plan.add_alternate(photo_id); plan.move(photo_id, 0)
    render_video(plan, "trip.mp4", settings, music=None, progress=cb, cancel=token)
    render_html(plan, "trip-slideshow/", settings, progress=cb, cancel=token)

``StoryPlan`` is plain data (``to_json``/``from_json``); rendering never
touches the catalog, so it can run on a worker thread with a plan the user
edited.
"""

from .ffmpeg import MediaInfo, StoryError, probe
from .html import render_html
from .plan import StoryPlan, StorySlide
from .select import select_from_source, select_story, select_story_for_folder
from .video import RenderResult, VideoOptions, render_video

__all__ = [
    "MediaInfo", "RenderResult", "StoryError", "StoryPlan", "StorySlide", "VideoOptions", "probe",
    "render_html", "render_video", "select_from_source", "select_story", "select_story_for_folder",
]

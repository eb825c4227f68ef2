"""The desktop window (PySide6), over the engine's public calls only.

- ``main.run`` starts the application; ``main_window.MainWindow`` holds the
  menus, the status strip and one ``shell.Shell`` per open catalog.
- ``session.Session``: the catalog (opened once), settings with the stored
  preferences, the ``workers.TaskRunner`` (engine calls off the GUI thread,
  every outcome delivered on it), the thumbnail cache, the undo stack, the
  XMP sidecar writer (``sidecars``) and the "open" interest signal.
- ``views/``: Library (grid + loupe), Series, People, Albums (with the story
  panel), Insights, and the first-run welcome; ``widgets/``: sidebar,
  inspector, grid, delegates, status strip (key hints of the view, progress,
  cancel), progress and plan panels, story panel and strips, charts, settings.
- Long jobs (``jobs``): scans run in this process (the scanner decodes in
  its own worker processes); analysis runs in a child process
  (``analysis_process`` / ``analysis_child``) so that models holding the GIL
  never freeze the window.
- Edits are undoable commands: ``culling`` (flags, ratings),
  ``curation_actions`` (series picks, clean-ups through the curation
  journal, also after a restart), ``privacy_actions`` (a photo's privacy
  override), and in the People and Albums views. Once written, edits go to
  the photos' XMP sidecars when the user opted in (``sidecars``).
- Stories (``story_actions``, ``widgets/story_panel``): the selection and the
  rendering run on the "story" lane with progress and cancel; the exported
  photos are logged as "export" decisions for the interest model.
- ``badge_tips``: what each grid badge means (a private photo's reason).
"""

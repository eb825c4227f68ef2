"""The desktop window (PySide6), over the engine's public calls only.

- ``main.run`` starts the application; ``main_window.MainWindow`` holds the
  menus, the status strip and one ``shell.Shell`` per open catalog.
- ``session.Session``: the catalog (opened once), settings with the stored
  preferences, the ``workers.TaskRunner`` (engine calls off the GUI thread,
  every outcome delivered on it), the thumbnail cache and the undo stack.
- ``views/``: Library (grid + loupe), Series, People, Albums, Insights, and
  the first-run welcome; ``widgets/``: sidebar, inspector, grid, delegates,
  status strip, progress and plan panels, charts, settings.
- Long jobs (``jobs``): scans run in this process (the scanner decodes in
  its own worker processes); analysis runs in a child process
  (``analysis_process`` / ``analysis_child``) so that models holding the GIL
  never freeze the window.
- Edits are undoable commands: ``culling`` (flags, ratings),
  ``curation_actions`` (series picks, clean-ups through the curation
  journal, also after a restart), and in the People and Albums views.
"""

"""The photo organizer's engine: catalog, scanning, models and curation.

Nothing in this package may import Qt (tests/test_engine_is_qt_free.py checks);
the GUI in ``photoorg.app`` talks to the engine only through its public calls.
"""

__version__ = "0.1.0"

# Before anything imports onnxruntime: no telemetry, no downloads (see there).
from .runtime.offline import keep_offline as _keep_offline  # noqa: E402

_keep_offline()

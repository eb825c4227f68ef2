"""A crash switch for the tests that kill curation mid-way.

``PHOTOORG_TEST_CRASH=POINT:N`` makes the process SIGKILL itself the N-th time
it passes POINT (``journaled``, ``reserved``, ``moved``, ``restored``): the
same as a power cut or ``kill -9`` at the worst moment, with no cleanup code
running. Unset in normal use, where ``crash_point`` costs one dict lookup.
"""

from __future__ import annotations

import os
import signal

_counts: dict[str, int] = {}


def crash_point(point: str) -> None:
    spec = os.environ.get("PHOTOORG_TEST_CRASH")
    if not spec:
        return
    name, _, n = spec.partition(":")
    if name != point:
        return
    _counts[point] = _counts.get(point, 0) + 1
    if _counts[point] >= int(n or 1):
        os.kill(os.getpid(), signal.SIGKILL)

"""Offline by construction: nothing this program loads may phone home.

The one place where the engine turns off what third-party libraries would
otherwise send over the network. Found by tracing ``photoorg analyze`` under
``unshare -rn strace -f -e trace=network``:

- ONNX Runtime (1.2x+ on Linux) starts a telemetry client (its vendor's 1DS
  events collector) with the first session and resolves the collector's host
  name from a background thread some seconds later, in every
  process that runs a model (the engine's own sessions and rapidocr's).
  ``onnxruntime.disable_telemetry_events()`` does not stop it; the
  ``ORT_DISABLE_TELEMETRY`` variable does, but only when it is set before
  onnxruntime is first imported. ``photoorg.engine`` calls ``keep_offline``
  when it is imported, so every entry point (the command line, the window,
  scan workers, the analysis child process, tests) has it set in time.
- Hugging Face libraries (used only by ``train-events --teacher``, never at
  run time) are told to stay offline too, so a missing file is an error,
  never a download.

This module imports nothing heavy: it runs before numpy or onnxruntime load.
tests/test_offline.py runs a scan, the analysis and a story with every
socket call blocked and fails on any attempt.
"""

from __future__ import annotations

import os
import sys

OFFLINE_ENV = {
    "ORT_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
}


def keep_offline() -> bool:
    """Set the switches (also inherited by child processes). Returns False
    when onnxruntime was imported before this ran: its telemetry may then
    already be on (the caller imported it before ``photoorg.engine``)."""
    os.environ.update(OFFLINE_ENV)
    ort = sys.modules.get("onnxruntime")
    if ort is not None:
        try:
            ort.disable_telemetry_events()  # what can still be done that late
        except AttributeError:
            pass
        return False
    return True

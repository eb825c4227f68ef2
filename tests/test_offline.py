"""Offline by construction: a scan, the whole analysis and a story export make
no network attempt, neither from Python code nor from native libraries.

The commands run in one child process (tests/offline_check.py) whose Python
audit hook refuses and records every name lookup and connection; where the
machine has them, that process also runs under ``strace -f`` (every thread
and child process: ONNX Runtime's C++ telemetry client included) inside a
network namespace of its own (``unshare -rn``: nothing could leave anyway).
Any connect/sendto to an internet address (a DNS query is one) fails the test.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CHECK = HERE / "offline_check.py"
# connect/sendto/sendmsg to an internet address (not AF_UNIX, not AF_NETLINK).
NETWORK_CALL = re.compile(r"\b(connect|sendto|sendmsg|sendmmsg)\(.*sa_family=AF_INET6?\b")
PHOTOS = ["text/easyocr/japanese.jpg", "faces/test_images/obama.jpg", "immich/albums/nature/cyclamen_persicum.jpg"]


def _tracer(trace: Path) -> tuple[list[str], list[str]]:
    """(command prefix, what it adds) for syscall tracing and a private
    network namespace, each where the machine allows it."""
    prefix, layers = [], ["python audit hook"]
    if shutil.which("unshare") and subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0:
        prefix += ["unshare", "-rn"]
        layers.append("network namespace")
    strace = shutil.which("strace")
    if strace and subprocess.run([strace, "-f", "-qq", "-o", os.devnull, "true"], capture_output=True).returncode == 0:
        prefix += [strace, "-f", "-qq", "-e", "trace=connect,sendto,sendmsg,sendmmsg", "-o", str(trace)]
        layers.append("strace")
    return prefix, layers


def _network_calls(trace: Path) -> list[str]:
    if not trace.exists():
        return []
    return [line for line in trace.read_text(errors="replace").splitlines() if NETWORK_CALL.search(line)]


def test_engine_turns_off_onnxruntime_telemetry_before_it_loads():
    code = ("import os, sys; import photoorg.engine; "
            "print(os.environ.get('ORT_DISABLE_TELEMETRY'), 'onnxruntime' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.split() == ["1", "False"]  # set, and before onnxruntime was imported


def test_the_checks_see_an_attempt(tmp_path):
    """Both layers catch what they are there for: a Python lookup is refused
    and recorded; a lookup made inside a native library shows in the trace."""
    code = ("import sys; sys.path.insert(0, %r); import offline_check, socket; sys.addaudithook(offline_check._hook)\n"
            "try:\n    socket.getaddrinfo('example.org', 443)\nexcept offline_check.NetworkBlocked:\n"
            "    print('blocked', len(offline_check.ATTEMPTS))\n"
            "import ctypes; ctypes.CDLL(None).gethostbyname(b'example.org')\n") % str(HERE)
    trace = tmp_path / "trace.txt"
    prefix, layers = _tracer(trace)
    run = subprocess.run(prefix + [sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["blocked", "1"]
    if "strace" in layers:
        assert _network_calls(trace), "the native lookup did not show in the trace"


def test_scan_analysis_and_story_make_no_network_attempt(shared_photos, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    for name in PHOTOS:
        shutil.copy2(shared_photos / name, lib / Path(name).name)
    catalog = tmp_path / "catalog.sqlite"
    result, trace = tmp_path / "result.json", tmp_path / "trace.txt"
    commands = [["--catalog", str(catalog), "scan", str(lib)],
                ["--catalog", str(catalog), "analyze", "--device", "cpu"],
                ["--catalog", str(catalog), "export-story", str(lib), "--out", str(tmp_path / "story.html")]]
    prefix, layers = _tracer(trace)
    argv = prefix + [sys.executable, str(CHECK), str(result)]
    for command in commands:
        argv += ["--", *command]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    outcome = json.loads(result.read_text())
    assert outcome["attempts"] == [], f"network use from Python ({layers}): {outcome['attempts']}"
    assert _network_calls(trace) == [], f"network use from native code ({layers})"
    assert outcome["codes"] == [0, 0, 0], run.stderr[-3000:]
    assert (tmp_path / "story.html").exists() or (tmp_path / "story.html").is_dir()
    print("offline checks:", ", ".join(layers))

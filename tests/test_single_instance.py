"""One window per catalog: a second launch hands its folders to the open
window (pytest-qt for the socket, and once end to end with two real
``photoorg gui`` processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from PIL import Image

pytestmark = pytest.mark.gui


def test_a_second_launch_hands_its_folders_over(qtbot, tmp_path):
    from photoorg.app import single_instance

    catalog = tmp_path / "catalog.sqlite"
    assert not single_instance.hand_over(catalog, ["nothing listens"])
    received: list[list[str]] = []
    server = single_instance.InstanceServer(catalog, received.append)
    try:
        assert server.listening
        # The same catalog through a link is the same window.
        link = tmp_path / "link.sqlite"
        catalog.touch()
        link.symlink_to(catalog)
        assert single_instance.hand_over(link, ["photos", "/abs/other"])
        qtbot.waitUntil(lambda: len(received) == 1, timeout=5000)
        assert received[0] == [os.path.abspath("photos"), "/abs/other"]  # relative to the launch
        # Another catalog has its own window.
        assert not single_instance.hand_over(tmp_path / "other.sqlite", ["x"])
    finally:
        server.close()
    assert not single_instance.hand_over(catalog, ["after close"])


def test_a_stale_socket_is_taken_over(qtbot, tmp_path):
    from PySide6.QtNetwork import QLocalServer

    from photoorg.app import single_instance

    catalog = tmp_path / "catalog.sqlite"
    name = single_instance.server_name(catalog)
    stale = QLocalServer()
    assert stale.listen(name)
    path = stale.fullServerName()
    stale.close()
    open(path, "w").close()  # what a crashed window leaves behind
    received = []
    server = single_instance.InstanceServer(catalog, received.append)
    try:
        assert server.listening
        assert single_instance.hand_over(catalog, [])
        qtbot.waitUntil(lambda: received == [[]], timeout=5000)
    finally:
        server.close()


@pytest.mark.slow
def test_two_real_launches_one_window_scans_the_folder(tmp_path):
    from PySide6.QtNetwork import QLocalSocket

    from photoorg.app import single_instance
    from photoorg.engine.catalog import Catalog

    library = tmp_path / "library"
    library.mkdir()
    for n in range(3):
        Image.new("RGB", (64, 48), (40 * n, 90, 160)).save(library / f"p{n}.jpg", quality=90)
    catalog = tmp_path / "catalog.sqlite"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    cmd = [sys.executable, "-m", "photoorg.engine.cli", "--catalog", str(catalog), "gui"]
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        probe = QLocalSocket()
        while True:  # until the first window listens
            assert first.poll() is None, first.communicate()
            probe.connectToServer(single_instance.server_name(catalog))
            if probe.waitForConnected(200):
                probe.abort()
                break
            assert time.monotonic() < deadline, "the first window never listened"
            time.sleep(0.5)
        second = subprocess.run([*cmd, str(library)], env=env, capture_output=True, text=True, timeout=240)
        assert second.returncode == 0, second.stderr
        assert "took over" in second.stderr
        deadline = time.monotonic() + 240
        while True:  # the open window scans the folder it was handed
            if catalog.exists():
                with Catalog(catalog, readonly=True) as cat:
                    if cat.photo_count() == 3:
                        break
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the open window did not scan the handed folder"
            time.sleep(0.5)
    finally:
        first.send_signal(signal.SIGTERM)
        try:
            first.wait(timeout=30)
        except subprocess.TimeoutExpired:
            first.kill()
            first.wait()


def test_a_launch_while_the_first_window_is_still_starting_brings_it_forward(tmp_path):
    """The first window holds the catalog's lock before it listens: a second
    launch in that gap waits for it and hands over (it used to show the lock
    message and leave the open window where it was)."""
    catalog = tmp_path / "catalog.sqlite"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    cmd = [sys.executable, "-m", "photoorg.engine.cli", "--catalog", str(catalog), "gui"]
    first = subprocess.Popen(cmd, env={**env, "PHOTOORG_TEST_LISTEN_DELAY_S": "6"}, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        lock = tmp_path / "catalog.sqlite.lock"
        deadline = time.monotonic() + 240
        while not lock.exists():  # the lock is taken; the window is not listening yet
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first window never took the catalog"
            time.sleep(0.05)
        second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert second.returncode == 0, second.stderr
        assert "took over" in second.stderr
        assert first.poll() is None  # the open window stays
    finally:
        first.send_signal(signal.SIGTERM)
        try:
            first.wait(timeout=30)
        except subprocess.TimeoutExpired:
            first.kill()
            first.wait()

"""One window per catalog: a second launch hands its folders to the open
window, which comes forward, and exits.

The window listens on a local socket (QLocalServer) named after the
catalog's real path, readable only by this user. A launch first tries to
connect: if a window answers, the folders go to it as one JSON line.
Otherwise a socket left by a crashed window is removed and this launch
becomes the listener.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable, Optional, Sequence

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

CONNECT_MS = 500
WRITE_MS = 2000


def server_name(catalog_path: Path | str) -> str:
    real = os.path.realpath(os.fspath(catalog_path))
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return f"photoorg-{uid}-{hashlib.sha256(real.encode()).hexdigest()[:16]}"


def hand_over(catalog_path: Path | str, paths: Sequence[str]) -> bool:
    """True when a window of this catalog is open and took the folders."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(catalog_path))
    if not socket.waitForConnected(CONNECT_MS):
        return False
    message = json.dumps({"paths": [os.path.abspath(p) for p in paths]}) + "\n"
    socket.write(message.encode())
    ok = socket.waitForBytesWritten(WRITE_MS)
    socket.disconnectFromServer()
    if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
        socket.waitForDisconnected(WRITE_MS)
    return ok


class InstanceServer(QObject):
    """Listens for later launches; ``on_request(paths)`` runs for each."""

    def __init__(self, catalog_path: Path | str, on_request: Callable[[list[str]], None],
                 parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self._on_request = on_request
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        name = server_name(catalog_path)
        if not self._server.listen(name):
            # Nobody answered (hand_over came first), so the socket is stale.
            QLocalServer.removeServer(name)
            self._server.listen(name)
        self._server.newConnection.connect(self._accept)

    @property
    def listening(self) -> bool:
        return self._server.isListening()

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            state = {"buffer": b"", "done": False}

            def read(socket=socket, state=state) -> None:
                if state["done"]:
                    return
                state["buffer"] += bytes(socket.readAll())
                if b"\n" in state["buffer"]:
                    state["done"] = True
                    socket.disconnectFromServer()
                    self._handle(state["buffer"].split(b"\n", 1)[0])

            socket.readyRead.connect(read)
            socket.disconnected.connect(socket.deleteLater)
            read()

    def _handle(self, line: bytes) -> None:
        try:
            paths = [str(p) for p in json.loads(line.decode()).get("paths", [])]
        except (ValueError, AttributeError, UnicodeDecodeError):
            return  # not one of ours
        self._on_request(paths)


def bring_forward(window) -> None:
    """Show the window on top (restored if minimised); the window manager
    may only flash it in the task bar, which is its choice to make."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()

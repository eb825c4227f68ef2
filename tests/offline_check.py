"""Run photoorg commands in one process that may not use the network.

    python tests/offline_check.py RESULT.json -- --catalog C scan DIR -- --catalog C analyze --device cpu

Every ``--``-separated command runs through ``photoorg.engine.cli.main`` in
this process, after a Python audit hook is installed that records (with the
Python stack) and refuses every name lookup, connection and datagram to
anything but a local (AF_UNIX) socket. Code in native libraries (ONNX
Runtime's telemetry client is C++) is not seen by this hook:
tests/test_offline.py therefore also runs this script under
``strace -f`` (and ``unshare -rn`` where allowed), which sees every
``connect``/``sendto`` of every thread and child process. The result (exit
codes, attempts) is written as JSON to RESULT.json.
"""

from __future__ import annotations

import json
import socket
import sys
import traceback

ATTEMPTS: list[dict] = []
_LOCAL = {getattr(socket, "AF_UNIX", 1), getattr(socket, "AF_NETLINK", 16)}
_WATCHED = {"socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo", "socket.gethostbyname",
            "socket.gethostbyname_ex", "socket.gethostbyaddr", "socket.getnameinfo"}


class NetworkBlocked(OSError):
    pass


def _hook(event: str, args: tuple) -> None:
    if event not in _WATCHED:
        return
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        sock = args[0]
        if getattr(sock, "family", None) in _LOCAL:
            return
    ATTEMPTS.append({"event": event, "args": repr(args)[:300], "stack": "".join(traceback.format_stack(limit=15))})
    raise NetworkBlocked(f"network use blocked in the offline check: {event}")


def main(argv: list[str]) -> int:
    out_path, rest = argv[0], argv[1:]
    sys.addaudithook(_hook)
    from photoorg.engine.cli import main as photoorg  # imported under the hook

    commands: list[list[str]] = []
    for token in rest:
        if token == "--":
            commands.append([])
        elif commands:
            commands[-1].append(token)
    codes = []
    for command in commands:
        try:
            codes.append(photoorg(command))
        except SystemExit as exc:
            codes.append(exc.code if isinstance(exc.code, int) else 1)
    with open(out_path, "w") as fh:
        json.dump({"codes": codes, "attempts": ATTEMPTS}, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

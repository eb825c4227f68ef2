"""The organizer on the desktop, per user (freedesktop.org specifications):
a desktop entry in the menu (and in file managers' "Open with" for folders),
its icons in the hicolor theme and AppStream metadata for software centres.

Everything goes under ``$XDG_DATA_HOME`` (default ``~/.local/share``) and is
listed in :func:`installed_files`, so that ``--uninstall`` removes exactly
what was installed. The entry's Exec line names this installation's
``photoorg`` by its absolute path (a virtual environment is not on PATH).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Optional

APP_ID = "org.photoorg.PhotoOrganizer"
PNG_SIZES = (48, 128, 256)


def data_home() -> Path:
    value = os.environ.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):  # the spec ignores relative values
        return Path(value)
    return Path.home() / ".local" / "share"


def _resource(name: str) -> bytes:
    return resources.files("photoorg.resources").joinpath("desktop", name).read_bytes()


def photoorg_executable() -> Path:
    """The console script of this installation: beside the running Python
    (a virtual environment's bin/), else the one on PATH."""
    beside = Path(sys.executable).parent / "photoorg"
    if beside.exists():
        return beside.absolute()
    found = shutil.which("photoorg")
    if found:
        return Path(found).absolute()
    raise FileNotFoundError("the photoorg command was not found; run packaging/setup.sh first")


def exec_quote(arg: str) -> str:
    """One Exec argument, quoted as the Desktop Entry specification asks
    (then escaped once more as a string value: a backslash is doubled)."""
    reserved = set(' \t\n"\'\\><~|&;$*?#()`')
    if arg and not (set(arg) & reserved):
        quoted = arg
    else:
        quoted = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
    return quoted.replace("\\", "\\\\").replace("%", "%%")


def desktop_entry(executable: Path, catalog: Optional[Path] = None) -> str:
    command = exec_quote(str(executable))
    if catalog is not None:
        command += " --catalog " + exec_quote(str(catalog))
    text = _resource(f"{APP_ID}.desktop.in").decode()
    return text.replace("@TRYEXEC@", str(executable)).replace("@EXEC@", command)


def installed_files(base: Optional[Path] = None) -> dict[str, Path]:
    base = base or data_home()
    icons = base / "icons" / "hicolor"
    files = {
        "entry": base / "applications" / f"{APP_ID}.desktop",
        "metainfo": base / "metainfo" / f"{APP_ID}.metainfo.xml",
        "icon-scalable": icons / "scalable" / "apps" / f"{APP_ID}.svg",
    }
    for size in PNG_SIZES:
        files[f"icon-{size}"] = icons / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    return files


def _refresh_caches(base: Path) -> None:
    """Menus and icon themes notice new files by themselves on most desktops;
    these tools (when present) make it immediate. Failures are harmless."""
    for cmd in (["update-desktop-database", "-q", str(base / "applications")],
                ["gtk-update-icon-cache", "-q", "-t", "-f", str(base / "icons" / "hicolor")]):
        if shutil.which(cmd[0]):
            try:
                subprocess.run(cmd, capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
            except (OSError, subprocess.SubprocessError):
                pass


def install(executable: Optional[Path] = None, catalog: Optional[Path] = None,
            base: Optional[Path] = None) -> dict[str, Path]:
    base = base or data_home()
    files = installed_files(base)
    contents = {
        "entry": desktop_entry(executable or photoorg_executable(), catalog).encode(),
        "metainfo": _resource(f"{APP_ID}.metainfo.xml"),
        "icon-scalable": _resource(f"{APP_ID}.svg"),
        **{f"icon-{size}": _resource(f"{APP_ID}-{size}.png") for size in PNG_SIZES},
    }
    for key, path in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(contents[key])
        os.replace(tmp, path)  # a menu never reads half a file
    _refresh_caches(base)
    return files


def uninstall(base: Optional[Path] = None) -> list[Path]:
    base = base or data_home()
    removed = []
    for path in installed_files(base).values():
        if path.exists():
            path.unlink()
            removed.append(path)
    _refresh_caches(base)
    return removed

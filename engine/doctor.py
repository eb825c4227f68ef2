"""What this machine has and lacks for the organizer, each with the one
command that installs what is missing (``photoorg doctor``).

Every check is quiet and cheap (no window opens, no model runs but ONNX
Runtime's one-node probe) and never raises: a check that cannot run reports
itself missing with the reason. No Qt import: the window's libraries are
checked by asking the dynamic loader about Qt's xcb platform plugin.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Optional

# What the xcb platform plugin (a real window on X11 and XWayland) loads
# from the system, and the Debian/Ubuntu package of each library.
XCB_PACKAGES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}
# Below this much free space beside the catalog, thumbnails and exported
# models may not fit (a thumbnail is ~30 KB: 100,000 photos take ~3 GB).
MIN_FREE_BYTES = 2 * 1024**3


@dataclass
class Check:
    name: str
    ok: bool
    detail: str  # what was found, one sentence
    fix: Optional[str] = None  # the one command that installs what is missing
    needed_for: str = ""
    required: bool = True  # False: the organizer works without it, with less
    facts: dict = field(default_factory=dict)

    @property
    def status(self) -> str:
        return "ok" if self.ok else "missing" if self.required else "unavailable"

    def to_json(self) -> dict:
        return {**asdict(self), "status": self.status}


def _sudo() -> str:
    return "" if hasattr(os, "geteuid") and os.geteuid() == 0 else "sudo "


def apt_install(packages: list[str]) -> str:
    names = " ".join(dict.fromkeys(packages))
    if shutil.which("apt-get"):
        return f"{_sudo()}apt-get install --no-install-recommends {names}"
    return f"install the system packages providing them (on Debian/Ubuntu: {names})"


def _run(cmd: list[str], timeout: float = 20) -> Optional[subprocess.CompletedProcess]:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None


# -- the window ------------------------------------------------------------

def pyside_dir() -> Optional[Path]:
    """PySide6's folder, found without importing it (the engine stays Qt-free)."""
    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def parse_ldd(text: str) -> list[str]:
    """The libraries ``ldd`` reports as not found, in its order, once each."""
    found = re.findall(r"^\s*(\S+)\s+=>\s+not found", text, flags=re.MULTILINE)
    return list(dict.fromkeys(found))


def missing_libraries(plugin: Path) -> tuple[list[str], str]:
    """System libraries the plugin (and the Qt libraries it loads) cannot
    find, and how that was found out: ``ldd`` when there is one, else loading
    each library the plugin is known to need."""
    result = _run(["ldd", str(plugin)])
    if result is not None and result.returncode == 0:
        return parse_ldd(result.stdout), "ldd"
    missing = []
    for soname in XCB_PACKAGES:
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing.append(soname)
    return missing, "loader"


def check_window(find_missing: Callable[[Path], tuple[list[str], str]] = missing_libraries) -> Check:
    needed_for = "the window (Qt's xcb platform plugin, X11 and XWayland)"
    base = pyside_dir()
    if base is None:
        return Check("qt-window", False, "PySide6 (Qt) is not installed", "packaging/setup.sh", needed_for)
    plugin = base / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists():
        return Check("qt-window", False, f"Qt's xcb platform plugin is missing ({plugin})",
                     "packaging/setup.sh", needed_for)
    missing, how = find_missing(plugin)
    if not missing:
        return Check("qt-window", True, "every library of Qt's xcb platform plugin loads", None, needed_for,
                     facts={"plugin": str(plugin), "checked_with": how})
    packages = [XCB_PACKAGES.get(lib) for lib in missing]
    unknown = [lib for lib, pkg in zip(missing, packages) if pkg is None]
    fix = apt_install([p for p in packages if p]) if not unknown else (
        apt_install([p for p in packages if p]) + f" (and the packages providing {', '.join(unknown)})"
        if any(packages) else f"install the system packages providing {', '.join(unknown)}")
    return Check("qt-window", False, f"the window cannot open: {', '.join(missing)} not found", fix, needed_for,
                 facts={"plugin": str(plugin), "checked_with": how, "missing_libraries": missing})


# -- tools -----------------------------------------------------------------

def check_ffmpeg() -> Check:
    needed_for = "story videos (export-story to MP4)"
    try:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except Exception as exc:  # noqa: BLE001 - any failure means "no ffmpeg"
        return Check("ffmpeg", False, f"no ffmpeg: {exc}".splitlines()[0], "packaging/setup.sh", needed_for)
    result = _run([exe, "-hide_banner", "-version"])
    if result is None or result.returncode != 0:
        return Check("ffmpeg", False, f"ffmpeg at {exe} does not run", "packaging/setup.sh", needed_for)
    version = (result.stdout.splitlines() or ["ffmpeg"])[0].split(" Copyright")[0]
    return Check("ffmpeg", True, version, None, needed_for, facts={"path": exe})


def check_exiftool() -> Check:
    needed_for = "checking the XMP sidecars the organizer writes with the tool other programs use"
    exe = shutil.which("exiftool")
    result = _run([exe, "-ver"]) if exe else None
    if result is None or result.returncode != 0:
        return Check("exiftool", False, "exiftool is not installed", apt_install(["libimage-exiftool-perl"]),
                     needed_for, required=False)
    return Check("exiftool", True, f"exiftool {result.stdout.strip()}", None, needed_for, required=False,
                 facts={"path": exe})


def check_trash() -> Check:
    from .curation.trash import home_trash_root

    needed_for = "sending rejected photos to the desktop trash (undo puts them back)"
    root = Path(home_trash_root())
    existing = root
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not os.access(existing, os.W_OK | os.X_OK):
        return Check("trash", False, f"the trash folder {root} cannot be written",
                     f"{_sudo()}chown -R {os.environ.get('USER', '$USER')} {existing}", needed_for,
                     facts={"trash": str(root)})
    tools = shutil.which("trash-list")
    detail = f"desktop trash at {root}" + ("" if tools else "; trash-cli (to list or restore by hand) is not installed")
    return Check("trash", True, detail, None if tools else apt_install(["trash-cli"]), needed_for,
                 facts={"trash": str(root), "trash_cli": tools})


# -- inference -------------------------------------------------------------

def check_gpu() -> Check:
    needed_for = "fast analysis (models run on the CPU otherwise)"
    try:
        from .runtime import providers

        import onnxruntime as ort

        built_in = ort.get_available_providers()
        cuda = providers.cuda_status()
    except Exception as exc:  # noqa: BLE001
        return Check("gpu", False, f"ONNX Runtime does not load: {exc}".splitlines()[0], "packaging/setup.sh",
                     needed_for)
    loads = [providers.CUDA, providers.CPU] if cuda.usable else [providers.CPU]
    facts = {"onnxruntime": ort.__version__, "providers_built_in": built_in, "providers_that_load": loads,
             "cuda": cuda.reason}
    if cuda.usable:
        return Check("gpu", True, f"CUDA loads: analysis runs on the GPU (ONNX Runtime {ort.__version__})", None,
                     needed_for, required=False, facts=facts)
    if "driver" in cuda.reason or "disabled" in cuda.reason:
        fix = None  # no NVIDIA GPU here (or switched off on purpose): nothing to install
    else:  # a driver, but not the CUDA libraries of the lock's ONNX Runtime build
        fix = "PHOTOORG_CUDA=1 packaging/setup.sh"
    return Check("gpu", False, f"no usable GPU ({cuda.reason}); analysis runs on the CPU", fix, needed_for,
                 required=False, facts=facts)


# -- the catalog -----------------------------------------------------------

def check_disk(catalog_path: Path) -> Check:
    needed_for = "the catalog and its cache (thumbnails, exported models)"
    folder = catalog_path.parent
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    usage = shutil.disk_usage(existing)
    facts = {"folder": str(folder), "free_bytes": usage.free}
    free_gb = usage.free / 1024**3
    if usage.free < MIN_FREE_BYTES:
        return Check("disk", False, f"only {free_gb:.1f} GB free at {existing} for the catalog's cache",
                     "free some space there, or keep the catalog on a bigger disk: photoorg --catalog FILE ...",
                     needed_for, facts=facts)
    return Check("disk", True, f"{free_gb:.0f} GB free for the catalog's cache at {existing}", None, needed_for,
                 facts=facts)


def check_catalog(catalog_path: Path) -> Check:
    from .catalog import schema

    needed_for = "everything (the library's one file)"
    if not catalog_path.exists():
        return Check("catalog", True, f"no catalog yet at {catalog_path}; the first scan creates it", None,
                     needed_for, facts={"path": str(catalog_path), "exists": False})
    facts: dict = {"path": str(catalog_path), "exists": True}
    fix = f"mv '{catalog_path}' '{catalog_path}.broken' && photoorg scan FOLDER..."
    try:
        conn = sqlite3.connect(f"{catalog_path.as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as exc:
        return Check("catalog", False, f"the catalog cannot be opened: {exc}", fix, needed_for, facts=facts)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id != schema.APPLICATION_ID:
            return Check("catalog", False, f"{catalog_path} is not a photoorg catalog", None, needed_for,
                         facts=facts)
        integrity = conn.execute("PRAGMA quick_check").fetchone()[0]
        applied = {d: n for d, n in conn.execute(
            "SELECT domain, max(number) FROM schema_migrations GROUP BY domain")}
        known: dict[str, int] = {}
        for domain, number, _ in schema.migrations():
            known[domain] = max(known.get(domain, 0), number)
        facts.update(schema=applied, schema_of_this_version=known, integrity=integrity)
    except sqlite3.Error as exc:
        return Check("catalog", False, f"the catalog cannot be read: {exc}", fix, needed_for, facts=facts)
    finally:
        conn.close()
    if integrity != "ok":
        return Check("catalog", False, f"the catalog is damaged ({integrity})", fix, needed_for, facts=facts)
    newer = [d for d, n in applied.items() if n > known.get(d, 0)]
    if newer:
        return Check("catalog", False, f"the catalog was written by a newer photoorg ({', '.join(newer)})",
                     "git pull && packaging/setup.sh", needed_for, facts=facts)
    behind = sum(max(0, n - applied.get(d, 0)) for d, n in known.items())
    detail = "the catalog is healthy (integrity check ok)" + (
        f"; {behind} schema upgrade(s) run the next time it is opened for writing" if behind else "")
    return Check("catalog", True, detail, None, needed_for, facts=facts)


def check_video_player() -> Check:
    """Qt Multimedia (the loupe's video player, with sound) loads PulseAudio's
    client library; without it the player shows the frames itself, silent."""
    needed_for = "playing videos with their sound in the window (without it: frames only, no sound)"
    try:
        ctypes.CDLL("libpulse.so.0")
    except OSError:
        return Check("video-player", False, "libpulse.so.0 is missing: videos play without sound",
                     apt_install(["libpulse0"]), needed_for, required=False)
    return Check("video-player", True, "Qt Multimedia can load (libpulse.so.0 found)", None, needed_for,
                 required=False)


CHECKS = ("qt-window", "ffmpeg", "exiftool", "trash", "gpu", "video-player", "disk", "catalog")


def run_checks(catalog_path: Path, only: Optional[list[str]] = None) -> list[Check]:
    table: dict[str, Callable[[], Check]] = {
        "qt-window": check_window,
        "ffmpeg": check_ffmpeg,
        "exiftool": check_exiftool,
        "trash": check_trash,
        "gpu": check_gpu,
        "video-player": check_video_player,
        "disk": lambda: check_disk(catalog_path),
        "catalog": lambda: check_catalog(catalog_path),
    }
    out = []
    for name in only or CHECKS:
        try:
            out.append(table[name]())
        except Exception as exc:  # noqa: BLE001 - a broken check must not hide the others
            out.append(Check(name, False, f"the check failed: {type(exc).__name__}: {exc}".splitlines()[0]))
    return out

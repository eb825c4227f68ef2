"""The desktop entry, icons and AppStream metadata installed per user under
$XDG_DATA_HOME (a temporary folder here: conftest points it there)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from photoorg.engine import desktop
from photoorg.engine.cli import main


def _entry_values(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))


def test_install_and_uninstall_stay_in_xdg_data_home(tmp_path, capsys):
    base = Path(os.environ["XDG_DATA_HOME"])
    assert base.is_relative_to(Path(os.environ["HOME"]))  # conftest's temporary home
    assert main(["install-desktop"]) == 0
    files = desktop.installed_files()
    assert all(p.is_file() and p.is_relative_to(base) for p in files.values())
    values = _entry_values(files["entry"].read_text())
    exe = values["TryExec"]
    assert Path(exe).is_absolute() and os.access(exe, os.X_OK)
    assert shlex.split(values["Exec"]) == [exe, "gui", "%F"]
    assert values["Icon"] == desktop.APP_ID and "inode/directory" in values["MimeType"]
    assert files["icon-256"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    assert main(["install-desktop", "--uninstall"]) == 0
    assert not any(p.exists() for p in files.values())


def test_exec_line_quotes_odd_paths_and_names_the_catalog():
    text = desktop.desktop_entry(Path("/opt/my apps/bin/photoorg"), Path("/data/100% photos/c.sqlite"))
    line = _entry_values(text)["Exec"]
    # The string-level escape (\\ -> \) comes first, then the Exec quoting.
    assert line == '"/opt/my apps/bin/photoorg" --catalog "/data/100%% photos/c.sqlite" gui %F'
    assert desktop.exec_quote('a"b$c') == '"a\\\\"b\\\\$c"'


def test_desktop_entry_and_metainfo_validate():
    validate = shutil.which("desktop-file-validate")
    if validate is None:
        pytest.skip("desktop-file-validate not installed (Debian: desktop-file-utils; setup.sh --dev installs it)")
    files = desktop.install()
    result = subprocess.run([validate, str(files["entry"])], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
    appstream = shutil.which("appstreamcli")
    if appstream:  # Debian: appstream (setup.sh --dev installs it)
        result = subprocess.run([appstream, "validate", "--no-net", str(files["metainfo"])],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr

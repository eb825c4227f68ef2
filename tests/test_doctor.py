"""photoorg doctor: each check says ok or missing, and what is missing comes
with the one command that installs it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from photoorg.engine import doctor
from photoorg.engine.catalog import Catalog
from photoorg.engine.runtime import providers

LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd5b7f2000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f2a1c000000)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f2a1bff0000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f2a1ba00000)
"""


def test_ldd_output_names_each_missing_library_once():
    assert doctor.parse_ldd(LDD_OUTPUT) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]


def test_window_check_names_the_packages_of_missing_libraries(monkeypatch):
    monkeypatch.setattr(doctor.shutil, "which", lambda name: "/usr/bin/apt-get" if name == "apt-get" else None)
    check = doctor.check_window(lambda plugin: (doctor.parse_ldd(LDD_OUTPUT), "ldd"))
    assert not check.ok and check.status == "missing" and check.required
    assert "libxcb-icccm.so.4" in check.detail and "libxcb-keysyms.so.1" in check.detail
    assert "apt-get install" in check.fix
    assert check.fix.split()[-2:] == ["libxcb-icccm4", "libxcb-keysyms1"]


def test_window_check_on_this_machine_checks_the_real_plugin():
    check = doctor.check_window()
    plugin = check.facts.get("plugin", "")
    assert plugin.endswith("platforms/libqxcb.so")
    # Whatever this machine lacks is named with a package to install.
    assert check.ok or (check.facts["missing_libraries"] and check.fix)


def test_window_check_hides_one_real_library(monkeypatch, tmp_path):
    """Without ldd the loader is asked library by library: one the loader
    cannot find (as on a machine without it) is reported with its package."""
    real_cdll = doctor.ctypes.CDLL

    def loader(name, *args, **kwargs):
        if name == "libxcb-cursor.so.0":
            raise OSError(f"{name}: cannot open shared object file: No such file or directory")
        return real_cdll(name, *args, **kwargs)

    monkeypatch.setattr(doctor, "_run", lambda cmd, timeout=20: None)  # no ldd
    monkeypatch.setattr(doctor.ctypes, "CDLL", loader)
    missing, how = doctor.missing_libraries(tmp_path / "libqxcb.so")
    assert how == "loader" and "libxcb-cursor.so.0" in missing
    check = doctor.check_window(lambda plugin: (missing, how))
    assert not check.ok and "libxcb-cursor0" in check.fix


def test_exiftool_and_ffmpeg_missing_give_install_commands(monkeypatch):
    import imageio_ffmpeg

    monkeypatch.setattr(doctor.shutil, "which", lambda name: "/usr/bin/apt-get" if name == "apt-get" else None)
    exif = doctor.check_exiftool()
    assert not exif.ok and exif.status == "unavailable" and "libimage-exiftool-perl" in exif.fix

    def no_ffmpeg():
        raise RuntimeError("No ffmpeg exe could be found")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", no_ffmpeg)
    ff = doctor.check_ffmpeg()
    assert not ff.ok and ff.status == "missing" and ff.fix == "packaging/setup.sh"


def test_ffmpeg_of_the_install_runs():
    check = doctor.check_ffmpeg()
    assert check.ok and check.detail.startswith("ffmpeg version"), check


def test_gpu_reports_which_providers_really_load(monkeypatch):
    check = doctor.check_gpu()
    assert providers.CPU in check.facts["providers_that_load"]
    monkeypatch.setattr(providers, "cuda_status",
                        lambda: providers.CudaStatus(False, "CUDA libraries missing (libcublasLt.so.13)"))
    check = doctor.check_gpu()
    assert not check.ok and check.status == "unavailable" and not check.required
    assert check.facts["providers_that_load"] == [providers.CPU]
    assert check.fix == "PHOTOORG_CUDA=1 packaging/setup.sh"


def test_low_disk_is_missing_space(monkeypatch, tmp_path):
    assert doctor.check_disk(tmp_path / "catalog.sqlite").ok
    monkeypatch.setattr(doctor, "MIN_FREE_BYTES", 1 << 62)
    check = doctor.check_disk(tmp_path / "catalog.sqlite")
    assert not check.ok and check.fix and "GB free" in check.detail


def test_catalog_health(tmp_path):
    path = tmp_path / "catalog.sqlite"
    assert doctor.check_catalog(path).ok  # none yet: the first scan makes it
    with Catalog(path):
        pass
    before = path.read_bytes()
    check = doctor.check_catalog(path)
    assert check.ok and check.facts["integrity"] == "ok"
    assert check.facts["schema"] == check.facts["schema_of_this_version"]
    assert path.read_bytes() == before  # opened read-only

    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    assert not doctor.check_catalog(other).ok

    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(before[:100] + b"\xff" * (len(before) - 100))
    check = doctor.check_catalog(broken)
    assert not check.ok and check.fix.startswith("mv ")


@pytest.mark.slow
def test_doctor_json_lists_every_check(tmp_path):
    result = subprocess.run([sys.executable, "-m", "photoorg.engine.cli", "doctor", "--json",
                             "--catalog", str(tmp_path / "c.sqlite")], capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout)
    assert [c["name"] for c in report["checks"]] == list(doctor.CHECKS)
    for check in report["checks"]:
        assert check["status"] in ("ok", "missing", "unavailable") and check["detail"]
        assert check["ok"] or check["fix"] or check["name"] == "gpu", check
    required_ok = all(c["ok"] for c in report["checks"] if c["required"])
    assert report["ok"] == required_ok and result.returncode == (0 if required_ok else 1)

"""The project installs as one ``photoorg`` namespace and the engine is Qt-free."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _packages_on_disk() -> set[str]:
    found = set()
    for top, prefix in (("engine", "photoorg.engine"), ("app", "photoorg.app"), ("resources", "photoorg.resources")):
        for init in (REPO / top).rglob("__init__.py"):
            rel = init.parent.relative_to(REPO / top)
            found.add(".".join([prefix, *rel.parts]) if rel.parts else prefix)
    return found


def test_every_package_is_listed_in_pyproject():
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    assert _packages_on_disk() == listed


def test_engine_never_imports_qt():
    offenders = []
    for path in (REPO / "engine").rglob("*.py"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.match(r"\s*(from|import)\s+(PySide6|PyQt\d|shiboken\d)\b", line):
                offenders.append(f"{path.relative_to(REPO)}:{n}")
    assert offenders == []


def test_importing_every_engine_module_loads_no_qt():
    modules = [
        "photoorg.engine." + ".".join(p.relative_to(REPO / "engine").with_suffix("").parts)
        for p in (REPO / "engine").rglob("*.py") if p.name not in ("__init__.py", "__main__.py")
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n    importlib.import_module(m)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_opens_with_setup_and_test_commands_and_ci_runs_the_latter():
    readme = (REPO / "README.md").read_text().splitlines()
    block = readme[readme.index("```sh") + 1: readme.index("```sh") + 3]
    assert "packaging/setup.sh" in block[0] and "photoorg" in block[0]
    assert "pytest" in block[1]
    assert block[1] in (REPO / ".ci" / "run").read_text()


def test_no_runtime_downloads_in_shipped_code():
    pattern = re.compile(r"torch\.hub|load_state_dict_from_url|hf_hub_download|snapshot_download|urlretrieve|requests\.get\(")
    hits = [str(p) for top in ("engine", "app") for p in (REPO / top).rglob("*.py") if pattern.search(p.read_text())]
    assert hits == []


def test_cli_imports_only_the_named_subcommand():
    from photoorg.engine.cli import _command_module, _no_positional

    assert _command_module(["--catalog", "/x.sqlite", "scan", "/photos"]) == "scan_cmd"
    assert _command_module(["clean-series", "--dry-run"]) == "clean_series_cmd"
    assert _command_module(["--catalog", "/x.sqlite"]) is None
    assert _no_positional(["--catalog", "/x.sqlite", "--json"])
    assert not _no_positional(["bogus"])

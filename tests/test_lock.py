"""The lock: every dependency of pyproject.toml pinned with hashes, the
development lock a superset of the runtime one at the same versions, torch the
CPU build, and the set-up installing from it with hashes required."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
PACKAGING = REPO / "packaging"
FIX = "run packaging/lock.sh --keep to lock it"


def _pins(lock: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of a pip requirements file with hashes."""
    pins = {}
    for block in re.split(r"\n(?=\S)", lock.read_text()):
        head = block.split("\\", 1)[0].strip()
        if not head or head.startswith("#"):
            continue
        name, version = head.split("==")
        pins[canonicalize_name(name)] = (version.strip(), re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return pins


def test_every_pin_has_hashes_and_an_exact_version():
    for name in ("requirements.lock", "requirements-dev.lock", "requirements-nodeps.lock", "requirements-cuda.lock"):
        pins = _pins(PACKAGING / name)
        assert pins, name
        for package, (version, hashes) in pins.items():
            assert hashes, f"{name}: {package} has no hash"
            Version(version)  # an exact, valid version


def test_the_lock_satisfies_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    runtime, dev = _pins(PACKAGING / "requirements.lock"), _pins(PACKAGING / "requirements-dev.lock")
    wanted = [(r, runtime) for r in project["project"]["dependencies"]]
    wanted += [(r, dev) for r in project["project"]["optional-dependencies"]["dev"]]
    wanted += [(r, runtime) for r in project["build-system"]["requires"]]  # built without isolation
    for text, pins in wanted:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in the lock; {FIX}"
        assert req.specifier.contains(pins[name][0], prereleases=True), \
            f"the lock's {req.name}=={pins[name][0]} does not satisfy {text}; {FIX}"
    for name, (version, _) in runtime.items():
        assert dev.get(name, (None,))[0] == version, f"{name}: the development lock has another version"


def test_torch_is_the_cpu_build_and_setup_requires_hashes():
    assert _pins(PACKAGING / "requirements.lock")["torch"][0].endswith("+cpu")
    setup = (PACKAGING / "setup.sh").read_text()
    installs = [line for line in setup.splitlines() if '"${pip[@]}"' in line and " -r " in line]
    assert len(installs) == 3 and all("--require-hashes" in line for line in installs)
    assert "packaging/setup.sh --dev" in (REPO / ".ci" / "run").read_text()

#!/usr/bin/env bash
# Create or update the project's virtual environment in .venv (idempotent),
# with exactly the versions and files of the lock (pip --require-hashes).
#   packaging/setup.sh          runtime only      (packaging/requirements.lock)
#   packaging/setup.sh --dev    plus the test tools (packaging/requirements-dev.lock)
# Run as root on a Debian-like system, it also installs the system packages
# that the window (Qt's xcb libraries) and, with --dev, the tests need
# (packaging/system-packages.sh); elsewhere it names what is missing.
# packaging/lock.sh upgrades the lock.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1
venv=${PHOTOORG_VENV:-.venv}            # lock.sh tests a new lock in another one
locks=${PHOTOORG_LOCK_DIR:-packaging}
lock=$locks/requirements.lock
[ "$dev" = 1 ] && lock=$locks/requirements-dev.lock

if [ -z "${PHOTOORG_NO_SYSTEM_PACKAGES:-}" ]; then
    packaging/system-packages.sh $([ "$dev" = 1 ] && echo --dev) || true
fi

if [ ! -x "$venv/bin/python" ]; then
    py=""
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
            py=$candidate; break
        fi
    done
    [ -n "$py" ] || { echo "setup: Python 3.11 is required" >&2; exit 1; }
    "$py" -m venv "$venv"
fi

stamp=$venv/.photoorg-setup
want="$(cat pyproject.toml packaging/setup.sh "$lock" "$locks"/requirements-{nodeps,cuda}.lock | sha256sum | cut -c1-16)-$dev-${PHOTOORG_CUDA:-}"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi

pip=("$venv/bin/python" -m pip install --disable-pip-version-check -q --no-input)
# The lock names the CPU build of torch (torch==...+cpu), which is not on
# PyPI: pip takes it from a find-links folder of its configuration where
# there is one (the build machines keep the wheel on disk), else from
# PyTorch's CPU index. Either way its hash must match the lock's.
torch_pin=$(grep -o '^torch==[^ ]*' "$lock")
torch_source=()
if ! "$venv/bin/python" -m pip install --dry-run --no-index --no-deps -q "$torch_pin" >/dev/null 2>&1; then
    torch_source=(--extra-index-url "${PHOTOORG_TORCH_INDEX:-https://download.pytorch.org/whl/cpu}")
fi
# Every package of the lock, each checked against its hashes; --no-deps
# because the lock already holds the whole resolved set.
"${pip[@]}" --require-hashes --no-deps "${torch_source[@]}" -r "$lock"
# Packages whose declared dependencies are wrong for us (see packaging/nodeps.in).
"${pip[@]}" --require-hashes --no-deps -r "$locks/requirements-nodeps.lock"
# With an NVIDIA driver (or PHOTOORG_CUDA=1): the CUDA libraries that the
# locked onnxruntime-gpu loads; without one, ONNX Runtime runs on the CPU.
if [ -n "${PHOTOORG_CUDA:-}" ] || { [ -z "${PHOTOORG_NO_CUDA:-}" ] && ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1'; }; then
    "${pip[@]}" --require-hashes --no-deps -r "$locks/requirements-cuda.lock"
fi
# The project itself, editable, built with the locked setuptools (no
# isolated build environment, so nothing unlocked is fetched). The build's
# chatter is shown only when it fails.
log=$(mktemp)
"${pip[@]}" --no-deps --no-build-isolation -e . >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 1; }
rm -f "$log"
echo "$want" > "$stamp"
echo "setup: $venv is ready from $lock ($("$venv/bin/python" -c 'import torch, onnxruntime; print("torch", torch.__version__, "onnxruntime", onnxruntime.__version__)'))" >&2
# What this machine still lacks for the window (Qt's libraries, exiftool...),
# each with the command that installs it; never fails the set-up.
"$venv/bin/photoorg" doctor --only qt-window ffmpeg exiftool trash 2>/dev/null \
    | awk '/^(missing|unavailable)/ {show = 1; print "setup: " $0; next} /^ / {if (show) print "setup: " $0; next} {show = 0}' >&2 || true

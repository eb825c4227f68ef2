#!/usr/bin/env bash
# Upgrade the lock: re-resolve every dependency to the newest release that
# pyproject.toml allows, install exactly that set into a throwaway virtual
# environment the way packaging/setup.sh does, run the tests there, and only
# when they pass replace the lock files in packaging/.
#
#   packaging/lock.sh                  re-resolve, test, update the locks
#   packaging/lock.sh --keep           keep today's pins where still allowed
#                                      (after adding a dependency)
#   packaging/lock.sh --no-test        write the locks without testing them
#
# The lock files (hashes of every file pip may install):
#   packaging/requirements.lock         what the window and commands need
#   packaging/requirements-dev.lock     that plus the test tools (same versions)
#   packaging/requirements-nodeps.lock  packages installed without their
#                                       declared dependencies (see nodeps.in)
#   packaging/requirements-cuda.lock    the CUDA libraries of the locked
#                                       onnxruntime-gpu (machines with an NVIDIA driver)
set -euo pipefail
cd "$(dirname "$0")/.."

# The resolver, pinned so that the same inputs give the same lock.
UV_VERSION=0.13.8
# torch stays the CPU build: pyproject's "torch>=2.3" would otherwise resolve
# to a multi-GB CUDA build. Inference runs on ONNX Runtime (onnxruntime-gpu,
# which runs on the CPU too and on CUDA where its libraries load).
TORCH_PIN="torch==2.13.0+cpu"
# Target: CPython 3.11 on x86_64 Linux with glibc 2.34 or newer (Debian 12,
# Ubuntu 22.04, Fedora 35 and later), like the machines the tests run on.
PLATFORM=(--python-version 3.11 --python-platform x86_64-manylinux_2_34)

keep=0 test=1
for arg in "$@"; do
    case "$arg" in
        --keep) keep=1 ;;
        --no-test) test=0 ;;
        *) echo "usage: packaging/lock.sh [--keep] [--no-test]" >&2; exit 2 ;;
    esac
done

# Where the CPU torch wheel comes from: PHOTOORG_TORCH_WHEELS (a folder or a
# page of links), else a find-links folder of pip's own configuration that
# holds it (the build machines keep it on disk), else PyTorch's CPU index.
torch_file="torch-${TORCH_PIN#torch==}-cp311-cp311-*.whl"
torch_links=${PHOTOORG_TORCH_WHEELS:-}
if [ -z "$torch_links" ]; then
    for dir in $(python3 -m pip config list 2>/dev/null | sed -n "s/.*find-links='\(.*\)'/\1/p") ${PIP_FIND_LINKS:-}; do
        if compgen -G "$dir/$torch_file" >/dev/null; then torch_links=$dir; break; fi
    done
fi
torch_links=${torch_links:-https://download.pytorch.org/whl/cpu/torch/}

work=build/lock
rm -rf "$work/new" && mkdir -p "$work/new"
tools=$work/uv-$UV_VERSION
if [ ! -x "$tools/bin/uv" ]; then
    python3 -m venv "$tools"
    "$tools/bin/python" -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
fi
uv=("$tools/bin/uv" pip compile -q --generate-hashes "${PLATFORM[@]}"
    --custom-compile-command "packaging/lock.sh" --find-links "$torch_links")

# Inputs: pyproject.toml's dependencies, its build requirements (the project
# is installed without build isolation, so they are locked too) and the torch pin.
python3 - >"$work/build-system.in" <<'EOF'
import tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))
EOF
echo "$TORCH_PIN" >"$work/torch.txt"
keep_pins=()
if [ "$keep" = 1 ]; then
    # Today's pins as preferences (the output file's pins are kept by uv).
    cp packaging/requirements*.lock "$work/new/"
else
    keep_pins=(--upgrade)
fi

echo "lock: resolving (torch from $torch_links)" >&2
"${uv[@]}" "${keep_pins[@]}" pyproject.toml "$work/build-system.in" --extra dev -c "$work/torch.txt" \
    -o "$work/new/requirements-dev.lock"
# The runtime set takes the versions of the development set.
"${uv[@]}" "${keep_pins[@]}" pyproject.toml "$work/build-system.in" -c "$work/torch.txt" \
    -c "$work/new/requirements-dev.lock" -o "$work/new/requirements.lock"
"${uv[@]}" --no-deps "${keep_pins[@]}" packaging/nodeps.in -o "$work/new/requirements-nodeps.lock"
# For machines with an NVIDIA driver: the CUDA and cuDNN libraries that the
# locked onnxruntime-gpu build loads (setup.sh adds them there).
echo "onnxruntime-gpu[cuda,cudnn]" >"$work/cuda.in"
"${uv[@]}" "${keep_pins[@]}" "$work/cuda.in" -c "$work/new/requirements-dev.lock" \
    -o "$work/new/requirements-cuda.lock"

if [ "$test" = 1 ]; then
    echo "lock: installing the new lock into $work/venv and running the tests" >&2
    rm -rf "$work/venv"
    PHOTOORG_VENV="$work/venv" PHOTOORG_LOCK_DIR="$work/new" PHOTOORG_NO_SYSTEM_PACKAGES=1 \
        packaging/setup.sh --dev
    if ! "$work/venv/bin/python" -m pytest -q -x -p no:cacheprovider; then
        echo "lock: the tests failed with the new versions; the lock is unchanged (new files in $work/new)" >&2
        exit 1
    fi
fi
for name in requirements.lock requirements-dev.lock requirements-nodeps.lock requirements-cuda.lock; do
    cp "$work/new/$name" "packaging/$name"
done
git --no-pager diff --stat -- packaging/*.lock 2>/dev/null || true
echo "lock: updated; run packaging/setup.sh --dev to install it into .venv, then commit packaging/*.lock" >&2

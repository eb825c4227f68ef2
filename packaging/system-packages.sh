#!/usr/bin/env bash
# The system packages the organizer uses, on a Debian-like system (Debian 12,
# Ubuntu 22.04 or later). Run as root with apt-get, this installs the missing
# ones quietly; otherwise it prints the command that would. Never fails: a
# missing package costs one feature (named by `photoorg doctor`), not the set-up.
#   packaging/system-packages.sh           the window and the tools it uses
#   packaging/system-packages.sh --dev     plus what the tests use
#   packaging/system-packages.sh --list [--dev]   print the package names
set -uo pipefail

# Qt's xcb platform plugin (a real window on X11/XWayland) and what it loads.
WINDOW="libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
libxcb-shape0 libxcb-randr0 libxcb-xfixes0 libxcb-sync1 libxcb-xkb1 libxkbcommon0 libxkbcommon-x11-0
libx11-xcb1 libegl1 libgl1 libfontconfig1 libdbus-1-3"
# Qt Multimedia (the window's video player, with sound) loads PulseAudio's
# client library.
WINDOW="$WINDOW libpulse0"
# exiftool reads and checks XMP sidecars; trash-cli lists the desktop trash.
TOOLS="libimage-exiftool-perl trash-cli"
# The tests: a virtual X screen, the desktop entry and AppStream validators,
# strace (the offline test traces every network system call where it can).
DEV="xvfb xauth desktop-file-utils appstream strace"

dev=0 list=0
for arg in "$@"; do
    case "$arg" in
        --dev) dev=1 ;;
        --list) list=1 ;;
        *) echo "usage: packaging/system-packages.sh [--dev] [--list]" >&2; exit 0 ;;
    esac
done
wanted="$WINDOW $TOOLS"
[ "$dev" = 1 ] && wanted="$wanted $DEV"
wanted=$(echo $wanted)  # one line

if [ "$list" = 1 ]; then
    echo "$wanted"
    exit 0
fi
command -v dpkg-query >/dev/null && command -v apt-get >/dev/null || exit 0

missing=""
for package in $wanted; do
    dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing="$missing $package"
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" != 0 ]; then
    echo "setup: some system packages are missing; install them with:" >&2
    echo "  sudo apt-get install --no-install-recommends$missing" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
install=(apt-get install -y -q --no-install-recommends $missing)
if ! "${install[@]}" >/dev/null 2>&1; then
    # A fresh machine has no package lists yet.
    apt-get update -q >/dev/null 2>&1
    "${install[@]}" >/dev/null 2>&1 \
        || echo "setup: could not install$missing; the features (and tests) that need them are unavailable" >&2
fi
exit 0

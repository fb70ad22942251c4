#!/bin/sh
# Runs a command on a private D-Bus session bus with a fresh GNOME keyring, unlocked, serving
# the Secret Service; HOME and the XDG directories point into a throwaway directory so that no
# real keyring is read or written.
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 command [argument...]" >&2
    exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -m 0700 "$tmp/run" "$tmp/data"
status=0
HOME="$tmp" XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run" dbus-run-session -- sh -c '
    eval "$(printf test | gnome-keyring-daemon --unlock --components=secrets)"
    export GNOME_KEYRING_CONTROL
    exec "$@"' sh "$@" || status=$?
exit "$status"

#!/usr/bin/env bash
# Builds the .deb with CPack when it is missing or older than the binary, checks its control fields and
# contents, validates the desktop entry and the AppStream metadata, then unpacks it into an empty root and
# starts the packaged binary headless: /health answers and the admin API creates a user.
#
#   test_deb.sh BUILD_DIR
#
# MAESTRO_TEST_DPKG_INSTALL=1 (as root) also installs the package for real with dpkg -i and apt-get -f.
set -euo pipefail

build=$(cd "${1:?usage: test_deb.sh BUILD_DIR}" && pwd)
work=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
arch=$(dpkg --print-architecture)
deb=$build/model-maestro_${version}_${arch}.deb
app_id=io.github.modelmaestro.ModelMaestro

source=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Rebuilt when anything it is made of changed since: the binary, the CPack config, the packaged files.
stale() {
    [ ! -f "$deb" ] && return 0
    [ -n "$(find "$build/bin/model-maestro" "$build/CPackConfig.cmake" "$source/installer/linux" \
        "$source/resources/icons" -newer "$deb" -print -quit)" ]
}
if stale; then
    echo "== building $(basename "$deb") with cpack"
    (cd "$build" && cpack -G DEB --config CPackConfig.cmake) >"$work/cpack.log" 2>&1 \
        || { cat "$work/cpack.log" >&2; echo "FAIL: cpack" >&2; exit 1; }
fi
[ -f "$deb" ] || { echo "FAIL: $deb was not produced" >&2; exit 1; }
ok "package $(basename "$deb")"

echo "== control fields"
dpkg-deb --info "$deb"
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = model-maestro ] || fail "Package is '$(field Package)'"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', expected $version"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture is '$(field Architecture)', expected $arch"
[ "$(field Section)" = net ] || fail "Section is '$(field Section)'"
depends=$(field Depends)
# The plugins are loaded at run time (invisible to dpkg-shlibdeps); libqt6core6 proves shlibdeps ran.
for package in libqt6sql6-sqlite libqt6sql6-psql libsecret-1-0 libqt6core6 libqt6network6; do
    grep -Eq "(^|, )$package( |,|$)" <<<"$depends" || fail "Depends lacks $package: $depends"
done
grep -q gnome-keyring <<<"$(field Recommends)" || fail "Recommends lacks gnome-keyring"
ok "control fields"

echo "== contents"
dpkg-deb --contents "$deb" | awk '{print $NF}' >"$work/contents"
expected=(
    ./usr/bin/model-maestro
    "./usr/share/applications/$app_id.desktop"
    "./usr/share/metainfo/$app_id.metainfo.xml"
    "./usr/share/icons/hicolor/scalable/apps/$app_id.svg"
    ./usr/lib/systemd/user/model-maestro.service
)
for size in 16 32 48 64 128 256; do
    expected+=("./usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png")
done
for path in "${expected[@]}"; do
    grep -qxF "$path" "$work/contents" || fail "package lacks $path"
done
ok "contents (${#expected[@]} files checked)"

echo "== unpacking into an empty root"
root=$work/root
mkdir "$root"
dpkg-deb -x "$deb" "$root"
[ -x "$root/usr/bin/model-maestro" ] || fail "usr/bin/model-maestro is not executable"
grep -qx 'ExecStart=/usr/bin/model-maestro --headless --listen 127.0.0.1:8000' \
    "$root/usr/lib/systemd/user/model-maestro.service" || fail "the user unit does not start the gateway headless"

if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$root/usr/share/applications/$app_id.desktop" || fail "desktop-file-validate"
    ok "desktop entry valid"
else
    echo "skip: desktop-file-validate not installed (desktop-file-utils)"
fi
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net "$root/usr/share/metainfo/$app_id.metainfo.xml" || fail "appstreamcli validate"
    ok "AppStream metadata valid"
else
    echo "skip: appstreamcli not installed (appstream)"
fi

echo "== starting the packaged binary"
# A private HOME and no session bus: nothing of the caller's keychain or data is touched.
export HOME=$work/home MAESTRO_ADMIN_TOKEN=pkg-test-admin-$RANDOM$RANDOM
mkdir -p "$HOME"
env -u DBUS_SESSION_BUS_ADDRESS -u DISPLAY -u WAYLAND_DISPLAY \
    "$root/usr/bin/model-maestro" --headless --listen 127.0.0.1:0 --data-dir "$work/data" \
    >"$work/stdout" 2>"$work/stderr" &
pid=$!
url=
for _ in $(seq 300); do
    url=$(sed -n 's/^Model Maestro listening on \(http:\/\/[^ ]*\)$/\1/p' "$work/stdout")
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$url" ]; then
    cat "$work/stdout" "$work/stderr" >&2
    echo "FAIL: no ready line from the packaged binary" >&2
    exit 1
fi
ok "ready at $url"

health=$(curl -sS --max-time 10 "$url/health")
grep -q '"status": *"healthy"' <<<"$health" || fail "/health answered: $health"
ok "/health: $health"

status=$(curl -sS --max-time 10 -o "$work/user.json" -w '%{http_code}' "$url/admin/users" \
    -H "Authorization: Bearer $MAESTRO_ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d '{"username":"pkg"}')
[ "$status" = 201 ] || fail "POST /admin/users answered $status: $(cat "$work/user.json")"
grep -q '"token"' "$work/user.json" || fail "the new user has no token: $(cat "$work/user.json")"
ok "POST /admin/users -> $status"

kill -TERM "$pid"
code=0
wait "$pid" || code=$?
pid=
[ "$code" = 0 ] || { cat "$work/stderr" >&2; fail "exit status $code after SIGTERM"; }
ok "exit $code after SIGTERM"

if [ "${MAESTRO_TEST_DPKG_INSTALL:-0}" = 1 ]; then
    echo "== installing with dpkg -i"
    if [ "$(id -u)" -ne 0 ]; then
        fail "MAESTRO_TEST_DPKG_INSTALL=1 needs root"
    else
        dpkg -i "$deb" || DEBIAN_FRONTEND=noninteractive apt-get install -f -y -qq
        dpkg-query -W -f='${Status}\n' model-maestro | grep -q "install ok installed" || fail "dpkg -i"
        /usr/bin/model-maestro --version || fail "the installed binary does not run"
        ok "installed with dpkg"
    fi
fi

if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all package checks passed"

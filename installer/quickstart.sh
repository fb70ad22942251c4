#!/usr/bin/env bash
# Installs what Model Maestro needs from Debian 12, builds it, and then either starts it or runs
# every test. Run from a clone, as root (or with sudo available).
#
#   installer/quickstart.sh run   [app arguments...]   build and start the app
#   installer/quickstart.sh test                       build and run the whole test suite
#
# Environment: BUILD_DIR (default ./build), JOBS (default: number of cores).
set -euo pipefail

mode=${1:-run}
[ $# -gt 0 ] && shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$here/build}
jobs=${JOBS:-$(nproc)}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

build_packages=(build-essential cmake ninja-build ccache pkg-config
    qt6-base-dev qt6-httpserver-dev qt6-websockets-dev qt6-tools-dev qt6-l10n-tools
    qt6-translations-l10n libqt6sql6-sqlite libqt6sql6-psql qtkeychain-qt6-dev
    libgl-dev)
test_packages=(curl file desktop-file-utils appstream)

install_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "== installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

configure_and_build() {
    echo "== building in $build"
    cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$build" --parallel "$jobs"
}

case "$mode" in
run)
    install_packages "${build_packages[@]}"
    configure_and_build -DMAESTRO_TESTS=OFF
    args=("$@")
    if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        args=(--headless "${args[@]}")
    fi
    echo "== starting $build/bin/model-maestro ${args[*]}"
    exec "$build/bin/model-maestro" "${args[@]}"
    ;;
test)
    install_packages "${build_packages[@]}" "${test_packages[@]}"
    # The official client SDK tests need Node.js 18 or newer with npm.
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        install_packages nodejs npm
    fi
    (cd "$here/tests/npm" && npm ci --no-audit --no-fund --loglevel=error)
    configure_and_build -DMAESTRO_TESTS=ON
    echo "== running the tests"
    cd "$build"
    ctest --output-on-failure --timeout 300 -j "$jobs"
    ;;
*)
    echo "usage: $0 run [app arguments...] | test" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# Installs what Model Maestro needs from Debian 12, builds it, and then either starts it or runs
# every test. Run from a clone, as root (or with sudo available).
#
#   installer/quickstart.sh run   [app arguments...]   build and start the app
#   installer/quickstart.sh test                       build and run the whole test suite
#
# `run` builds with the default compiler in BUILD_DIR. `test` makes two clang-14 builds and
# exits non-zero when any test of either fails:
#   1. ASan+UBSan with the libFuzzer targets (ASAN_BUILD_DIR, default ./build-asan): the whole
#      suite, including a short run of every fuzzer;
#   2. TSan, GUI-less, warnings as errors (TSAN_BUILD_DIR, default ./build-tsan): only the
#      targets of the gateway suites (ctest -L gateway), run with two I/O threads per gateway
#      (MAESTRO_TSAN=0 skips it).
# It prints how long each build and each test run took. ccache keeps repeated runs fast.
#
# Environment: BUILD_DIR (default ./build), ASAN_BUILD_DIR, TSAN_BUILD_DIR, JOBS (default: number
# of cores).
# `test` starts a throwaway PostgreSQL cluster on 127.0.0.1 (port 54329, or the next free one) so
# the storage and gateway suites also run against PostgreSQL; it is stopped when the script ends.
# Set MAESTRO_TEST_PG_URL=postgresql://user:pass@host:port/db to use an existing server instead.
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
    libgl-dev zlib1g-dev libssl-dev)
test_packages=(curl postgresql file desktop-file-utils appstream dbus gnome-keyring libsecret-1-0)
# The sanitizer and fuzzer builds of `test`: clang 14 with its sanitizer runtimes, libFuzzer and
# llvm-symbolizer (llvm-14) for readable stack traces.
sanitizer_packages=(clang-14 llvm-14 libclang-rt-14-dev libfuzzer-14-dev)

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

# Runs a PostgreSQL program as the cluster's owner: the server refuses to run as root.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_dir=
pg_bin=
stop_test_postgres() {
    [ -n "$pg_dir" ] || return 0
    as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
    pg_dir=
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start_test_postgres() {
    if [ -n "${MAESTRO_TEST_PG_URL:-}" ]; then
        echo "== PostgreSQL tests use MAESTRO_TEST_PG_URL"
        return 0
    fi
    if [ -x /usr/lib/postgresql/15/bin/pg_ctl ]; then
        pg_bin=/usr/lib/postgresql/15/bin
    else
        pg_bin=$(dirname "$(command -v pg_ctl)")
    fi
    # Under /tmp: the postgres user must reach it, and socket paths must stay short.
    pg_dir=$(mktemp -d /tmp/maestro-pg.XXXXXX)
    trap stop_test_postgres EXIT
    trap 'exit 130' INT TERM
    mkdir -p "$pg_dir/data" "$pg_dir/socket"
    [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$pg_dir"
    # Local socket connections are trusted: the socket directory is private to the owner.
    as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth-local=trust \
        --auth-host=scram-sha-256 >"$pg_dir/initdb.log" 2>&1 \
        || { cat "$pg_dir/initdb.log" >&2; return 1; }
    local port=${MAESTRO_TEST_PG_PORT:-54329} tries=0
    # Durability is pointless for a cluster that is deleted afterwards; speed is not.
    until ! port_in_use "$port" && as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
        -o "-p $port -k $pg_dir/socket -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; do
        tries=$((tries + 1))
        if [ "$tries" -ge 20 ]; then
            echo "could not start PostgreSQL on ports ${MAESTRO_TEST_PG_PORT:-54329}..$port" >&2
            cat "$pg_dir/server.log" >&2 2>/dev/null || true
            return 1
        fi
        port=$((port + 1))
    done
    as_pg "$pg_bin/psql" -q -h "$pg_dir/socket" -p "$port" -U postgres -d postgres \
        -c "CREATE ROLE maestro LOGIN PASSWORD 'maestro' CREATEDB" >/dev/null
    export MAESTRO_TEST_PG_URL="postgresql://maestro:maestro@127.0.0.1:$port/postgres"
    echo "== PostgreSQL for the tests on 127.0.0.1:$port"
}

configure_and_build() {
    echo "== building in $build"
    cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$build" --parallel "$jobs"
}

# Stage timings, printed at the end of `test`.
timings=()
stage_started=0
begin_stage() {
    echo "== $1"
    stage_started=$SECONDS
}
end_stage() {
    local seconds=$((SECONDS - stage_started))
    timings+=("$(printf '%-28s %4d min %02d s  %s' "$1" $((seconds / 60)) $((seconds % 60)) "$2")")
}
print_timings() {
    echo "== stage times"
    printf '   %s\n' "${timings[@]}"
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
    install_packages "${build_packages[@]}" "${test_packages[@]}" "${sanitizer_packages[@]}"
    # The official client SDK tests need Node.js 18 or newer with npm.
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        install_packages nodejs npm
    fi
    (cd "$here/tests/npm" && npm ci --no-audit --no-fund --loglevel=error)
    asan_build=${ASAN_BUILD_DIR:-$here/build-asan}
    tsan_build=${TSAN_BUILD_DIR:-$here/build-tsan}
    # One cache for every clone and build dir of this machine: paths below the source dir are
    # hashed relative to it.
    export CCACHE_BASEDIR=$here
    # llvm-symbolizer turns sanitizer stack traces into function names and lines.
    export PATH=/usr/lib/llvm-14/bin:$PATH
    export CC=clang-14 CXX=clang++-14
    start_test_postgres
    failed=()

    begin_stage "ASan+UBSan build"
    cmake -S "$here" -B "$asan_build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMAESTRO_TESTS=ON \
        -DMAESTRO_SANITIZE="address;undefined" -DMAESTRO_FUZZ=ON >/dev/null
    cmake --build "$asan_build" --parallel "$jobs"
    end_stage "ASan+UBSan build" "$asan_build"

    begin_stage "ASan+UBSan tests (all)"
    (cd "$asan_build" && ctest --output-on-failure --timeout 600 -j "$jobs") || failed+=("ASan+UBSan tests")
    end_stage "ASan+UBSan tests (all)" "ctest in $asan_build"

    # The TSan build is also the GUI-less build with every warning an error (clang): all of it is
    # built; the gateway suites, which run the I/O threads, are the ones run under TSan.
    if [ "${MAESTRO_TSAN:-1}" = 1 ]; then
    begin_stage "TSan build (GUI-less, -Werror)"
    cmake -S "$here" -B "$tsan_build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMAESTRO_TESTS=ON \
        -DMAESTRO_GUI=OFF -DMAESTRO_WERROR=ON -DMAESTRO_SANITIZE=thread >/dev/null
    cmake --build "$tsan_build" --parallel "$jobs"
    end_stage "TSan build (GUI-less, -Werror)" "$tsan_build"

    begin_stage "TSan tests (ctest -L gateway)"
    (cd "$tsan_build" && MAESTRO_TEST_IO_THREADS=2 ctest -L gateway --output-on-failure --timeout 900 -j "$jobs") \
        || failed+=("TSan gateway tests")
    end_stage "TSan tests (ctest -L gateway)" "2 I/O threads per gateway"
    fi

    print_timings
    if [ ${#failed[@]} -gt 0 ]; then
        echo "== FAILED: ${failed[*]}" >&2
        exit 1
    fi
    echo "== all tests passed"
    ;;
*)
    echo "usage: $0 run [app arguments...] | test" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# Measures what the gateway costs on top of the model server, against plain nginx as a yardstick.
#
#   tests/benchmarks/run.sh <build-dir> [--no-gateway]
#
# Starts the fake upstream (OpenAI dialect, no delay), nginx as a keep-alive reverse proxy to it,
# and <build-dir>/bin/model-maestro configured through its admin API. With wrk, for each of
# direct / nginx / gateway: latency p50/p99 at concurrency 1 and throughput at concurrency 50 on a
# non-streamed chat completion. Then 200 concurrent streams through the gateway to a second, slow
# fake upstream (streams.mjs). The machine is shared and small, so absolute numbers are noisy:
# compare the derived differences and ratios.
#
# Environment: BENCH_DURATION (seconds per wrk run, default 5), BENCH_STREAMS (default 200),
# BENCH_KEEP_TMP=1 keeps the temporary directory (logs, nginx.conf, gateway data).
# --no-gateway measures direct and nginx only and runs the streams directly against the upstream.
# Exit status: 0 when everything ran and no request failed.

set -euo pipefail

usage() {
    echo "usage: $0 <build-dir> [--no-gateway]" >&2
    exit 2
}

[[ $# -ge 1 ]] || usage
BUILD_DIR=$(cd "$1" 2>/dev/null && pwd) || { echo "run.sh: no build directory '$1'" >&2; exit 2; }
shift
WITH_GATEWAY=1
while [[ $# -gt 0 ]]; do
    case $1 in
    --no-gateway) WITH_GATEWAY=0 ;;
    *) usage ;;
    esac
    shift
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DURATION=${BENCH_DURATION:-5}
STREAMS=${BENCH_STREAMS:-200}
ADMIN_TOKEN=bench-admin
FAKE=$BUILD_DIR/bin/fake-upstream
GATEWAY=$BUILD_DIR/bin/model-maestro

die() {
    echo "run.sh: $*" >&2
    exit 1
}

# nginx lives in /usr/sbin, which is not on every user's PATH.
NGINX=$(command -v nginx || true)
[[ -z $NGINX && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[[ -n $NGINX ]] || missing+=(nginx)
command -v node >/dev/null || missing+=(node)
command -v curl >/dev/null || missing+=(curl)
if [[ ${#missing[@]} -gt 0 ]]; then
    die "missing: ${missing[*]}. Install them with: apt-get install wrk nginx-light nodejs curl"
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
[[ $node_major -ge 18 ]] || die "node $node_major is too old: streams.mjs needs fetch (node 18 or later)"
[[ -x $FAKE ]] || die "$FAKE not found: build it with 'ninja -C $BUILD_DIR fake-upstream'"
if [[ $WITH_GATEWAY == 1 && ! -x $GATEWAY ]]; then
    die "$GATEWAY not found: build it with 'ninja -C $BUILD_DIR model-maestro' (or pass --no-gateway)"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/maestro-bench.XXXXXX")
PIDS=()

cleanup() {
    local status=$? pid i
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for ((i = 0; i < 50; i++)); do
        local alive=0
        for pid in "${PIDS[@]}"; do
            kill -0 "$pid" 2>/dev/null && alive=1
        done
        [[ $alive == 0 ]] && break
        sleep 0.1
    done
    for pid in "${PIDS[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    if [[ ${BENCH_KEEP_TMP:-0} == 1 || $status -ne 0 ]]; then
        echo "run.sh: logs kept in $TMP" >&2
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for <file> <extended regex> <timeout s> <pid>: prints the first match once it appears.
wait_for() {
    local file=$1 regex=$2 timeout=$3 pid=$4 i
    for ((i = 0; i < timeout * 10; i++)); do
        if grep -Eqo "$regex" "$file" 2>/dev/null; then
            grep -Eo "$regex" "$file" | head -n1
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 2
        sleep 0.1
    done
    return 1
}

# A free port for nginx; the race with other programs is harmless on a benchmark box.
free_port() {
    node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => {
        console.log(s.address().port); s.close(); })'
}

# start_fake <name> <args...>: sets FAKE_PORT.
start_fake() {
    local name=$1 line pid
    shift
    "$FAKE" --dialect openai --listen 127.0.0.1:0 --no-record "$@" \
        >"$TMP/$name.out" 2>"$TMP/$name.err" &
    pid=$!
    PIDS+=("$pid")
    line=$(wait_for "$TMP/$name.out" 'listening on http://[^ ]+' 10 "$pid") \
        || die "fake upstream '$name' did not start: $(tail -n5 "$TMP/$name.err")"
    FAKE_PORT=${line##*:}
}

# to_ms <wrk duration like 96.00us, 1.20ms, 1.01s>
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else printf "nan" }'
}

# wrk_errors <wrk output>: non-2xx responses plus socket errors.
wrk_errors() {
    awk '/Non-2xx or 3xx responses:/ { n += $NF }
         /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
         END { print n + 0 }' <<<"$1"
}

declare -A P50 P99 RPS ERRORS

# measure <label> <base url> <token or empty>
measure() {
    local label=$1 url=$2 token=$3 out
    echo "  $label: warm-up, latency (c=1), throughput (c=50)..." >&2
    BENCH_TOKEN=$token wrk -t2 -c50 -d1s -s "$HERE/post.lua" "$url" >/dev/null
    out=$(BENCH_TOKEN=$token wrk -t1 -c1 -d"${DURATION}s" --latency -s "$HERE/post.lua" "$url")
    echo "$out" >"$TMP/wrk-$label-latency.txt"
    P50[$label]=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
    P99[$label]=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
    local errors
    errors=$(wrk_errors "$out")
    out=$(BENCH_TOKEN=$token wrk -t2 -c50 -d"${DURATION}s" -s "$HERE/post.lua" "$url")
    echo "$out" >"$TMP/wrk-$label-throughput.txt"
    RPS[$label]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
    ERRORS[$label]=$((errors + $(wrk_errors "$out")))
}

# admin <method> <path> [json]: prints the response body; fails on anything but 2xx.
admin() {
    local method=$1 path=$2 body=${3-} out code
    local curl_args=(-sS --max-time 10 -X "$method" -H "Authorization: Bearer $ADMIN_TOKEN"
        -H 'Content-Type: application/json' --data "$body" -w '\n%{http_code}')
    out=$(curl "${curl_args[@]}" "$GATEWAY_URL$path") || {
        echo "run.sh: admin $method $path: no answer from the gateway" >&2
        return 1
    }
    code=${out##*$'\n'}
    out=${out%$'\n'*}
    if [[ $code != 2* ]]; then
        echo "run.sh: admin $method $path -> HTTP $code: $out" >&2
        return 1
    fi
    printf '%s' "$out"
}

json_field() {
    node -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
        const v = JSON.parse(s)[process.argv[1]]; if (v === undefined) process.exit(1);
        console.log(v); })' "$1"
}

# start_gateway: sets GATEWAY_URL and USER_TOKEN, or returns non-zero with a reason on stderr.
start_gateway() {
    local pid line
    MAESTRO_ADMIN_TOKEN=$ADMIN_TOKEN "$GATEWAY" --headless --listen 127.0.0.1:0 \
        --data-dir "$TMP/gateway-data" >"$TMP/gateway.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    if ! line=$(wait_for "$TMP/gateway.log" 'Model Maestro listening on http://[^ ]+' 30 "$pid"); then
        if kill -0 "$pid" 2>/dev/null; then
            echo "run.sh: the gateway printed no 'Model Maestro listening on' line within 30 s" >&2
        else
            echo "run.sh: the gateway exited during start-up" >&2
        fi
        echo "--- last lines of $TMP/gateway.log:" >&2
        tail -n 20 "$TMP/gateway.log" >&2
        return 1
    fi
    GATEWAY_URL=${line##* }
    GATEWAY_URL=${GATEWAY_URL%/}
    echo "gateway:         $GATEWAY_URL" >&2

    admin POST /admin/nodes "{\"name\":\"bench\",\"base_url\":\"http://127.0.0.1:$UP_PORT\",\"node_type\":\"openai\"}" >/dev/null || return 1
    admin POST /admin/nodes "{\"name\":\"bench-stream\",\"base_url\":\"http://127.0.0.1:$STREAM_PORT\",\"node_type\":\"openai\"}" >/dev/null || return 1
    local user
    user=$(admin POST /admin/users '{"username":"bench"}') || return 1
    USER_TOKEN=$(json_field token <<<"$user") || {
        echo "run.sh: POST /admin/users answered without a token: $user" >&2
        return 1
    }
    admin POST /admin/users/bench/models/all '' >/dev/null || return 1

    # Nodes' model lists may be fetched in the background: wait until both models answer.
    local model i code
    for model in bench-model bench-stream-model; do
        for ((i = 0; i < 100; i++)); do
            code=$(curl -s -o "$TMP/probe.json" -w '%{http_code}' --max-time 10 \
                -H "Authorization: Bearer $USER_TOKEN" -H 'Content-Type: application/json' \
                --data "{\"model\":\"$model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}" \
                "$GATEWAY_URL/v1/chat/completions" || true)
            [[ $code == 200 ]] && break
            sleep 0.2
        done
        if [[ $code != 200 ]]; then
            echo "run.sh: a chat completion for $model through the gateway still fails after 20 s:" \
                "HTTP $code $(head -c 300 "$TMP/probe.json" 2>/dev/null)" >&2
            return 1
        fi
    done
}

echo "== Model Maestro benchmark ($(nproc) cores, ${DURATION}s per run; temporary files in $TMP)"

start_fake upstream --models bench-model --delay-ms 0
UP_PORT=$FAKE_PORT
start_fake stream-upstream --models bench-stream-model --delay-ms 50 --words 20
STREAM_PORT=$FAKE_PORT
echo "fake upstream:   http://127.0.0.1:$UP_PORT (fast), http://127.0.0.1:$STREAM_PORT (streams)" >&2

NGINX_PORT=$(free_port)
mkdir -p "$TMP/nginx"
chmod 755 "$TMP" "$TMP/nginx" # nginx workers may run as another user
sed -e "s|@PREFIX@|$TMP/nginx|g" -e "s|@LISTEN_PORT@|$NGINX_PORT|g" \
    -e "s|@UPSTREAM_PORT@|$UP_PORT|g" "$HERE/nginx.conf.in" >"$TMP/nginx/nginx.conf"
"$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' \
    >"$TMP/nginx/stdout.log" 2>&1 &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
for ((i = 0; i < 100; i++)); do
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$NGINX_PORT/v1/models" && break
    kill -0 "$NGINX_PID" 2>/dev/null || die "nginx did not start: $(tail -n5 "$TMP/nginx/error.log" "$TMP/nginx/stdout.log")"
    sleep 0.1
done
echo "nginx:           http://127.0.0.1:$NGINX_PORT" >&2

GATEWAY_STATUS=0
if [[ $WITH_GATEWAY == 1 ]]; then
    if ! start_gateway; then
        GATEWAY_STATUS=1
        echo "run.sh: the gateway is not usable: measuring direct and nginx only" >&2
    fi
fi

echo "measuring..." >&2
TARGETS=(direct nginx)
measure direct "http://127.0.0.1:$UP_PORT" ""
measure nginx "http://127.0.0.1:$NGINX_PORT" ""
if [[ $WITH_GATEWAY == 1 && $GATEWAY_STATUS == 0 ]]; then
    TARGETS+=(gateway)
    measure gateway "$GATEWAY_URL" "$USER_TOKEN"
fi

echo
echo "Non-streamed chat completion (POST /v1/chat/completions)"
printf '%-10s %12s %12s %16s %8s\n' target "p50 ms c=1" "p99 ms c=1" "req/s c=50" errors
for t in "${TARGETS[@]}"; do
    printf '%-10s %12s %12s %16s %8s\n' "$t" "${P50[$t]}" "${P99[$t]}" "${RPS[$t]}" "${ERRORS[$t]}"
done
echo
diff_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.3f", a - b }'; }
printf 'added latency nginx-direct:    p50 %s ms   p99 %s ms\n' \
    "$(diff_ms "${P50[nginx]}" "${P50[direct]}")" "$(diff_ms "${P99[nginx]}" "${P99[direct]}")"
if [[ " ${TARGETS[*]} " == *" gateway "* ]]; then
    printf 'added latency gateway-direct:  p50 %s ms   p99 %s ms\n' \
        "$(diff_ms "${P50[gateway]}" "${P50[direct]}")" "$(diff_ms "${P99[gateway]}" "${P99[direct]}")"
    printf 'throughput gateway/nginx:      %s %%\n' \
        "$(awk -v g="${RPS[gateway]}" -v n="${RPS[nginx]}" 'BEGIN { printf "%.1f", (n > 0) ? 100 * g / n : 0 }')"
else
    echo "added latency gateway-direct:  n/a (gateway not measured)"
    echo "throughput gateway/nginx:      n/a"
fi
printf 'throughput nginx/direct:       %s %%\n' \
    "$(awk -v g="${RPS[nginx]}" -v n="${RPS[direct]}" 'BEGIN { printf "%.1f", (n > 0) ? 100 * g / n : 0 }')"

STATUS=0
for t in "${TARGETS[@]}"; do
    if [[ ${ERRORS[$t]} != 0 ]]; then
        echo "run.sh: $t answered ${ERRORS[$t]} requests with an error (see $TMP/wrk-$t-*.txt)" >&2
        STATUS=1
    fi
done

echo
if [[ $WITH_GATEWAY == 1 && $GATEWAY_STATUS == 0 ]]; then
    echo "$STREAMS concurrent streams through the gateway (upstream: 20 words, 50 ms apart)"
    STREAM_URL=$GATEWAY_URL
    STREAM_TOKEN=$USER_TOKEN
elif [[ $WITH_GATEWAY == 0 ]]; then
    echo "$STREAMS concurrent streams directly to the upstream (20 words, 50 ms apart)"
    STREAM_URL=http://127.0.0.1:$STREAM_PORT
    STREAM_TOKEN=
fi
if [[ -n ${STREAM_URL-} ]]; then
    node "$HERE/streams.mjs" --url "$STREAM_URL" --token "$STREAM_TOKEN" \
        --model bench-stream-model --count "$STREAMS" \
        --stats "http://127.0.0.1:$STREAM_PORT/__stats" || STATUS=1
else
    echo "concurrent streams: skipped, the gateway is not usable"
fi

if [[ $GATEWAY_STATUS != 0 ]]; then
    echo "run.sh: FAILED: the gateway could not be started or configured (see above)" >&2
    exit 1
fi
exit $STATUS

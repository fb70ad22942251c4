#!/usr/bin/env bash
# Measures what the gateway costs on top of the model server, against plain nginx as a yardstick,
# and prints every figure of the performance targets in one run.
#
#   tests/benchmarks/run.sh <build-dir> [--no-gateway]
#
# Upstreams: a static upstream (nginx answering every chat request from memory, far faster than
# the gateway, so what is measured behind it is the proxy's own cost), and the fake upstream
# (<build-dir>/bin/fake-upstream: a non-streamed model server, and a streaming one that sends 20
# words 50 ms apart). nginx also runs as a keep-alive reverse proxy to each. The gateway
# (<build-dir>/bin/model-maestro) is configured through its admin API.
#
# Figures, each against the direct upstream (and nginx) measured in the same run:
#  1. start-up time (data dir already initialised) and idle RSS after configuration;
#  2. non-streamed chat completions with wrk, static and fake upstream: mean and p50/p99 latency
#     at concurrency 1, throughput at concurrency 50;
#  3. time to the first streamed token, one request at a time (firsttoken.mjs; the median is
#     compared, as single samples on a shared machine have long tails);
#  4. BENCH_STREAMS concurrent streams (streams.mjs), direct and through the gateway: wall time
#     and the gateway's peak RSS while they run.
# The machine is shared and small, so absolute numbers are noisy: compare the derived differences
# and ratios.
#
# Environment: BENCH_DURATION (seconds per wrk run, default 5), BENCH_STREAMS (default 5000),
# BENCH_FIRST_TOKEN_SAMPLES (default 300), BENCH_KEEP_TMP=1 keeps the temporary directory (logs,
# nginx.conf, gateway data).
# --no-gateway measures direct and nginx only.
# Exit status: 0 when everything ran and no request failed (targets missed are reported, not
# failures).

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
STREAMS=${BENCH_STREAMS:-5000}
FIRST_TOKEN_SAMPLES=${BENCH_FIRST_TOKEN_SAMPLES:-300}
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

declare -A MEAN P50 P99 RPS ERRORS

# measure <label> <base url> <token or empty> <model>
measure() {
    local label=$1 url=$2 token=$3 model=$4 out errors
    echo "  $label: warm-up, latency (c=1), throughput (c=50)..." >&2
    BENCH_MODEL=$model BENCH_TOKEN=$token wrk -t2 -c50 -d1s -s "$HERE/post.lua" "$url" >/dev/null
    out=$(BENCH_MODEL=$model BENCH_TOKEN=$token wrk -t1 -c1 -d"${DURATION}s" --latency -s "$HERE/post.lua" "$url")
    echo "$out" >"$TMP/wrk-$label-latency.txt"
    MEAN[$label]=$(to_ms "$(awk '$1 == "Latency" { print $2; exit }' <<<"$out")")
    P50[$label]=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
    P99[$label]=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
    errors=$(wrk_errors "$out")
    out=$(BENCH_MODEL=$model BENCH_TOKEN=$token wrk -t2 -c50 -d"${DURATION}s" -s "$HERE/post.lua" "$url")
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

# rss_kib <pid> <VmRSS|VmHWM>
rss_kib() {
    awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# launch_gateway <log>: starts the gateway on the benchmark's data dir; sets GATEWAY_PID,
# GATEWAY_URL and START_MS (from exec to its "listening" line, polled every 2 ms).
launch_gateway() {
    local log=$1 t0 line i
    t0=$(date +%s%N)
    MAESTRO_ADMIN_TOKEN=$ADMIN_TOKEN "$GATEWAY" --headless --listen 127.0.0.1:0 \
        --data-dir "$TMP/gateway-data" >"$log" 2>&1 &
    GATEWAY_PID=$!
    PIDS+=("$GATEWAY_PID")
    for ((i = 0; i < 15000; i++)); do
        if line=$(grep -Eo 'Model Maestro listening on http://[^ ]+' "$log" 2>/dev/null); then
            START_MS=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.0f", (b - a) / 1e6 }')
            GATEWAY_URL=${line##* }
            GATEWAY_URL=${GATEWAY_URL%/}
            return 0
        fi
        if ! kill -0 "$GATEWAY_PID" 2>/dev/null; then
            echo "run.sh: the gateway exited during start-up; last lines of $log:" >&2
            tail -n 20 "$log" >&2
            return 1
        fi
        sleep 0.002
    done
    echo "run.sh: the gateway printed no 'Model Maestro listening on' line within 30 s" >&2
    return 1
}

# stop_gateway: TERM, then wait for it to exit (at most 10 s).
stop_gateway() {
    local i
    kill -TERM "$GATEWAY_PID" 2>/dev/null || return 0
    for ((i = 0; i < 100; i++)); do
        kill -0 "$GATEWAY_PID" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$GATEWAY_PID" 2>/dev/null || true
}

# chat_ok <model> <stream true|false>: whether a chat through the gateway answers 200.
chat_ok() {
    local code
    code=$(curl -s -o "$TMP/probe.json" -w '%{http_code}' --max-time 10 \
        -H "Authorization: Bearer $USER_TOKEN" -H 'Content-Type: application/json' \
        --data "{\"model\":\"$1\",\"stream\":$2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}" \
        "$GATEWAY_URL/v1/chat/completions" || true)
    [[ $code == 200 ]]
}

# start_gateway: starts and configures the gateway, restarts it to time a start on an initialised
# data dir, waits until every benchmark model answers. Sets GATEWAY_URL, GATEWAY_PID, USER_TOKEN,
# START_MS, FIRST_START_MS and IDLE_KIB, or returns non-zero with a reason on stderr.
start_gateway() {
    launch_gateway "$TMP/gateway-first.log" || return 1
    FIRST_START_MS=$START_MS
    echo "gateway:         $GATEWAY_URL (first start ${FIRST_START_MS} ms)" >&2
    local name port
    for name in static static-stream fake fake-stream; do
        case $name in
        static) port=$STATIC_PORT ;;
        static-stream) port=$STATIC_STREAM_PORT ;;
        fake) port=$UP_PORT ;;
        fake-stream) port=$STREAM_PORT ;;
        esac
        admin POST /admin/nodes "{\"name\":\"$name\",\"base_url\":\"http://127.0.0.1:$port\",\"node_type\":\"openai\"}" >/dev/null || return 1
    done
    local user
    user=$(admin POST /admin/users '{"username":"bench"}') || return 1
    USER_TOKEN=$(json_field token <<<"$user") || {
        echo "run.sh: POST /admin/users answered without a token: $user" >&2
        return 1
    }
    admin POST /admin/users/bench/models/all '' >/dev/null || return 1

    stop_gateway
    launch_gateway "$TMP/gateway.log" || return 1
    echo "gateway:         $GATEWAY_URL (restarted in ${START_MS} ms)" >&2

    # Nodes' model lists are fetched in the background: wait until every model answers.
    local model stream i
    for model in bench-static:false bench-static-stream:true bench-model:false bench-stream-model:true; do
        stream=${model#*:}
        model=${model%:*}
        for ((i = 0; i < 100; i++)); do
            chat_ok "$model" "$stream" && break
            sleep 0.2
        done
        if ((i == 100)); then
            echo "run.sh: a chat for $model through the gateway still fails after 20 s:" \
                "$(head -c 300 "$TMP/probe.json" 2>/dev/null)" >&2
            return 1
        fi
    done
    sleep 1 # let what the probes started (log writes, discovery) settle
    IDLE_KIB=$(rss_kib "$GATEWAY_PID" VmRSS)
}

# first_token <label> <url> <token> <model>: sets FT_MEAN[label], FT_P50[label].
declare -A FT_MEAN FT_P50 FT_P90
first_token() {
    local out
    echo "  $1: first token, $FIRST_TOKEN_SAMPLES streams one at a time..." >&2
    out=$(node "$HERE/firsttoken.mjs" --url "$2" --token "$3" --model "$4" \
        --samples "$FIRST_TOKEN_SAMPLES") || { echo "run.sh: first-token run '$1' failed" >&2; return 1; }
    read -r _ FT_MEAN[$1] FT_P50[$1] FT_P90[$1] <<<"$out"
}

# many_streams <label> <url> <token>: sets SW_WALL[label], SW_OK[label], SW_FAILED[label].
declare -A SW_WALL SW_OK SW_FAILED
many_streams() {
    local out line status=0
    echo "  $1: $STREAMS concurrent streams..." >&2
    out=$(node "$HERE/streams.mjs" --url "$2" --token "$3" --model bench-stream-model \
        --count "$STREAMS" --timeout-s 120 --stats "http://127.0.0.1:$STREAM_PORT/__stats") || status=1
    echo "$out" >"$TMP/streams-$1.txt"
    line=$(grep '^result:' <<<"$out" || echo "result: $STREAMS 0 $STREAMS 0")
    read -r _ _ SW_OK[$1] SW_FAILED[$1] SW_WALL[$1] <<<"$line"
    return $status
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
diff_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.3f", a - b }'; }
percent() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0) ? 100 * a / b : 0 }'; }
# verdict <value> <op: le|ge> <limit>
verdict() { awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
    ok = (op == "le") ? (v <= l) : (v >= l); print ok ? "met" : "NOT met" }'; }

# Streams hold a socket each at both ends of every hop.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[[ $(ulimit -n) == unlimited || $(ulimit -n) -ge $((STREAMS * 2 + 256)) ]] \
    || die "open-file limit $(ulimit -n) is too low for $STREAMS streams (raise the hard limit or lower BENCH_STREAMS)"

echo "== Model Maestro benchmark ($(nproc) cores, ${DURATION}s per wrk run, $STREAMS streams; temporary files in $TMP)"

start_fake upstream --models bench-model --delay-ms 0
UP_PORT=$FAKE_PORT
start_fake stream-upstream --models bench-stream-model --delay-ms 50 --words 20 --threads 2
STREAM_PORT=$FAKE_PORT
start_fake first-token-upstream --models bench-first-token --delay-ms 0 --words 3
FIRST_TOKEN_PORT=$FAKE_PORT

STATIC_PORT=$(free_port)
STATIC_STREAM_PORT=$(free_port)
PROXY_STATIC_PORT=$(free_port)
PROXY_FAKE_PORT=$(free_port)
mkdir -p "$TMP/nginx"
chmod 755 "$TMP" "$TMP/nginx" # nginx workers may run as another user
sed -e "s|@PREFIX@|$TMP/nginx|g" -e "s|@STATIC_PORT@|$STATIC_PORT|g" \
    -e "s|@STATIC_STREAM_PORT@|$STATIC_STREAM_PORT|g" -e "s|@PROXY_STATIC_PORT@|$PROXY_STATIC_PORT|g" \
    -e "s|@PROXY_FAKE_PORT@|$PROXY_FAKE_PORT|g" -e "s|@FAKE_PORT@|$UP_PORT|g" \
    "$HERE/nginx.conf.in" >"$TMP/nginx/nginx.conf"
"$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' \
    >"$TMP/nginx/stdout.log" 2>&1 &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
for ((i = 0; i < 100; i++)); do
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PROXY_STATIC_PORT/v1/models" && break
    kill -0 "$NGINX_PID" 2>/dev/null || die "nginx did not start: $(tail -n5 "$TMP/nginx/error.log" "$TMP/nginx/stdout.log")"
    sleep 0.1
done
echo "upstreams:       static :$STATIC_PORT, fake :$UP_PORT, fake streams :$STREAM_PORT; nginx :$PROXY_STATIC_PORT (static), :$PROXY_FAKE_PORT (fake)" >&2

GATEWAY_OK=0
if [[ $WITH_GATEWAY == 1 ]]; then
    if start_gateway; then
        GATEWAY_OK=1
        admin POST /admin/nodes "{\"name\":\"first-token\",\"base_url\":\"http://127.0.0.1:$FIRST_TOKEN_PORT\",\"node_type\":\"openai\"}" >/dev/null \
            || GATEWAY_OK=0
        for ((i = 0; i < 100; i++)); do
            chat_ok bench-first-token true && break
            sleep 0.2
        done
    else
        echo "run.sh: the gateway is not usable: measuring direct and nginx only" >&2
    fi
fi

echo "measuring..." >&2
STATUS=0
MODES=(static fake)
declare -A DIRECT_URL=([static]="http://127.0.0.1:$STATIC_PORT" [fake]="http://127.0.0.1:$UP_PORT")
declare -A NGINX_URL=([static]="http://127.0.0.1:$PROXY_STATIC_PORT" [fake]="http://127.0.0.1:$PROXY_FAKE_PORT")
declare -A MODEL=([static]=bench-static [fake]=bench-model)
for mode in "${MODES[@]}"; do
    measure "direct-$mode" "${DIRECT_URL[$mode]}" "" "${MODEL[$mode]}"
    measure "nginx-$mode" "${NGINX_URL[$mode]}" "" "${MODEL[$mode]}"
    [[ $GATEWAY_OK == 1 ]] && measure "gateway-$mode" "$GATEWAY_URL" "$USER_TOKEN" "${MODEL[$mode]}"
done

first_token direct "http://127.0.0.1:$FIRST_TOKEN_PORT" "" bench-first-token || STATUS=1
[[ $GATEWAY_OK == 1 ]] && { first_token gateway "$GATEWAY_URL" "$USER_TOKEN" bench-first-token || STATUS=1; }

many_streams direct "http://127.0.0.1:$STREAM_PORT" "" || STATUS=1
if [[ $GATEWAY_OK == 1 ]]; then
    # Peak RSS from here on: writing 5 to clear_refs resets VmHWM to the current RSS.
    echo 5 >"/proc/$GATEWAY_PID/clear_refs" 2>/dev/null || echo "run.sh: cannot reset the peak RSS; it includes the wrk runs" >&2
    many_streams gateway "$GATEWAY_URL" "$USER_TOKEN" || STATUS=1
    PEAK_KIB=$(rss_kib "$GATEWAY_PID" VmHWM)
fi

echo
echo "Non-streamed chat completions (POST /v1/chat/completions), wrk"
printf '%-16s %11s %11s %11s %14s %8s\n' target "mean ms c=1" "p50 ms c=1" "p99 ms c=1" "req/s c=50" errors
for mode in "${MODES[@]}"; do
    for t in direct nginx gateway; do
        label=$t-$mode
        [[ -n ${RPS[$label]-} ]] || continue
        printf '%-16s %11s %11s %11s %14s %8s\n' "$label" "${MEAN[$label]}" "${P50[$label]}" \
            "${P99[$label]}" "${RPS[$label]}" "${ERRORS[$label]}"
        [[ ${ERRORS[$label]} == 0 ]] || {
            echo "run.sh: $label answered ${ERRORS[$label]} requests with an error (see $TMP/wrk-$label-*.txt)" >&2
            STATUS=1
        }
    done
done
echo
for mode in "${MODES[@]}"; do
    printf '%-7s nginx   adds: mean %s ms, p50 %s ms; throughput %s %% of direct\n' "$mode" \
        "$(diff_ms "${MEAN[nginx-$mode]}" "${MEAN[direct-$mode]}")" \
        "$(diff_ms "${P50[nginx-$mode]}" "${P50[direct-$mode]}")" \
        "$(percent "${RPS[nginx-$mode]}" "${RPS[direct-$mode]}")"
    if [[ -n ${RPS[gateway-$mode]-} ]]; then
        printf '%-7s gateway adds: mean %s ms, p50 %s ms; throughput %s %% of nginx\n' "$mode" \
            "$(diff_ms "${MEAN[gateway-$mode]}" "${MEAN[direct-$mode]}")" \
            "$(diff_ms "${P50[gateway-$mode]}" "${P50[direct-$mode]}")" \
            "$(percent "${RPS[gateway-$mode]}" "${RPS[nginx-$mode]}")"
    fi
done

echo
echo "First streamed token, one request at a time ($FIRST_TOKEN_SAMPLES samples; upstream: 3 words sent at once)"
for t in direct gateway; do
    [[ -n ${FT_MEAN[$t]-} ]] && printf '%-8s mean %s ms, p50 %s ms, p90 %s ms\n' "$t" "${FT_MEAN[$t]}" "${FT_P50[$t]}" "${FT_P90[$t]}"
done

echo
echo "$STREAMS concurrent streams (upstream: 20 words, 50 ms apart)"
for t in direct gateway; do
    [[ -n ${SW_WALL[$t]-} ]] || continue
    printf '%-8s wall %s ms, %s complete, %s failed\n' "$t" "${SW_WALL[$t]}" "${SW_OK[$t]}" "${SW_FAILED[$t]}"
    [[ ${SW_FAILED[$t]} == 0 && ${SW_OK[$t]} == "$STREAMS" ]] || STATUS=1
done

if [[ $GATEWAY_OK == 1 ]]; then
    ft_added=$(diff_ms "${FT_P50[gateway]:-0}" "${FT_P50[direct]:-0}")
    mean_added=$(diff_ms "${MEAN[gateway-static]}" "${MEAN[direct-static]}")
    tput=$(percent "${RPS[gateway-static]}" "${RPS[nginx-static]}")
    wall=$(ratio "${SW_WALL[gateway]:-0}" "${SW_WALL[direct]:-0}")
    peak=$(mib "${PEAK_KIB:-0}")
    idle=$(mib "$IDLE_KIB")
    start_s=$(awk -v m="$START_MS" 'BEGIN { printf "%.3f", m / 1000 }')
    echo
    echo "Targets (static upstream where it applies)"
    printf '%-44s %12s %10s  %s\n' figure value target verdict
    printf '%-44s %12s %10s  %s\n' "first token added (median, ms)" "$ft_added" "<= 0.10" "$(verdict "$ft_added" le 0.10)"
    printf '%-44s %12s %10s  %s\n' "added mean latency at c=1 (ms)" "$mean_added" "<= 0.06" "$(verdict "$mean_added" le 0.06)"
    printf '%-44s %12s %10s  %s\n' "throughput at c=50 (% of nginx)" "$tput" ">= 40" "$(verdict "$tput" ge 40)"
    printf '%-44s %12s %10s  %s\n' "$STREAMS streams wall time (x direct)" "$wall" "<= 1.3" "$(verdict "$wall" le 1.3)"
    printf '%-44s %12s %10s  %s\n' "peak RSS during the streams (MB)" "$peak" "<= 150" "$(verdict "$peak" le 150)"
    printf '%-44s %12s %10s  %s\n' "idle RSS (MB)" "$idle" "<= 40" "$(verdict "$idle" le 40)"
    printf '%-44s %12s %10s  %s\n' "start-up, initialised data dir (s)" "$start_s" "<= 0.2" "$(verdict "$start_s" le 0.2)"
    printf '%-44s %12s\n' "first start, new data dir (s)" "$(awk -v m="$FIRST_START_MS" 'BEGIN { printf "%.3f", m / 1000 }')"
elif [[ $WITH_GATEWAY == 1 ]]; then
    echo "run.sh: FAILED: the gateway could not be started or configured (see above)" >&2
    exit 1
fi
exit $STATUS

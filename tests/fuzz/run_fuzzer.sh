#!/bin/sh
# Runs one libFuzzer binary for a bounded time, for ctest (fuzz_<name>_run):
#   run_fuzzer.sh FUZZER SEED_CORPUS WORK_DIR SECONDS
# The seeds are copied into WORK_DIR/corpus, which the fuzzer grows; the source tree is never
# written. Exits non-zero when the fuzzer found a crash, a leak, a timeout or a sanitizer finding;
# the input that did it is WORK_DIR/crash-* (or leak-*, timeout-*, oom-*).
set -eu
fuzzer=$1 seeds=$2 work=$3 seconds=$4
mkdir -p "$work/corpus"
if [ -d "$seeds" ]; then
    cp -p "$seeds"/* "$work/corpus/" 2>/dev/null || true
fi
# One input may take at most 10 s; 2 GB is far above what any parser here needs.
exec "$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$work/" "$work/corpus"

#!/usr/bin/env bash
# tests/fuzz/run.sh - run the libFuzzer targets (build/fuzz/fuzz_*).
#
#   bash tests/fuzz/run.sh short   each target replays its regressions
#                                  (tests/fuzz/regressions/TARGET/: every
#                                  crash ever found, kept as a test) and then
#                                  fuzzes for FUZZ_SECONDS (default 5) from
#                                  its seeds; one TAP line per check
#                                  (make check runs this, via
#                                  tests/integration/fuzz.sh)
#   bash tests/fuzz/run.sh long    the same for FUZZ_SECONDS (default 600)
#                                  each, the corpus kept in build/fuzz/corpus/
#
# A crash leaves its input in build/fuzz/crashes/TARGET/: copy it into
# tests/fuzz/regressions/TARGET/ once fixed, so it is replayed for good.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
mode=${1:-short}
case $mode in short) secs=${FUZZ_SECONDS:-5};; long) secs=${FUZZ_SECONDS:-600};; *) echo "usage: $0 short|long" >&2; exit 2;; esac
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

for bin in "$ROOT"/build/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  t=$(basename "$bin")
  reg=$ROOT/tests/fuzz/regressions/$t seeds=$ROOT/tests/fuzz/seeds/$t
  crashes=$ROOT/build/fuzz/crashes/$t corpus=$ROOT/build/fuzz/corpus/$t
  mkdir -p "$crashes" "$corpus"
  if [ -d "$reg" ] && [ -n "$(ls -A "$reg" 2>/dev/null)" ]; then
    if out=$("$bin" "$reg"/* 2>&1); then echo "ok - $t: its $(ls "$reg" | wc -l) regression input(s) replayed"
    else echo "not ok - $t: a regression came back"; printf '%s\n' "$out" | tail -15 | sed 's/^/#   /'; fi
  fi
  [ "$mode" = short ] && corpus=$(mktemp -d)
  log=$ROOT/build/fuzz/$t.log
  if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$crashes/" \
       -print_final_stats=1 "$corpus" ${seeds:+"$seeds"} > "$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    echo "ok - $t: ${runs:-?} inputs in ${secs} s, no crash, no leak, no undefined behaviour"
  else
    echo "not ok - $t: a crash (input kept in build/fuzz/crashes/$t/)"
    grep -E "ERROR|SUMMARY|runtime error|#[0-9] " "$log" | head -15 | sed 's/^/#   /'
  fi
  [ "$mode" = short ] && rm -rf "$corpus"
done

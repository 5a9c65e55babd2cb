#!/usr/bin/env bash
# tests/integration/fuzz.sh - the libFuzzer targets' short run in make check
# (tests/fuzz/run.sh short: every kept regression replayed, then a few
# seconds of fuzzing each); `make fuzz` runs them for long.
. "$ROOT/tests/lib.sh"
n=$(ls "$ROOT"/build/fuzz/fuzz_* 2>/dev/null | wc -l)
t_check "the fuzz targets are built ($n)" test "$n" -ge 6
bash "$ROOT/tests/fuzz/run.sh" short

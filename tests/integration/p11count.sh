#!/usr/bin/env bash
# tests/integration/p11count.sh - the PKCS#11 calls of each operation stay
# within issue 17's targets, so the figure cannot drift back: the benchmark's
# own counter (bench/p11count.sh --check, build/fakep11.so tracing every
# call) on a hall of its own, run on the sanitizer build. A count is exact on
# any machine: no timing is asserted here.
. "$ROOT/tests/lib.sh"
H=$TEST_TMP/hall
mkdir -p "$H"
KIOSK_HOME=$H "$KIOSK" hall provision --with-test-keys > "$TEST_TMP/prov.out" 2>&1
t_check "a hall of its own with the test keys" test -s "$H/kiosk.conf"
P11COUNT_KIOSK=$KIOSK P11COUNT_HELPER=$ROOT/build/san/itests/issue_helper \
  bash "$ROOT/bench/p11count.sh" "$H" --check > "$TEST_TMP/count.out" 2>&1
rc=$?
t_eq "every operation within its target (bench/p11count.sh --check)" 0 "$rc"
t_grep "no operation above its target" "every operation within its target" "$TEST_TMP/count.out"
row() { grep -F "| $1" "$TEST_TMP/count.out" | awk -F'|' -v c="$2" '{gsub(/ /, "", $c); print $c}'; }
t_eq "validity read: 6 calls on the key (session, search, value, close)" 6 "$(row 'validity read' 3)"
t_eq "a plug event with 8 keys present: one call, for the new key only" 1 "$(row 'plug event' 3)"
t_eq "a pull event: no call" 0 "$(row 'pull event' 3)"
t_eq "no other key is reached by an issuance" 0 "$(row 'issuance P-256, HSM ready' 5)"
t_eq "an issuance with the HSM ready: 4 HSM calls (SO PIN, CA signature)" 4 "$(row 'issuance P-256, HSM ready' 4)"
t_check "every issuance succeeded" sh -c "! grep -q 'issuance failed' '$TEST_TMP/count.out'"

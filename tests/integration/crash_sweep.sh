#!/usr/bin/env bash
# tests/integration/crash_sweep.sh - 证书新办 killed at every stage, then
# resumed or cancelled: nothing lost, nothing left half-done.
#
# The engine (kiosk/engine*.c, driven by build/san/itests/issue_helper the
# way the screens drive it) is killed with SIGKILL - as a power cut would -
# right after each effect: papers queued, payment, key wipe, key
# initialisation, key pair, CA signature, certificate written, records,
# receipt (KIOSK_FAULT_KILL, kiosk/engine.h). A fresh process then finds
# the order by the operator's ID number and either resumes it to the end or
# cancels it. Every run is checked against the real SoftHSM key, the SQLite
# records and the outbox:
#   resumed  -> order DONE and stored at "done"; exactly one certificate on
#               the key, recorded once, audited once; one payment; form, seal
#               sheet and receipt each queued exactly once;
#   cancelled -> order CANCELLED and no certificate valid on the key that is
#               not recorded; or, where a certificate signed for the order may
#               be on the key (until revocation exists, issue 9), the cancel
#               is refused with a message saying so, and the order is then
#               resumed and finished as above.
# The sweep prints its counts: faults injected, orders resumed, cancelled,
# cancels refused, lost (0), certificates unrecorded (0).
# It uses the test hall's blank6 key throughout: a key whose certificate is
# active and recorded is never wiped, so between runs the previous run's
# certificate is retired in the records (state revoked) as revocation will.
. "$ROOT/tests/lib.sh"

H=$ROOT/build/san/itests/issue_helper
DB=$KIOSK_HOME/kiosk.db
q() { sqlite3 -cmd '.timeout 3000' "$DB" "$1"; }

if out=$("$KIOSK" dev plug blank6 2>&1); then SERIAL=$(printf '%s' "$out" | grep -o '[0-9a-f]\{16\}' | head -1); else SERIAL=; echo "# $out"; fi
trap '"$KIOSK" dev unplug "$SERIAL" >/dev/null 2>&1' EXIT
t_check "blank6 plugged (serial $SERIAL)" test -n "$SERIAL"

POINTS="papers pay wipe init keypair sign write record receipt"
faults=0; resumed=0; cancelled=0; refused=0; lost=0; unrecorded=0; n=0

# The certificate on the key is ours and not recorded active: count it.
check_unrecorded() { # label
  "$H" keycert > "$TEST_TMP/kc.txt" 2>&1
  if grep -q "ours=1 recorded=0" "$TEST_TMP/kc.txt"; then
    unrecorded=$((unrecorded + 1)); t_fail "$1: no certificate valid on the key that is not recorded" "$(cat "$TEST_TMP/kc.txt")"
  else t_ok "$1: no certificate valid on the key that is not recorded"; fi
}

# A resumed order: finished, one certificate recorded once, papers once each.
check_finished() { # label opid uscc
  local label=$1 opid=$2 uscc=$3 oid cert
  oid=$(q "SELECT id FROM orders WHERE operator_id='$opid' ORDER BY id DESC LIMIT 1")
  t_eq "$label: order finished and stored at its last step" "1|done" "$(q "SELECT state, step FROM orders WHERE id=$oid")"
  cert=$(q "SELECT serial FROM certs WHERE uscc='$uscc' AND state=0")
  t_eq "$label: one active certificate recorded for the company, on this key" "1|$SERIAL" \
    "$(q "SELECT count(*), key_serial FROM certs WHERE uscc='$uscc'")"
  "$H" keycert > "$TEST_TMP/kc.txt" 2>&1
  t_grep "$label: the key holds exactly that certificate" "cert=$cert ours=1 recorded=1" "$TEST_TMP/kc.txt"
  t_eq "$label: audited once" "1" "$(q "SELECT count(*) FROM audit WHERE action='cert.issue' AND detail LIKE '%cert=$cert %'")"
  t_eq "$label: paid once" "1" "$(q "SELECT count(*) FROM payments WHERE order_id=$oid")"
  t_eq "$label: form, receipt and seal sheet queued once each" "form:1 receipt:1 seal:1" \
    "$(q "SELECT group_concat(doc || ':' || c, ' ') FROM (SELECT doc, count(*) c FROM jobs WHERE order_id=$oid GROUP BY doc ORDER BY doc)")"
}

for P in $POINTS; do
  for V in resume cancel; do
    n=$((n + 1))
    USCC=$(printf '91120116CRASH%05d' "$n"); OPID=$(printf '1201011990%08d' "$n"); CO="天津市断电测试${n}有限公司"
    label="$P/$V"
    # retire the previous run's certificate, as revocation will (issue 9)
    q "UPDATE certs SET state = 1 WHERE key_serial = '$SERIAL' AND state = 0"
    KIOSK_FAULT_KILL=$P "$H" run "$SERIAL" "$USCC" "$CO" "$OPID" > "$TEST_TMP/run.txt" 2>&1; rc=$?
    if [ "$rc" -eq 137 ]; then faults=$((faults + 1)); t_ok "$label: killed (SIGKILL) after '$P'"
    else t_fail "$label: killed (SIGKILL) after '$P'" "exit $rc: $(tail -5 "$TEST_TMP/run.txt")"; fi
    t_eq "$label: the database is intact after the kill" "ok" "$(q "PRAGMA integrity_check")"
    if [ "$V" = resume ]; then
      "$H" resume "$OPID" > "$TEST_TMP/res.txt" 2>&1
      if grep -q "resume_finished=1" "$TEST_TMP/res.txt"; then resumed=$((resumed + 1)); t_ok "$label: resumed to the end"
      else lost=$((lost + 1)); t_fail "$label: resumed to the end" "$(cat "$TEST_TMP/res.txt")"; fi
      check_finished "$label" "$OPID" "$USCC"
      case $P in write)
        t_grep "$label: the key holding the order's certificate is adopted, not wiped" "verdict=ours" "$TEST_TMP/res.txt";;
      esac
    else
      "$H" cancel "$OPID" > "$TEST_TMP/can.txt" 2>&1
      if grep -q "^cancel=0" "$TEST_TMP/can.txt"; then
        cancelled=$((cancelled + 1)); t_ok "$label: cancelled"
        t_eq "$label: order cancelled" "2" "$(q "SELECT state FROM orders WHERE operator_id='$OPID'")"
        t_eq "$label: no certificate recorded for the company" "0" "$(q "SELECT count(*) FROM certs WHERE uscc='$USCC'")"
        check_unrecorded "$label"
      elif grep -q "不能撤单" "$TEST_TMP/can.txt"; then
        refused=$((refused + 1)); t_ok "$label: cancel refused with a message: a signed certificate would be left"
        case $P in write|record|receipt) t_ok "$label: refused where the certificate is on the key";;
          *) t_fail "$label: refused where the certificate is on the key" "$(cat "$TEST_TMP/can.txt")";; esac
        "$H" resume "$OPID" > "$TEST_TMP/res.txt" 2>&1
        if grep -q "resume_finished=1" "$TEST_TMP/res.txt"; then resumed=$((resumed + 1)); t_ok "$label: then resumed to the end"
        else lost=$((lost + 1)); t_fail "$label: then resumed to the end" "$(cat "$TEST_TMP/res.txt")"; fi
        check_finished "$label" "$OPID" "$USCC"
      else
        lost=$((lost + 1)); t_fail "$label: cancelled or refused" "$(cat "$TEST_TMP/can.txt")"
      fi
    fi
  done
done
t_eq "a certificate signed and then destroyed is audited as void" "1" \
  "$(q "SELECT count(*) > 0 FROM audit WHERE action='cert.void'")"
t_eq "the audit chain verifies after every kill" "0" "$("$KIOSK" audit verify >/dev/null 2>&1; echo $?)"
echo "# crash sweep: faults injected $faults, orders resumed $resumed, cancelled $cancelled, cancels refused $refused, lost $lost, certificates unrecorded $unrecorded"
t_eq "crash sweep counts: 18 faults, 0 lost, 0 unrecorded" "18|0|0" "$faults|$lost|$unrecorded"

#!/usr/bin/env bash
# tests/integration/privacy.sh - no PIN and no full ID number reach the audit
# or any log. Runs after tests/integration/issue.sh (scripts run in
# alphabetical order), whose 证书新办 issuances put a PIN and two operators'
# ID numbers through the whole flow (engine, token, records, printer); the
# values are read from issue.sh itself so the two cannot drift apart. Run
# alone (no such order in the records), it first runs the same issuance with
# build/san/itests/issue_helper on the blank3 key.
#
# Then, over the whole database (sqlite3 .dump, and the raw files for the
# PIN), every log under build/test-logs and the hall's own logs:
#   - the PIN appears nowhere;
#   - a full ID number never appears in the audit (which has the masked
#     form instead) nor in a log. Record tables may keep it by design (the
#     order: one open order per ID number); the script notes which do.
# This script never prints the values it looks for.
. "$ROOT/tests/lib.sh"

ISSUE=$ROOT/tests/integration/issue.sh
H=$ROOT/build/san/itests/issue_helper
DB=$KIOSK_HOME/kiosk.db
LOGDIR=${LOGDIR:-$ROOT/build/test-logs}
val() { sed -n "s/^$1=//p" "$ISSUE" | head -1 | sed "s/^'//; s/'\$//"; }
PIN=$(val PIN); OPID=$(val OPID); OPID2=$(val OPID2); USCC=$(val USCC); COMPANY=$(val COMPANY)
t_check "test data read from issue.sh (PIN, two ID numbers)" test -n "$PIN" -a -n "$OPID" -a -n "$OPID2" -a -n "$USCC"

orders_of() { sqlite3 "$DB" "SELECT count(*) FROM orders WHERE operator_id = '$1'" 2>/dev/null || echo 0; }
if [ "$(orders_of "$OPID")" = 0 ]; then
  echo "# no issuance in the records yet: running it (as issue.sh does)"
  if out=$("$KIOSK" dev plug blank3 2>&1); then SERIAL=$(printf '%s' "$out" | grep -o '[0-9a-f]\{16\}' | head -1); fi
  if [ -n "${SERIAL:-}" ]; then
    "$H" issue "$SERIAL" "$USCC" "$COMPANY" "$OPID" WIPE > "$TEST_TMP/issue.txt" 2>&1
    "$KIOSK" dev unplug "$SERIAL" > /dev/null 2>&1
  fi
fi
t_check "the issuance's order is in the records" test "$(orders_of "$OPID")" -ge 1
t_check "the PIN went through the flow (a certificate was issued on a key)" \
  test "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action = 'cert.issue'")" -ge 1

sqlite3 "$DB" .dump > "$TEST_TMP/dump.sql"
t_check "database dumped" test -s "$TEST_TMP/dump.sql"

# ---- the PIN: nowhere ------------------------------------------------------------
if grep -qF -- "$PIN" "$TEST_TMP/dump.sql"; then t_fail "PIN absent from the database dump"; else t_ok "PIN absent from the database dump"; fi
if grep -aqF -- "$PIN" "$DB" "$DB-wal" 2>/dev/null; then t_fail "PIN absent from the raw database files"; else t_ok "PIN absent from the raw database files"; fi

# ---- full ID numbers: only in the orders table -------------------------------------
for which in OPID OPID2; do
  id=${!which}
  where=$(grep -F -- "$id" "$TEST_TMP/dump.sql" | cut -d'(' -f1 | sed 's/^INSERT INTO //; s/ VALUES$//' | sort -u | tr '\n' ' ')
  echo "# full ID number ($which) kept in the records: ${where:-nowhere}"
  if grep -F -- "$id" "$TEST_TMP/dump.sql" | grep -qE '^INSERT INTO "?audit"? '; then
    t_fail "full ID number ($which) in no audit row of the dump"
  else t_ok "full ID number ($which) in no audit row of the dump"; fi
  t_eq "full ID number ($which) not in any audit row" 0 \
    "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE instr(actor || ' ' || action || ' ' || detail, '$id') > 0")"
  masked="${id:0:6}********${id:14:4}"
  if [ "$(orders_of "$id")" -ge 1 ]; then
    t_check "the audit has its masked form instead ($which)" \
      test "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE instr(detail, '$masked') > 0")" -ge 1
  else echo "# $which was not issued in this run (issue.sh did not run before)"; fi
done

# ---- logs ---------------------------------------------------------------------------
# Every test log written so far (not this script's own, being written now)
# and the hall's logs (printer, provisioning).
logs=()
while IFS= read -r f; do logs+=("$f"); done < <(
  { find "$LOGDIR" -type f -name '*.log' ! -name 'integration_privacy*.log' 2>/dev/null
    find "$KIOSK_HOME" -type f -name '*.log' 2>/dev/null; } | sort)
t_check "there are logs to search (${#logs[@]})" test "${#logs[@]}" -ge 3
for which in PIN OPID OPID2; do
  v=${!which}
  hits=$(grep -lF -- "$v" "${logs[@]}" 2>/dev/null | sed "s|^$ROOT/||" | tr '\n' ' ')
  if [ -z "$hits" ]; then t_ok "$which in no log"; else t_fail "$which in no log" "found in: $hits"; fi
done

#!/usr/bin/env bash
# tests/integration/audit_trail.sh - the audit trail against the records
# (issue 13): a certificate issued through the engine leaves its signature,
# key-initialisation and issue rows, its papers their print rows, and
# `kiosk audit verify` says the trail matches the records. Then, on copies
# of the records: the newest rows cut off (the chain still holds) and the
# whole trail emptied each fail `audit verify`, naming what has no row.
. "$ROOT/tests/lib.sh"

DB=$KIOSK_HOME/kiosk.db
db() { sqlite3 "$1" "$2"; }
USCC=91120116MA05WR3L01
cleanup() { key_unplug_all; }
trap cleanup EXIT

SERIAL=$(key_plug blank35)
"$ROOT/build/san/itests/issue_helper" issue "$SERIAL" "$USCC" 天津市审计核对测试有限公司 120101198503036669 > "$TEST_TMP/issue.out" 2>&1
t_grep "a certificate issued onto blank35" "issue=0 " "$TEST_TMP/issue.out"
CERT=$(db "$DB" "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")
t_eq "its CA signature audited" 1 "$(db "$DB" "SELECT count(*) FROM audit WHERE action='cert.sign' AND detail LIKE '%cert=$CERT%'")"
t_eq "...its issue" 1 "$(db "$DB" "SELECT count(*) FROM audit WHERE action='cert.issue' AND detail LIKE '%cert=$CERT%'")"
t_eq "...the key's SO initialisation, with its intent" 1 "$(db "$DB" "SELECT count(*) FROM audit WHERE action IN ('key.init','key.wipe') AND detail LIKE '%key=$SERIAL%'")"
t_check "...its papers queued and their fate, by the printer" test "$(db "$DB" "SELECT count(*) FROM audit WHERE action='print.queue' AND actor LIKE 'printer%'")" -gt 0
t_check "what provisioning created, audited" test "$(db "$DB" "SELECT count(*) FROM audit WHERE action='hall.create'")" -gt 0
"$KIOSK" audit verify > "$TEST_TMP/v.out" 2>&1
t_eq "audit verify: exit 0" 0 $?
t_grep "...the trail matches the records" "与记录核对一致" "$TEST_TMP/v.out"

# copies of the records, tampered with as someone with the file would
copy() { cp "$DB" "$TEST_TMP/$1.db"; [ -f "$DB-wal" ] && cp "$DB-wal" "$TEST_TMP/$1.db-wal"
  sed "s#^path *=.*#path = $TEST_TMP/$1.db#" "$KIOSK_HOME/kiosk.conf" > "$TEST_TMP/$1.conf"; }
tamper() { sqlite3 "$TEST_TMP/$1.db" "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete; $2"; }
sqlite3 "$DB" "PRAGMA wal_checkpoint(FULL);" > /dev/null
copy cut
SIGN=$(db "$DB" "SELECT min(id) FROM audit WHERE action='cert.sign' AND detail LIKE '%cert=$CERT%'")
tamper cut "DELETE FROM audit WHERE id >= $SIGN; UPDATE audit_head SET id = (SELECT max(id) FROM audit), hash = (SELECT hash FROM audit ORDER BY id DESC LIMIT 1);"
"$KIOSK" --config "$TEST_TMP/cut.conf" audit verify > "$TEST_TMP/cut.out" 2>&1
t_eq "the newest rows cut off: audit verify fails" 1 $?
t_grep "...the chain itself still holds" "审计链完整" "$TEST_TMP/cut.out"
t_grep "...but a certificate has no signature row" "与记录核对不一致" "$TEST_TMP/cut.out"
copy empty
tamper empty "DELETE FROM audit; UPDATE audit_head SET id = 0, hash = '';"
"$KIOSK" --config "$TEST_TMP/empty.conf" audit verify > "$TEST_TMP/empty.out" 2>&1
t_eq "the trail emptied: audit verify fails" 1 $?
t_check "...naming the certificates and orders with no row" grep -qE "无签名记录的证书 [1-9].*无建单记录的订单 [1-9]" "$TEST_TMP/empty.out"

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

# rewritten as someone with the file but not the HSM would: a row's detail
# changed and every hash from it on recomputed (plain SHA-256, as the
# unkeyed chain was). The keyed rows cannot be recomputed without the key.
rehash() { python3 - "$TEST_TMP/$1.db" "$2" "$3" <<'PY'
import hashlib, sqlite3, sys
db, first, keep_key = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "keep"
c = sqlite3.connect(db)
c.executescript("DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;")
c.execute("UPDATE audit SET detail = detail || ' amount=1' WHERE id = ?", (first,))
prev = "0" * 64
for rid, at, actor, action, detail, key_id in c.execute(
        "SELECT id, at, actor, action, detail, key_id FROM audit ORDER BY id").fetchall():
    if rid >= first:
        m = ("%s\n%d\n%d\n" % (prev, rid, at)).encode()
        for f in (actor, action, detail):
            m += b"%d:" % len(f.encode()) + f.encode() + b"\n"
        h = hashlib.sha256(m).hexdigest()
        c.execute("UPDATE audit SET prev_hash = ?, hash = ?, key_id = ? WHERE id = ?",
                  (prev, h, key_id if keep_key else "", rid))
        prev = h
    else:
        prev = c.execute("SELECT hash FROM audit WHERE id = ?", (rid,)).fetchone()[0]
c.execute("UPDATE audit_head SET hash = ? WHERE one = 1", (prev,))
c.commit()
PY
}
ISSUE_ROW=$(db "$DB" "SELECT min(id) FROM audit WHERE action='cert.issue' AND detail LIKE '%cert=$CERT%'")
t_eq "the rows are keyed with the HSM's key (audit.key_id)" h1 "$(db "$DB" "SELECT key_id FROM audit WHERE id = $ISSUE_ROW")"
t_grep "audit verify counts the keyed rows" "行以HSM中的密钥签" "$TEST_TMP/v.out"
copy unkeyed; cp "$DB-head" "$TEST_TMP/unkeyed.db-head"
rehash unkeyed "$ISSUE_ROW" drop
"$KIOSK" --config "$TEST_TMP/unkeyed.conf" audit verify > "$TEST_TMP/unkeyed.out" 2>&1
t_eq "a row edited and every later row rehashed as unkeyed: audit verify fails, no anchor needed" 1 $?
t_grep "...the newest row is not the one the head beside the records names" "的内容与其哈希不符" "$TEST_TMP/unkeyed.out"
copy forged
rehash forged "$ISSUE_ROW" keep
"$KIOSK" --config "$TEST_TMP/forged.conf" audit verify > "$TEST_TMP/forged.out" 2>&1
t_eq "...rehashed claiming the key: fails too" 1 $?
t_grep "...its hash is not the key's HMAC of it" "第 $ISSUE_ROW 行的内容与其哈希不符" "$TEST_TMP/forged.out"
copy whole
rehash whole 1 drop
"$KIOSK" --config "$TEST_TMP/whole.conf" audit verify > "$TEST_TMP/whole.out" 2>&1
t_eq "...the whole trail rewritten as if never keyed: fails (a keyed hall, no keyed row)" 1 $?
t_grep "...said so" "没有一行以HSM密钥签" "$TEST_TMP/whole.out"

#!/usr/bin/env bash
# tests/integration/db_check.sh - where the records are, and whether they
# answer (`kiosk db check`), on both backends: the test hall's SQLite file;
# a private PostgreSQL 15 cluster started by scripts/pg.sh (as an
# unprivileged user, under its own state directory) - reachable, its
# version, the station; stopped as a crash stops it: "the records server is
# unreachable"; started again: reachable. The password file must be its
# owner's alone. A kiosk pointed at PostgreSQL keeps its records there.
. "$ROOT/tests/lib.sh"
PG=$ROOT/scripts/pg.sh
chmod 711 "$TEST_TMP"                  # the server's user reaches its own directory below
H=$TEST_TMP/hall; mkdir -p "$H"; chmod 711 "$H"
P=$(free_port)
cleanup() { bash "$PG" stop "$H" "$P" >/dev/null 2>&1; }
trap cleanup EXIT
# conf FILE KEY=VALUE...: the test hall's configuration with [db] keys set
conf() {
  local f=$1 kv; shift
  cp "$KIOSK_HOME/kiosk.conf" "$f"
  for kv in "$@"; do
    sed -i -e "/^${kv%%=*} *=/d" "$f"
    sed -i -e "/^\[db\]/a ${kv%%=*} = ${kv#*=}" "$f"
  done
}

# ---- SQLite: the test hall's file ------------------------------------------------
out=$("$KIOSK" db check 2>&1); rc=$?
t_eq "sqlite: the records answer (exit 0)" 0 "$rc"
t_grep "...the backend and its library" "后端：sqlite（SQLite 3." <(echo "$out")
t_grep "...where: the hall's file" "位置：$KIOSK_HOME/kiosk.db" <(echo "$out")
t_grep "...reachable" "连通：是" <(echo "$out")
t_check "...the schema version, the same as the program's" grep -qE "结构版本：([0-9]+)（本程序 \1）" <(echo "$out")
t_grep "...no station: a hall of one machine" "本机站点：（未设置：单机大厅）" <(echo "$out")
t_eq "...nothing created by looking" "" "$(ls "$KIOSK_HOME"/kiosk.db-head-new 2>/dev/null)"
conf "$TEST_TMP/gone.conf" "path=$TEST_TMP/no-such-dir/kiosk.db"
out=$("$KIOSK" --config "$TEST_TMP/gone.conf" db check 2>&1); rc=$?
t_eq "sqlite, the file missing: exit 1" 1 "$rc"
t_grep "...said, with why" "连通：否，记录库文件无法打开" <(echo "$out")
t_check "...and nothing created" test ! -e "$TEST_TMP/no-such-dir"

# ---- PostgreSQL: a private cluster ---------------------------------------------------
t_check "a private cluster starts (scripts/pg.sh)" bash "$PG" start "$H" "$P"
CI=$(bash "$PG" status "$H" "$P")
t_eq "...its conninfo: the socket directory in the state directory, the port" \
  "host=$H/pg port=$P dbname=kiosk user=kiosk" "$CI"
[ "$(id -u)" -eq 0 ] && t_eq "...run as an unprivileged user (root refuses it)" nobody "$(stat -c %U "$H/pg/data")"
t_check "...started twice: the same server, answering" bash "$PG" start "$H" "$P"
conf "$TEST_TMP/pg.conf" "backend=postgresql" "conninfo=$CI"
sed -i "s/^station *=.*/station = w66-2/" "$TEST_TMP/pg.conf"
out=$("$KIOSK" --config "$TEST_TMP/pg.conf" db check 2>&1); rc=$?
t_grep "postgresql: the backend and the server's version" "后端：postgresql（PostgreSQL 15." <(echo "$out")
t_grep "...where: host, port, database" "位置：host=$H/pg port=$P dbname=kiosk" <(echo "$out")
t_grep "...reachable" "连通：是" <(echo "$out")
t_grep "...this counter's station" "本机站点：w66-2" <(echo "$out")
t_check "...the schema version: none yet, a new server" grep -qE "结构版本：0，本程序为 [0-9]+" <(echo "$out")
t_eq "...ready to be migrated (exit 0)" 0 "$rc"
out=$("$KIOSK" --lang en --config "$TEST_TMP/pg.conf" db check 2>&1)
t_grep "...in English on request" "reachable: yes" <(echo "$out")

# ---- the schema on the server: migrated once, however many counters start together ----------
sql() { psql "$CI" -Atqc "$1" 2>&1; }
for i in 1 2 3 4; do "$KIOSK" --config "$TEST_TMP/pg.conf" db migrate > "$TEST_TMP/mig$i.out" 2>&1 & done
wait
N=$(sql "SELECT max(version) FROM kiosk_schema")
t_check "four counters migrating together: the schema made (version $N)" test "${N:-0}" -ge 1
t_eq "...once: one row per version, no step twice" "$N|$N" "$(sql "SELECT count(*) || '|' || count(DISTINCT version) FROM kiosk_schema")"
t_eq "...one of them did it" 1 "$(cat "$TEST_TMP"/mig*.out | grep -c "记录库结构已从版本 0 升级到 $N")"
t_eq "...the other three found it done" 3 "$(cat "$TEST_TMP"/mig*.out | grep -c "记录库结构已是版本 $N")"
t_eq "...the records' sixteen tables there" 16 \
  "$(sql "SELECT count(*) FROM information_schema.tables WHERE table_schema='public' AND table_name <> 'kiosk_schema'")"
out=$("$KIOSK" --config "$TEST_TMP/pg.conf" db check 2>&1)
t_grep "db check: the server's schema version" "结构版本：$N（本程序 $N）" <(echo "$out")
out=$("$KIOSK" --config "$TEST_TMP/pg.conf" audit verify 2>&1); rc=$?
t_eq "a kiosk keeps its records there: the (empty) audit trail verifies (exit 0)" 0 "$rc"
# the two schemas cannot drift apart: every table and column of the SQLite file is on the server, and no other
lite=$(for t in $(sqlite3 "$KIOSK_HOME/kiosk.db" "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"); do
         sqlite3 "$KIOSK_HOME/kiosk.db" "SELECT '$t.' || name FROM pragma_table_info('$t')"; done | sort)
pgcols=$(sql "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema='public' AND table_name <> 'kiosk_schema'" | sort)
t_eq "the server's tables and columns are the SQLite file's, one for one" "$lite" "$pgcols"
# the hall-wide rules are the database's own
sql "INSERT INTO certs (serial, uscc, not_before, not_after) VALUES ('A1', '91120116MA05JQ4W3K', 0, 1)" > /dev/null
t_grep "one active certificate per company: a second refused by the database" "certs_one_active" \
  <(sql "INSERT INTO certs (serial, uscc, not_before, not_after) VALUES ('A2', '91120116MA05JQ4W3K', 0, 1)")
sql "INSERT INTO orders (number, prefix, day, seq, txn, \"window\", operator_id, created, updated) VALUES ('66-1', '66', 'd', 1, 'new', 'window66', '120101198503037792', 0, 0)" > /dev/null
t_grep "one unfinished order per operator: a second refused" "orders_one_open" \
  <(sql "INSERT INTO orders (number, prefix, day, seq, txn, \"window\", operator_id, created, updated) VALUES ('66-2', '66', 'd', 2, 'new', 'window66', '120101198503037792', 0, 0)")
sql "INSERT INTO orders (number, prefix, day, seq, txn, \"window\", uscc, created, updated) VALUES ('66-4', '66', 'd', 4, 'renew', 'window66', '91120116MA05JQ4W3K', 0, 0)" > /dev/null
t_grep "one unfinished CA order per company: another counter's refused" "orders_one_open_company" \
  <(sql "INSERT INTO orders (number, prefix, day, seq, txn, \"window\", uscc, created, updated) VALUES ('S-5', 'S', 'd', 5, 'selfrenew', 'self', '91120116MA05JQ4W3K', 0, 0)")
t_eq "...window 68's order for that company is not the CA's: accepted" "" \
  "$(sql "INSERT INTO orders (number, prefix, day, seq, txn, \"window\", uscc, created, updated) VALUES ('68-6', '68', 'd', 6, 'bind', 'window68', '91120116MA05JQ4W3K', 0, 0)")"
# and every rule the SQLite file states as an index, the server states too (same names)
lite=$(sqlite3 "$KIOSK_HOME/kiosk.db" "SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL ORDER BY name")
pgidx=$(sql "SELECT indexname FROM pg_indexes WHERE schemaname='public' AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key' ORDER BY indexname")
t_eq "the server's indexes are the SQLite file's, one for one" "$lite" "$pgidx"
t_grep "order numbers unique per window and day" "orders_prefix_day_seq_key" \
  <(sql "INSERT INTO orders (number, prefix, day, seq, txn, \"window\", created, updated) VALUES ('66-3', '66', 'd', 1, 'new', 'window66', 0, 0)")
sql "INSERT INTO audit (at, actor, action, detail, prev_hash, hash) VALUES (0, 'a', 'b', 'c', 'p', 'h')" > /dev/null
t_grep "the audit trail is append-only: no update" "audit rows are append-only" <(sql "UPDATE audit SET detail = 'x'")
t_grep "...no delete" "audit rows are append-only" <(sql "DELETE FROM audit")
t_grep "...no truncate" "audit rows are append-only" <(sql "TRUNCATE audit")
# an older server whose records already break the company rule: the upgrade refused, untouched, saying why
sql "DROP INDEX orders_one_open_company; DELETE FROM kiosk_schema WHERE version = $N" > /dev/null
sql "INSERT INTO orders (number, prefix, day, seq, txn, \"window\", uscc, created, updated) VALUES ('S-7', 'S', 'd', 7, 'selfrenew', 'self', '91120116MA05JQ4W3K', 0, 0)" > /dev/null
out=$("$KIOSK" --config "$TEST_TMP/pg.conf" db migrate 2>&1); rc=$?
t_eq "two unfinished CA orders of one company on an older server: db migrate refuses (exit 1)" 1 "$rc"
t_grep "...naming the rule it cannot make" "orders_one_open_company" <(echo "$out")
t_eq "...untouched: still the older version, no index" "$((N - 1))|0" \
  "$(sql "SELECT max(version) FROM kiosk_schema")|$(sql "SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_one_open_company'")"
sql "UPDATE orders SET state = 2 WHERE number = 'S-7'" > /dev/null
out=$("$KIOSK" --config "$TEST_TMP/pg.conf" db migrate 2>&1); rc=$?
t_eq "...one of them cancelled: the upgrade goes through (exit 0, version $N, the index made)" "0|$N|1" \
  "$rc|$(sql "SELECT max(version) FROM kiosk_schema")|$(sql "SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_one_open_company'")"
# a server newer than this program: refused, untouched
sql "INSERT INTO kiosk_schema VALUES ($((N + 1)), 0)" > /dev/null
before=$(sql "SELECT count(*) FROM information_schema.columns WHERE table_schema='public'")
out=$("$KIOSK" --config "$TEST_TMP/pg.conf" db migrate 2>&1); rc=$?
t_eq "a server newer than the program: db migrate refuses (exit 1)" 1 "$rc"
t_grep "...saying so" "记录库比本程序新，未作任何改动" <(echo "$out")
t_eq "...untouched" "$before|$((N + 1))" \
  "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_schema='public'")|$(sql "SELECT max(version) FROM kiosk_schema")"
out=$("$KIOSK" --config "$TEST_TMP/pg.conf" db check 2>&1)
t_grep "...db check says it is newer" "结构版本：$((N + 1))，比本程序的 $N 新" <(echo "$out")
out=$("$KIOSK" db migrate 2>&1); rc=$?
t_eq "sqlite: db migrate on the test hall's file: nothing to do (exit 0)" 0 "$rc"
t_check "...said so" grep -qE "记录库结构已是版本 ([0-9]+)（本程序 \1）" <(echo "$out")

# the password: from a file its owner alone may read
printf 'secret\n' > "$TEST_TMP/pw"; chmod 644 "$TEST_TMP/pw"
conf "$TEST_TMP/pw.conf" "backend=postgresql" "conninfo=$CI" "password_file=$TEST_TMP/pw"
out=$("$KIOSK" --config "$TEST_TMP/pw.conf" db check 2>&1); rc=$?
t_eq "a password file others may read: refused (exit 2)" 2 "$rc"
t_grep "...saying what it must be" "mode 0600" <(echo "$out")
chmod 600 "$TEST_TMP/pw"
out=$("$KIOSK" --config "$TEST_TMP/pw.conf" db check 2>&1)
t_grep "...mode 0600: taken (the cluster trusts local connections, the password is not needed)" "连通：是" <(echo "$out")
conf "$TEST_TMP/none.conf" "backend=postgresql" "conninfo="
out=$("$KIOSK" --config "$TEST_TMP/none.conf" db check 2>&1); rc=$?
t_eq "postgresql without a conninfo: a configuration error (exit 2)" 2 "$rc"
t_grep "...naming the key" "[db] conninfo" <(echo "$out")

# ---- the server gone, then back ------------------------------------------------------
bash "$PG" kill "$H" "$P"
out=$("$KIOSK" --config "$TEST_TMP/pg.conf" db check 2>&1); rc=$?
t_eq "the server stopped as a crash stops it: exit 1" 1 "$rc"
t_grep "...the records server named unreachable, with libpq's reason" "连通：否，记录库服务器无法连接" <(echo "$out")
t_check "...pg.sh status says so too" sh -c "! bash '$PG' status '$H' '$P' 2>/dev/null"
t_check "started again (crash recovery)" bash "$PG" start "$H" "$P"
out=$("$KIOSK" --config "$TEST_TMP/pg.conf" db check 2>&1)
t_grep "...reachable again" "连通：是" <(echo "$out")

#!/usr/bin/env bash
# tests/integration/db_check.sh - where the records are, and whether they
# answer (`kiosk db check`), on both backends: the test hall's SQLite file;
# a private PostgreSQL 15 cluster started by scripts/pg.sh (as an
# unprivileged user, under its own state directory) - reachable, its
# version, the station; stopped as a crash stops it: "the records server is
# unreachable"; started again: reachable. The password file must be its
# owner's alone. A kiosk pointed at PostgreSQL refuses to open its records
# there, saying why (this build's store keeps them in SQLite only).
. "$ROOT/tests/lib.sh"
PG=$ROOT/scripts/pg.sh
chmod 711 "$TEST_TMP"                  # the server's user reaches its own directory below
H=$TEST_TMP/hall; mkdir -p "$H"; chmod 711 "$H"
free_port() { local p; while :; do p=$((20000 + RANDOM % 10000)); ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && { echo $p; return; }; done; }
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
t_grep "...said plainly: this build keeps no records there yet" "本版本程序尚不能把记录保存在 PostgreSQL 上" <(echo "$out")
t_eq "...so not 'ready' (exit 1)" 1 "$rc"
out=$("$KIOSK" --lang en --config "$TEST_TMP/pg.conf" db check 2>&1)
t_grep "...in English on request" "reachable: yes" <(echo "$out")
out=$("$KIOSK" --config "$TEST_TMP/pg.conf" audit verify 2>&1); rc=$?
t_check "a kiosk pointed at PostgreSQL does not open records there (exit non-zero)" test "$rc" -ne 0
t_grep "...saying why" "PostgreSQL backend of the records is not in this build yet" <(echo "$out")

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

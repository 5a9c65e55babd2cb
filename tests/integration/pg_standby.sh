#!/usr/bin/env bash
# tests/integration/pg_standby.sh - the records server with a streaming-
# replication standby, as README's "a hall that cannot stop" runs it, and a
# counter pointed at both: a primary and a standby (scripts/pg.sh start,
# standby), the counter's conninfo naming both hosts with
# target_session_attrs=read-write. The schema made through it lands on the
# primary and streams to the standby; the primary killed, the standby
# promoted: the same conninfo reaches the new primary, the records' schema
# there, nothing to migrate again.
. "$ROOT/tests/lib.sh"
PG=$ROOT/scripts/pg.sh
chmod 711 "$TEST_TMP"
H1=$TEST_TMP/primary; H2=$TEST_TMP/standby; mkdir -p "$H1" "$H2"; chmod 711 "$H1" "$H2"
P1=$(free_port); P2=$(free_port); while [ "$P2" = "$P1" ]; do P2=$(free_port); done
cleanup() { bash "$PG" stop "$H1" "$P1" >/dev/null 2>&1; bash "$PG" stop "$H2" "$P2" >/dev/null 2>&1; }
trap cleanup EXIT
CONF=$TEST_TMP/hall.conf
cp "$KIOSK_HOME/kiosk.conf" "$CONF"
sed -i -e '/^backend *=/d' -e '/^conninfo *=/d' "$CONF"
sed -i -e "/^\[db\]/a backend = postgresql\nconninfo = host=$H1/pg,$H2/pg port=$P1,$P2 dbname=kiosk user=kiosk target_session_attrs=read-write" "$CONF"
on() { psql "host=$1/pg port=$2 dbname=kiosk user=kiosk" -Atqc "$3" 2>&1; }

t_check "the primary starts" bash "$PG" start "$H1" "$P1"
t_check "a standby streams from it (pg_basebackup -R) and starts" bash "$PG" standby "$H2" "$P2" "$H1" "$P1"
t_eq "...the standby is in recovery, the primary is not" "t|f" "$(on "$H2" "$P2" "SELECT pg_is_in_recovery()")|$(on "$H1" "$P1" "SELECT pg_is_in_recovery()")"

out=$("$KIOSK" --config "$CONF" db migrate 2>&1)
t_grep "the counter's two-host conninfo: the schema made on the primary" "记录库结构已从版本 0 升级到" <(echo "$out")
out=$("$KIOSK" --config "$TEST_TMP/hall.conf" db check 2>&1)
t_grep "...db check names the primary" "位置：host=$H1/pg port=$P1" <(echo "$out")
for i in $(seq 1 100); do [ "$(on "$H2" "$P2" "SELECT to_regclass('kiosk_schema') IS NOT NULL")" = t ] && break; sleep 0.1; done
t_eq "...streamed to the standby" "$(on "$H1" "$P1" "SELECT max(version) FROM kiosk_schema")" "$(on "$H2" "$P2" "SELECT max(version) FROM kiosk_schema")"
t_grep "...which refuses writes (read only)" "read-only transaction" <(on "$H2" "$P2" "INSERT INTO counters VALUES ('x', 1)")

bash "$PG" kill "$H1" "$P1"
out=$("$KIOSK" --config "$CONF" db check 2>&1); rc=$?
t_eq "the primary killed: the standby alone is read-only, so not taken (exit 1)" 1 "$rc"
t_check "the standby promoted (pg_ctl promote)" bash "$PG" promote "$H2" "$P2"
for i in $(seq 1 100); do [ "$(on "$H2" "$P2" "SELECT pg_is_in_recovery()")" = f ] && break; sleep 0.1; done
out=$("$KIOSK" --config "$CONF" db check 2>&1)
t_grep "...the same conninfo reaches the new primary" "位置：host=$H2/pg port=$P2" <(echo "$out")
t_grep "...reachable" "连通：是" <(echo "$out")
out=$("$KIOSK" --config "$CONF" db migrate 2>&1)
t_grep "...the records' schema there: nothing to migrate again" "记录库结构已是版本" <(echo "$out")
t_eq "...and it takes writes" "" "$(on "$H2" "$P2" "INSERT INTO counters VALUES ('x', 1)")"

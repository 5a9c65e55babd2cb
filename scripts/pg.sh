#!/usr/bin/env bash
# scripts/pg.sh - the hall's shared records server for the embedded hall and
# the tests: a private PostgreSQL 15 cluster (Debian's) under the state
# directory, run as an unprivileged user, reached over its own socket
# directory and, for the counters of a hall, a TCP port on localhost.
#
#   scripts/pg.sh start  HOME PORT   create (once) and start; waits until it answers
#   scripts/pg.sh stop   HOME PORT   stop it (fast shutdown)
#   scripts/pg.sh kill   HOME PORT   stop it as a crash would (immediate: no checkpoint)
#   scripts/pg.sh status HOME PORT   exit 0 and print the conninfo when it answers
#   scripts/pg.sh standby HOME PORT PRIMARY_HOME PRIMARY_PORT
#                                    a streaming-replication standby of that
#                                    server (pg_basebackup -R), started
#   scripts/pg.sh promote HOME PORT  the standby made the primary (its primary lost)
#
# Everything lives in HOME/pg/: data/ (the cluster, owned by the server's
# user), the socket, server.log. The cluster trusts local connections only
# (its socket directory is its user's; TCP on 127.0.0.1) and has one role and
# one database, both "kiosk". The conninfo printed is what a counter's
# [db] conninfo takes: host=HOME/pg port=PORT dbname=kiosk user=kiosk
#
# PostgreSQL refuses to run as root: as root the server runs as PG_USER
# (default nobody), which owns HOME/pg; otherwise as the caller.
set -euo pipefail

usage() { echo "usage: $0 start|stop|kill|status|promote HOME PORT | standby HOME PORT PRIMARY_HOME PRIMARY_PORT" >&2; exit 2; }
[ $# -eq 3 ] || [ $# -eq 5 -a "${1:-}" = standby ] || usage
cmd=$1 home=$2 port=$3
case $port in ''|*[!0-9]*) echo "pg.sh: PORT '$port' is not a number" >&2; exit 2;; esac

BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
dir=$home/pg
data=$dir/data
log=$dir/server.log
conninfo="host=$dir port=$port dbname=kiosk user=kiosk"
wait_s=${PG_START_TIMEOUT:-30}

if [ "$(id -u)" -eq 0 ]; then
  PG_USER=${PG_USER:-nobody}
  as() { runuser -u "$PG_USER" -- "$@"; }
else
  as() { "$@"; }
fi

answers() { as "$BIN/pg_isready" -q -h "$dir" -p "$port" -d kiosk -U kiosk; }

start() {
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown "$PG_USER" "$dir"
  chmod 700 "$dir"
  if [ ! -f "$data/PG_VERSION" ]; then
    rm -rf "$data"
    as "$BIN/initdb" -D "$data" -A trust -U kiosk -E UTF8 --locale=C.UTF-8 > "$dir/initdb.log" 2>&1 || {
      echo "pg.sh: initdb failed:" >&2; tail -5 "$dir/initdb.log" >&2; return 1; }
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "unix_socket_directories = '$dir'"
      echo "fsync = on"
    } >> "$data/postgresql.conf"
  fi
  if ! answers; then
    as "$BIN/pg_ctl" -D "$data" -l "$log" -w -t "$wait_s" -o "-p $port" start > /dev/null || {
      echo "pg.sh: the server did not start on port $port (log: $log):" >&2; tail -5 "$log" >&2 2>/dev/null; return 1; }
  fi
  # the hall's database, made once
  if ! as "$BIN/psql" -h "$dir" -p "$port" -U kiosk -d kiosk -Atqc "SELECT 1" > /dev/null 2>&1; then
    as "$BIN/psql" -h "$dir" -p "$port" -U kiosk -d postgres -Atqc "CREATE DATABASE kiosk" > /dev/null
  fi
  echo "$conninfo"
}

# A standby: the primary's files streamed (pg_basebackup, -R writes the
# replication settings), this directory's socket and port, started; it
# answers reads and follows the primary until promoted.
standby() {
  local phome=$1 pport=$2
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown "$PG_USER" "$dir"
  chmod 700 "$dir"
  if [ ! -f "$data/PG_VERSION" ]; then
    rm -rf "$data"
    as "$BIN/pg_basebackup" -h "$phome/pg" -p "$pport" -U kiosk -D "$data" -R -X stream > "$dir/basebackup.log" 2>&1 || {
      echo "pg.sh: pg_basebackup from $phome port $pport failed:" >&2; tail -5 "$dir/basebackup.log" >&2; return 1; }
    echo "unix_socket_directories = '$dir'" >> "$data/postgresql.conf"   # the last setting wins
  fi
  if ! answers; then
    as "$BIN/pg_ctl" -D "$data" -l "$log" -w -t "$wait_s" -o "-p $port" start > /dev/null || {
      echo "pg.sh: the standby did not start on port $port (log: $log):" >&2; tail -5 "$log" >&2 2>/dev/null; return 1; }
  fi
  echo "$conninfo"
}

case $cmd in
  start) start ;;
  standby) standby "$4" "$5" ;;
  promote) as "$BIN/pg_ctl" -D "$data" -w promote > /dev/null ;;
  stop|kill)
    if [ -f "$data/postmaster.pid" ]; then
      as "$BIN/pg_ctl" -D "$data" -w -m "$([ "$cmd" = kill ] && echo immediate || echo fast)" stop > /dev/null 2>&1 || true
    fi
    ;;
  status)
    if answers; then echo "$conninfo"; exit 0; fi
    echo "pg.sh: no records server answering at $dir port $port" >&2
    exit 1
    ;;
  *) usage ;;
esac

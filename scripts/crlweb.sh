#!/usr/bin/env bash
# scripts/crlweb.sh - the embedded hall's CA publication point: Debian's
# lighttpd serving [ca] crl_dir (kiosk-ca.crl, kiosk-ca.crt) on localhost, so
# the CRL distribution point and the caIssuers URL inside every certificate
# resolve on this machine, as the CA's web server does for a real hall.
#
#   scripts/crlweb.sh start  HOME PORT [DIR]   start (idempotent); DIR defaults to HOME/crl;
#                                              prints the base URL http://localhost:PORT
#   scripts/crlweb.sh stop   HOME PORT         stop it
#   scripts/crlweb.sh status HOME PORT         exit 0 when it answers
#
# Its files live in HOME/crlweb/ (lighttpd.conf, lighttpd.pid, error.log). It
# runs as the calling user, in the foreground of its own session (-D).
set -euo pipefail

usage() { echo "usage: $0 start HOME PORT [DIR] | stop|status HOME PORT" >&2; exit 2; }
[ $# -ge 3 ] || usage
cmd=$1 home=$2 port=$3
case $port in ''|*[!0-9]*) echo "crlweb.sh: PORT '$port' is not a number" >&2; exit 2;; esac
dir=$home/crlweb
pidf=$dir/lighttpd.pid
base=http://localhost:$port
wait_s=${CRLWEB_START_TIMEOUT:-10}

. "$(dirname "$0")/daemon.sh"
answers() { python3 - "$base/" <<'PY' 2>/dev/null
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError:
    pass  # 403/404: it answers
PY
}


start() {
  local root=$1
  if alive "$pidf" && answers; then echo "$base"; return 0; fi
  stop_pidfile "$pidf"
  command -v lighttpd >/dev/null || { echo "crlweb.sh: lighttpd is not installed (scripts/setup.sh installs it)" >&2; return 1; }
  mkdir -p "$dir" "$root"
  cat >"$dir/lighttpd.conf" <<CONF
server.document-root = "$root"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$dir/error.log"
server.modules = ( )
mimetype.assign = ( ".crl" => "application/pkix-crl", ".crt" => "application/pkix-cert" )
dir-listing.activate = "disable"
server.stat-cache-engine = "disable"   # the CRL is replaced by rename: never serve a stale one
CONF
  setsid lighttpd -D -f "$dir/lighttpd.conf" </dev/null >"$dir/lighttpd.out" 2>&1 &
  echo $! >"$pidf"
  wait_started "$pidf" "$wait_s" "crlweb.sh: lighttpd on port $port" "$dir/lighttpd.out" "$dir/error.log" || return 1
  echo "$base"
}

case $cmd in
  start)  start "${4:-$home/crl}" ;;
  stop)   stop_pidfile "$pidf" ;;
  status) alive "$pidf" && answers ;;
  *)      usage ;;
esac

#!/usr/bin/env bash
# scripts/cupsd.sh - the embedded hall's print server: a private cupsd (Debian's
# cups-daemon + cups-filters) whose queue forwards to the embedded printer, as
# a hall's CUPS server forwards to its office printer.
#
#   scripts/cupsd.sh start  HOME PORT PRINTER_URI [QUEUE]   start (idempotent), add the
#                                       queue (default hallq) -> PRINTER_URI; prints the
#                                       CUPS_SERVER to use (HOME/cupsd/run/cups.sock)
#   scripts/cupsd.sh stop   HOME PORT   stop cupsd (kill, then kill -9)
#   scripts/cupsd.sh status HOME PORT   exit 0 when cupsd answers on localhost:PORT
#   scripts/cupsd.sh kill   HOME PORT   kill -9 (a crash, for the fault tests)
#
# Everything lives in HOME/cupsd/: etc/ (cupsd.conf, cups-files.conf, ppd/),
# spool/, cache/, state/, tmp/, log/ (access_log, error_log, page_log),
# run/cups.sock, cupsd.pid. cupsd listens on localhost:PORT and on the
# socket; it is started as root with `User lp` (cupsd refuses to run jobs as
# root; ../shared/notes.md), or as the calling user when not root. The queue is
# added through the socket (over TCP lpadmin is refused), with `-m everywhere`
# (cupsd asks the printer for its capabilities; cups-filters lets it take PDF).
set -euo pipefail

usage() { echo "usage: $0 start HOME PORT PRINTER_URI [QUEUE] | stop|status|kill HOME PORT" >&2; exit 2; }
[ $# -ge 3 ] || usage
cmd=$1 home=$2 port=$3
case $port in ''|*[!0-9]*) echo "cupsd.sh: PORT '$port' is not a number" >&2; exit 2;; esac

dir=$home/cupsd
pidf=$dir/cupsd.pid
sock=$dir/run/cups.sock
wait_s=${CUPSD_START_TIMEOUT:-15}

. "$(dirname "$0")/daemon.sh"
answers() { CUPS_SERVER=localhost:$port timeout 3 lpstat -r 2>/dev/null | grep -q "is running"; }


configure() {
  local user group
  mkdir -p "$dir"/{etc/ppd,spool/tmp,cache,state/certs,tmp,log,run}
  if [ "$(id -u)" -eq 0 ]; then user=lp group=lp sysgroup=root; else user=$(id -un) group=$(id -gn) sysgroup=$(id -gn); fi
  cat >"$dir/etc/cups-files.conf" <<EOF
ServerRoot $dir/etc
RequestRoot $dir/spool
CacheDir $dir/cache
StateDir $dir/state
TempDir $dir/tmp
AccessLog $dir/log/access_log
ErrorLog $dir/log/error_log
PageLog $dir/log/page_log
User $user
Group $group
SystemGroup $sysgroup
FileDevice No
EOF
  cat >"$dir/etc/cupsd.conf" <<EOF
LogLevel info
Listen localhost:$port
Listen $sock
WebInterface No
Browsing No
DefaultAuthType None
JobRetryInterval 5
ErrorPolicy retry-job
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
EOF
  if [ "$(id -u)" -eq 0 ]; then
    chgrp -R lp "$dir"
    chmod -R g+rwX "$dir"
    # cupsd runs filters and backends as lp: they must reach the spool and
    # the queue's PPD, so every directory above them must let lp pass
    if ! runuser -u lp -- test -x "$dir/etc"; then
      echo "cupsd.sh: user lp cannot reach $dir (the filters run as lp): give its parent directories o+x" >&2
      return 1
    fi
  fi
}

start() {
  local printer_uri=$1 queue=$2
  if ! (alive "$pidf" && answers); then
    stop_pidfile "$pidf"
    configure || return 1
    rm -f "$sock"
    setsid cupsd -f -c "$dir/etc/cupsd.conf" -s "$dir/etc/cups-files.conf" \
      </dev/null >"$dir/log/cupsd.out" 2>&1 &
    echo $! >"$pidf"
    wait_started "$pidf" "$wait_s" "cupsd.sh: cupsd on port $port" "$dir/log/error_log" "$dir/log/cupsd.out" || return 1
  fi
  if ! CUPS_SERVER=$sock lpstat -p "$queue" >/dev/null 2>&1; then
    CUPS_SERVER=$sock lpadmin -p "$queue" -E -v "$printer_uri" -m everywhere -o printer-error-policy=retry-job \
      || { echo "cupsd.sh: lpadmin could not add queue $queue -> $printer_uri (is the printer up?)" >&2; return 1; }
  fi
  CUPS_SERVER=$sock cupsenable "$queue" >/dev/null 2>&1 || true
  CUPS_SERVER=$sock cupsaccept "$queue" >/dev/null 2>&1 || true
  echo "$sock"
}

case $cmd in
  start)  [ $# -ge 4 ] || usage; start "$4" "${5:-hallq}" ;;
  stop)   stop_pidfile "$pidf" ;;
  kill)   [ -f "$pidf" ] && kill -9 "$(cat "$pidf")" 2>/dev/null; rm -f "$pidf" ;;
  status) alive "$pidf" && answers ;;
  *)      usage ;;
esac

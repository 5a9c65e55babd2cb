#!/usr/bin/env bash
# scripts/printer.sh - the embedded hall's printer: CUPS's ippeveprinter on
# localhost, with a private D-Bus bus (it needs one here) and DNS-SD off.
#
#   scripts/printer.sh start  HOME PORT   start (idempotent); waits until it answers IPP
#   scripts/printer.sh stop   HOME PORT   stop ippeveprinter and its dbus-daemon
#                                         (not while another PRINTER_USER still runs)
#   scripts/printer.sh status HOME PORT   exit 0 and print the URI when it answers
#
# Everything lives in HOME/printer/: spool/ (received jobs, kept with -k,
# byte-identical), bus (D-Bus socket), dbus.pid, ippeveprinter.pid,
# ippeveprinter.log. The printer accepts PDF (-f application/pdf; another
# list of formats in PRINTER_FORMATS, e.g. a printer that refuses PDF) and
# "prints" instantly (-c /bin/true). Its URI: ipp://localhost:PORT/ipp/print
set -euo pipefail

usage() { echo "usage: $0 start|stop|status HOME PORT" >&2; exit 2; }
[ $# -eq 3 ] || usage
cmd=$1 home=$2 port=$3
case $port in ''|*[!0-9]*) echo "printer.sh: PORT '$port' is not a number" >&2; exit 2;; esac

dir=$home/printer
uri="ipp://localhost:$port/ipp/print"
dbus_pidf=$dir/dbus.pid
ipp_pidf=$dir/ippeveprinter.pid
bus=$dir/bus
wait_s=${PRINTER_START_TIMEOUT:-10}

. "$(dirname "$0")/daemon.sh"

answers() {
  # One Get-Printer-Attributes with a 2 s timeout.
  ipptool -q -T 2 "$uri" get-printer-attributes.test >/dev/null 2>&1
}


start() {
  # the papers carry ID and mobile numbers: the spool is its owner's alone
  mkdir -p "$dir/spool"
  chmod 700 "$dir" "$dir/spool"
  find "$dir/spool" -type f -exec chmod 600 {} + 2>/dev/null
  if alive "$ipp_pidf" && answers; then
    echo "$uri"
    return 0
  fi
  # Half-started or stale: clean up first.
  stop_pidfile "$ipp_pidf"
  if ! alive "$dbus_pidf"; then
    rm -f "$dbus_pidf" "$bus"
    dbus-daemon --session --address="unix:path=$bus" --fork --print-pid >"$dbus_pidf" 9>&-
  fi
  DBUS_SYSTEM_BUS_ADDRESS="unix:path=$bus" DBUS_SESSION_BUS_ADDRESS="unix:path=$bus" \
    setsid sh -c 'umask 077; exec "$@"' ippeveprinter ippeveprinter -p "$port" -n localhost -r off -d "$dir/spool" -k \
      -f "${PRINTER_FORMATS:-application/pdf}" -c /bin/true kiosk-printer \
      </dev/null >"$dir/ippeveprinter.log" 2>&1 9>&- &
  echo $! >"$ipp_pidf"
  wait_started "$ipp_pidf" "$wait_s" "printer.sh: ippeveprinter on port $port" "$dir/ippeveprinter.log" || return 1
  echo "$uri"
}

# Who uses the printer: PRINTER_USER (a pid; `make run` passes its own)
# registers at start, and stop leaves the printer running while another
# registered user lives - a quick second `make run` on the same hall is not
# left without its printer (nor its D-Bus) by the first one's exit. Start
# and stop take a lock, so neither runs half-way through the other.
users=$dir/users
others_alive() {
  local f p
  for f in "$users"/*; do
    [ -e "$f" ] || continue
    p=${f##*/}
    [ "$p" = "${PRINTER_USER:-}" ] && continue
    if kill -0 "$p" 2>/dev/null; then return 0; fi
    rm -f "$f"
  done
  return 1
}
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9

case $cmd in
  start)
    start
    if [ -n "${PRINTER_USER:-}" ]; then mkdir -p "$users"; : > "$users/$PRINTER_USER"; fi
    ;;
  stop)
    [ -n "${PRINTER_USER:-}" ] && rm -f "$users/$PRINTER_USER"
    if others_alive; then exit 0; fi
    stop_pidfile "$ipp_pidf"
    stop_pidfile "$dbus_pidf"
    rm -f "$bus"
    ;;
  status)
    if alive "$ipp_pidf" && answers; then echo "$uri"; exit 0; fi
    echo "printer.sh: no printer answering at $uri" >&2
    exit 1
    ;;
  *) usage ;;
esac

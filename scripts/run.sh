#!/usr/bin/env bash
# scripts/run.sh - provision (or reuse) the embedded hall, start its printer,
# run the kiosk in this terminal, stop the printer when the kiosk exits.
# Called by `make run`; arguments go to the kiosk (make run ARGS="--mode self").
# KIOSK_CUPSD=1: print as a hall prints, through a private cupsd
# (scripts/cupsd.sh, queue hallq -> the embedded printer, CUPS_SERVER set).
# KIOSK_HALL=1 (`make hall`): a hall of many counters - the records on a
# private PostgreSQL cluster under the state directory (scripts/pg.sh, as an
# unprivileged user; default state directory var-hall/), and window 66,
# window 68 and a self-service terminal as three kiosk processes sharing it,
# each a window of the tmux session kiosk-hall (attached when this is a
# terminal); everything stops when the last of them exits.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${KIOSK_HALL:-}" ]; then
  export KIOSK_HOME=${KIOSK_HOME:-$ROOT/var-hall}
else
  export KIOSK_HOME=${KIOSK_HOME:-$ROOT/var}
fi
KIOSK=$ROOT/build/kiosk
PORT=${KIOSK_PRINTER_PORT:-8631}
CUPS_PORT=${KIOSK_CUPSD_PORT:-8632}
CRL_PORT=${KIOSK_CRL_PORT:-8633}
PG_PORT=${KIOSK_PG_PORT:-8634}
SESSION=${KIOSK_HALL_SESSION:-kiosk-hall}
URI="ipp://localhost:$PORT/ipp/print"

mkdir -p "$(dirname "$KIOSK_HOME")"   # the hall itself is made by provisioning (said new, not reused)
export PRINTER_USER=$$   # this run uses the printer: another run's exit leaves it running
# say NAME [ARG...]: a line from the kiosk's catalogue, in the hall's language
say() { "$KIOSK" config say "$@" || true; }
# what this run started, stopped when it ends
started=()
cleanup() {
  local s
  for s in "${started[@]}"; do
    case $s in
      printer) bash "$ROOT/scripts/printer.sh" stop "$KIOSK_HOME" "$PORT" ;;
      cupsd) bash "$ROOT/scripts/cupsd.sh" stop "$KIOSK_HOME" "$CUPS_PORT" ;;
      crlweb) bash "$ROOT/scripts/crlweb.sh" stop "$KIOSK_HOME" "$CRL_PORT" ;;
      pg) bash "$ROOT/scripts/pg.sh" stop "$KIOSK_HOME" "$PG_PORT" ;;
    esac >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT
"$KIOSK" hall provision --printer-uri "$URI" --crl-base "http://localhost:$CRL_PORT"
if [ -n "${KIOSK_HALL:-}" ]; then
  # the hall's records server; the state directory lets its user through (nothing in it is readable)
  chmod 711 "$KIOSK_HOME"
  bash "$ROOT/scripts/pg.sh" start "$KIOSK_HOME" "$PG_PORT" >/dev/null
  started+=(pg)
  CONNINFO=$(bash "$ROOT/scripts/pg.sh" status "$KIOSK_HOME" "$PG_PORT")
  if ! grep -q '^backend *= *postgresql' "$KIOSK_HOME/kiosk.conf"; then
    # the hall just provisioned on this machine's file (its clerks, keys, CA
    # certificate records, audit) moved onto the server, then the counters pointed at it
    "$KIOSK" db copy --to "$CONNINFO" > "$KIOSK_HOME/db-copy.log" 2>&1 || cat "$KIOSK_HOME/db-copy.log" >&2
    sed -i -e '/^backend *=/d' -e '/^conninfo *=/d' -e "/^\[db\]/a backend = postgresql\nconninfo = $CONNINFO" \
      "$KIOSK_HOME/kiosk.conf"
  fi
  "$KIOSK" db migrate >/dev/null
  say M_HALL_RECORDS "$CONNINFO"
fi

# Demo clerks, made once: w66 (window 66), w68 (window 68), boss (supervisor).
# Their passwords are generated on the first run into secrets/clerks.txt
# ("LOGIN ROLE PASSWORD" lines, 0600) and reused afterwards.
CLERKS=$KIOSK_HOME/secrets/clerks.txt
if [ ! -s "$CLERKS" ]; then
  (umask 077; mkdir -p "$KIOSK_HOME/secrets"
   for lr in "w66 window66" "w68 window68" "boss supervisor"; do
     echo "$lr $(head -c 12 /dev/urandom | base64 | tr -d '/+=')"
   done > "$CLERKS")
fi
chmod 600 "$CLERKS"
known=$("$KIOSK" clerk list 2>/dev/null | cut -f1)
while read -r login role pass; do
  grep -qx "$login" <<<"$known" && continue
  case $role in
    window66) name="66号窗口演示柜员" ;; window68) name="68号窗口演示柜员" ;; *) name="演示值班主管" ;;
  esac
  printf '%s\n' "$pass" | "$KIOSK" clerk add "$login" "$role" "$name" >/dev/null
done < "$CLERKS"
say M_RUN_CLERKS "$CLERKS"
# ...and the sign-in screen, which covers this terminal, says where they are ([hall] login_note, once)
if ! grep -q '^login_note *= *[^ ]' "$KIOSK_HOME/kiosk.conf"; then
  note=$(say M_RUN_LOGIN_NOTE "$CLERKS" | tr -d '\\&|')
  sed -i -e '/^login_note *=/d' -e "/^\[hall\]/a login_note = $note" "$KIOSK_HOME/kiosk.conf"
fi
if bash "$ROOT/scripts/printer.sh" start "$KIOSK_HOME" "$PORT" >/dev/null; then started+=(printer); else
  say M_RUN_NO_PRINTER >&2; fi
if [ -n "${KIOSK_CUPSD:-}" ]; then
  if CUPS_SERVER=$(bash "$ROOT/scripts/cupsd.sh" start "$KIOSK_HOME" "$CUPS_PORT" "$URI" hallq); then
    export CUPS_SERVER
    # the hall's configuration with the printer replaced by the queue
    sed 's|^uri *=.*|uri = hallq|' "$KIOSK_HOME/kiosk.conf" > "$KIOSK_HOME/kiosk-cupsd.conf"
    set -- --config "$KIOSK_HOME/kiosk-cupsd.conf" "$@"
    say M_RUN_CUPSD "$CUPS_SERVER"
    started=(cupsd "${started[@]}")
  else
    say M_RUN_NO_CUPSD >&2
  fi
fi
# the CA's publication point: the CRL and the CA certificate, served where
# the certificates say (a hall provisioned before --crl-base keeps its URLs)
if bash "$ROOT/scripts/crlweb.sh" start "$KIOSK_HOME" "$CRL_PORT" "$KIOSK_HOME/crl" >/dev/null; then
  started=(crlweb "${started[@]}")
  "$KIOSK" ca crl >/dev/null || say M_RUN_NO_CRL >&2
else
  say M_RUN_NO_CRLWEB >&2
fi
export LC_ALL=${LC_ALL:-C.UTF-8}
if [ -z "${KIOSK_HALL:-}" ]; then
  "$KIOSK" "$@"
  exit
fi
# three counters of one hall, one tmux window each (the environment given to
# each: a tmux server already running keeps its own)
counter() { # WINDOW-NAME MODE STATION
  local env=(env KIOSK_HOME="$KIOSK_HOME" LC_ALL="$LC_ALL" ${CUPS_SERVER:+CUPS_SERVER=$CUPS_SERVER})
  if tmux has-session -t "$SESSION" 2>/dev/null; then
    tmux new-window -t "$SESSION" -n "$1" "${env[@]}" "$KIOSK" --mode "$2" --station "$3" "${EXTRA[@]}"
  else
    tmux new-session -d -s "$SESSION" -n "$1" -x 100 -y 30 "${env[@]}" "$KIOSK" --mode "$2" --station "$3" "${EXTRA[@]}"
  fi
}
tmux kill-session -t "$SESSION" 2>/dev/null || true
EXTRA=("$@")
counter 66 window66 w66-1
counter 68 window68 w68-1
counter self self self-1
say M_HALL_STARTED "$SESSION"
if [ -t 0 ] && [ -t 1 ] && [ -z "${TMUX:-}" ]; then
  tmux select-window -t "$SESSION:66"
  tmux attach -t "$SESSION" || true
fi
while tmux has-session -t "$SESSION" 2>/dev/null; do sleep 1; done

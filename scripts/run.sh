#!/usr/bin/env bash
# scripts/run.sh - provision (or reuse) the embedded hall, start its printer,
# run the kiosk in this terminal, stop the printer when the kiosk exits.
# Called by `make run`; arguments go to the kiosk (make run ARGS="--mode self").
# KIOSK_CUPSD=1: print as a hall prints, through a private cupsd
# (scripts/cupsd.sh, queue hallq -> the embedded printer, CUPS_SERVER set).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export KIOSK_HOME=${KIOSK_HOME:-$ROOT/var}
KIOSK=$ROOT/build/kiosk
PORT=${KIOSK_PRINTER_PORT:-8631}
CUPS_PORT=${KIOSK_CUPSD_PORT:-8632}
CRL_PORT=${KIOSK_CRL_PORT:-8633}
URI="ipp://localhost:$PORT/ipp/print"

mkdir -p "$(dirname "$KIOSK_HOME")"   # the hall itself is made by provisioning (said new, not reused)
export PRINTER_USER=$$   # this run uses the printer: another run's exit leaves it running
# say NAME [ARG...]: a line from the kiosk's catalogue, in the hall's language
say() { "$KIOSK" config say "$@" || true; }
"$KIOSK" hall provision --printer-uri "$URI" --crl-base "http://localhost:$CRL_PORT"

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
bash "$ROOT/scripts/printer.sh" start "$KIOSK_HOME" "$PORT" >/dev/null || \
  say M_RUN_NO_PRINTER >&2
trap 'bash "$ROOT/scripts/printer.sh" stop "$KIOSK_HOME" "$PORT" >/dev/null 2>&1 || true' EXIT
if [ -n "${KIOSK_CUPSD:-}" ]; then
  if CUPS_SERVER=$(bash "$ROOT/scripts/cupsd.sh" start "$KIOSK_HOME" "$CUPS_PORT" "$URI" hallq); then
    export CUPS_SERVER
    # the hall's configuration with the printer replaced by the queue
    sed 's|^uri *=.*|uri = hallq|' "$KIOSK_HOME/kiosk.conf" > "$KIOSK_HOME/kiosk-cupsd.conf"
    set -- --config "$KIOSK_HOME/kiosk-cupsd.conf" "$@"
    say M_RUN_CUPSD "$CUPS_SERVER"
    trap 'bash "$ROOT/scripts/cupsd.sh" stop "$KIOSK_HOME" "$CUPS_PORT" >/dev/null 2>&1 || true
          bash "$ROOT/scripts/printer.sh" stop "$KIOSK_HOME" "$PORT" >/dev/null 2>&1 || true' EXIT
  else
    say M_RUN_NO_CUPSD >&2
  fi
fi
# the CA's publication point: the CRL and the CA certificate, served where
# the certificates say (a hall provisioned before --crl-base keeps its URLs)
if bash "$ROOT/scripts/crlweb.sh" start "$KIOSK_HOME" "$CRL_PORT" "$KIOSK_HOME/crl" >/dev/null; then
  "$KIOSK" ca crl >/dev/null || say M_RUN_NO_CRL >&2
  trap 'bash "$ROOT/scripts/crlweb.sh" stop "$KIOSK_HOME" "$CRL_PORT" >/dev/null 2>&1 || true
        bash "$ROOT/scripts/cupsd.sh" stop "$KIOSK_HOME" "$CUPS_PORT" >/dev/null 2>&1 || true
        bash "$ROOT/scripts/printer.sh" stop "$KIOSK_HOME" "$PORT" >/dev/null 2>&1 || true' EXIT
else
  say M_RUN_NO_CRLWEB >&2
fi
export LC_ALL=${LC_ALL:-C.UTF-8}
"$KIOSK" "$@"

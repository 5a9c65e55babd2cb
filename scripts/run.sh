#!/usr/bin/env bash
# scripts/run.sh - provision (or reuse) the embedded hall, start its printer,
# run the kiosk in this terminal, stop the printer when the kiosk exits.
# Called by `make run`; arguments go to the kiosk (make run ARGS="--mode self").
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export KIOSK_HOME=${KIOSK_HOME:-$ROOT/var}
KIOSK=$ROOT/build/kiosk
PORT=${KIOSK_PRINTER_PORT:-8631}

mkdir -p "$KIOSK_HOME"
"$KIOSK" hall provision --printer-uri "ipp://localhost:$PORT/ipp/print"
bash "$ROOT/scripts/printer.sh" start "$KIOSK_HOME" "$PORT" || \
  echo "run: the embedded printer did not start; the kiosk starts without it" >&2
trap 'bash "$ROOT/scripts/printer.sh" stop "$KIOSK_HOME" "$PORT" >/dev/null 2>&1 || true' EXIT
export LC_ALL=${LC_ALL:-C.UTF-8}
"$KIOSK" "$@"

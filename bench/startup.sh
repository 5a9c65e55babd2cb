#!/usr/bin/env bash
# bench/startup.sh - kiosk start to first screen: the real binary in a pty
# (script(1)) with --exit-after-draw, against a provisioned hall, measured by
# hyperfine next to the cost of script(1) running /bin/true.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
H=$(mktemp -d); trap 'rm -rf "$H"' EXIT
export KIOSK_HOME=$H LC_ALL=C.UTF-8 TERM=xterm-256color
"$ROOT/build/kiosk" hall provision --printer-uri ipp://localhost:1/ipp/print >/dev/null
"$ROOT/build/kiosk" dev plug demo >/dev/null
hyperfine -N --warmup 3 --runs "${1:-30}" --style basic \
  -n "kiosk start to first screen (self mode)" "script -qfec '$ROOT/build/kiosk --mode self --exit-after-draw' /dev/null" \
  -n "script(1) running /bin/true (floor)" "script -qfec /bin/true /dev/null"

#!/usr/bin/env bash
# bench/print.sh - run build/bench/print_render against a private
# ippeveprinter (scripts/printer.sh) on a free loopback port; prints figures.
#   bash bench/print.sh [ROUNDS]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
H=$(mktemp -d); PORT=$((20000 + RANDOM % 10000))
trap 'bash "$ROOT/scripts/printer.sh" stop "$H" "$PORT" >/dev/null 2>&1; rm -rf "$H"' EXIT
URI=$(bash "$ROOT/scripts/printer.sh" start "$H" "$PORT")
"$ROOT/build/bench/print_render" "${1:-30}" "$URI"

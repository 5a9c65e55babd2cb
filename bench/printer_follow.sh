#!/usr/bin/env bash
# bench/printer_follow.sh - how soon the status bar follows the printer
# (issue 14 asks for 2 s): the real kiosk at window 66 in tmux on a hall of
# its own, its private ippeveprinter killed (as a printer losing power) and
# started again ROUNDS times; each time, the seconds from the kill (from
# the printer answering again) until the status bar says 打印机:不可用
# (打印机:正常), polled every 50 ms. Prints median and max.
#   bash bench/printer_follow.sh [ROUNDS]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${1:-5}
H=$(mktemp -d); PORT=$((20000 + RANDOM % 10000)); SOCK=$H/tmux.sock
cleanup() {
  tmux -S "$SOCK" kill-server >/dev/null 2>&1 || true
  bash "$ROOT/scripts/printer.sh" stop "$H" "$PORT" >/dev/null 2>&1 || true
  rm -rf "$H"
}
trap cleanup EXIT
export KIOSK_HOME=$H LC_ALL=C.UTF-8
URI=$(bash "$ROOT/scripts/printer.sh" start "$H" "$PORT")
"$ROOT/build/kiosk" hall provision --printer-uri "$URI" > /dev/null
printf 'bench-pass-1\n' | "$ROOT/build/kiosk" clerk add b66 window66 "基准柜员" > /dev/null
tmux -S "$SOCK" new-session -d -s b -x 100 -y 30 "env TERM=xterm-256color KIOSK_HOME=$H $ROOT/build/kiosk --mode window66"
screen() { tmux -S "$SOCK" capture-pane -p -t b; }
until screen | grep -q "柜员登录"; do sleep 0.1; done
tmux -S "$SOCK" send-keys -t b -l b66; tmux -S "$SOCK" send-keys -t b Enter
tmux -S "$SOCK" send-keys -t b -l bench-pass-1; tmux -S "$SOCK" send-keys -t b Enter
until screen | grep -q "打印机:正常"; do sleep 0.1; done
now() { date +%s.%N; }
# follow TEXT: seconds until the status bar shows TEXT (gives up after 60 s)
follow() {
  local t0=$1 i
  for i in $(seq 1 1200); do screen | tail -1 | grep -q "$2" && { echo "$(now) - $t0" | bc; return; }; sleep 0.05; done
  echo 60
}
down=(); up=()
for r in $(seq 1 "$ROUNDS"); do
  t0=$(now); kill -9 "$(cat "$H/printer/ippeveprinter.pid")"
  down+=("$(follow "$t0" "打印机:不可用")")
  bash "$ROOT/scripts/printer.sh" stop "$H" "$PORT" > /dev/null 2>&1 || true
  bash "$ROOT/scripts/printer.sh" start "$H" "$PORT" > /dev/null 2>&1; t0=$(now)   # answering from here
  up+=("$(follow "$t0" "打印机:正常")")
done
stats() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "median %.2f s, max %.2f s (n=%d)", v[int((NR + 1) / 2)], v[NR], NR }'; }
echo "printer gone -> status bar says so:    $(stats "${down[@]}")"
echo "printer back -> status bar says so:    $(stats "${up[@]}")"

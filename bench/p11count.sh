#!/usr/bin/env bash
# bench/p11count.sh - PKCS#11 calls per operation, counted by build/fakep11.so
# (tests/fakep11/fakep11.c: SoftHSM passed through, every call counted by
# function and by the token it reaches: the UKey in use, the HSM, any other
# token, or the module), and the same operations timed on a key as slow as a
# real one (the module's simulated latency). A count is exact on any machine.
#
# Each operation is one process (open the module, do it, close), so its count
# includes opening: "open only" is a process that enumerates and closes.
# Usage: bench/p11count.sh HALL (a provisioned hall; `make bench` passes its own).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
H=${1:?usage: bench/p11count.sh HALL}
K=$ROOT/build/kiosk
IH=$ROOT/build/itests/issue_helper
export KIOSK_HOME=$H SOFTHSM2_CONF=$H/softhsm2.conf LC_ALL=C.UTF-8
CONF=$H/kiosk.conf
REAL=$(sed -n 's/^module *= *//p' "$CONF" | head -1)
cp "$CONF" "$H/kiosk.conf.p11count"
trap 'cp "$H/kiosk.conf.p11count" "$CONF"' EXIT
sed -i "s|^module *=.*|module = $ROOT/build/fakep11.so|" "$CONF"
export FAKEP11_MODULE=$REAL FAKEP11_HSM_SERIAL=$(sed -n 's/^hsm_serial *= *//p' "$CONF" | head -1)
C=$(mktemp -d); trap 'cp "$H/kiosk.conf.p11count" "$CONF"; rm -rf "$C"' EXIT

plug() { "$K" dev plug "$1" 2>/dev/null | grep -o '[0-9a-f]\{16\}' | head -1; }
# count NAME KEYSERIAL CMD...: run CMD with the counter on, print its per-class totals
count() {
  local name=$1 key=$2; shift 2
  FAKEP11_KEY_SERIAL=$key FAKEP11_COUNT=$C/$name "$@" > "$C/$name.out" 2>&1
  awk -v n="$name" '{s[$1]+=$3; t+=$3} END {printf "%-34s key %4d  hsm %4d  other %4d  module %4d  total %4d\n", n, s["key"], s["hsm"], s["other"], s["module"], t}' "$C/$name"
}
top() { # the UKey's functions of operation NAME, most called first
  awk '$1=="key" {print $3, $2}' "$C/$1" | sort -rn | head -6 | tr '\n' ';' | sed 's/;$//; s/;/, /g'; echo
}

echo "calls per process (module opened, the operation, closed)"
count "open only (enumerate, close)" "" "$K" token list
DEMO=$(plug demo)
count "validity read (token list, 1 key)" "$DEMO" "$K" token list
"$K" dev unplug demo > /dev/null 2>&1
B=$(plug blank3)
count "issuance P-256 (engine, records)" "$B" "$IH" issue "$B" 91120116MA05PK7K0L "天津市计数测试有限公司" 120101198503031235
grep -q '^issue=0 ' "$C/issuance P-256 (engine, records).out" || { echo "issuance failed:"; tail -3 "$C/issuance P-256 (engine, records).out"; }
printf '  the UKey: '; top "issuance P-256 (engine, records)"
count "counted PIN verification" "$B" "$IH" pin "$B" 'Kx7#pq29'
count "unlock (SO reset, records)" "$B" "$IH" unlock "$B" 'Kx7#pq29'
count "self-test" "$B" "$IH" selftest "$B" 'Kx7#pq29'

echo
echo "on a key as slow as a real one (assumed: 5 ms a call, P-256 key pair 300 ms on the chip)"
"$K" dev unplug "$B" > /dev/null 2>&1
for d in 0 5; do
  if [ "$d" = 0 ]; then KEY=blank4 USCC=91120116MA05PK9MXU OP=120101198503034567
  else KEY=blank5 USCC=91120116MA05PK8L5T OP=12010119850303222X; fi
  B=$(plug $KEY)
  s=$(date +%s.%N)
  FAKEP11_DELAY_MS=$d FAKEP11_KEYGEN_EC_MS=$((d ? 300 : 0)) FAKEP11_KEY_SERIAL=$B \
    "$IH" issue "$B" "$USCC" "天津市慢速测试有限公司" "$OP" > "$C/slow$d.out" 2>&1
  e=$(date +%s.%N)
  grep -q '^issue=0 ' "$C/slow$d.out" || { echo "issuance failed:"; tail -3 "$C/slow$d.out"; }
  "$K" dev unplug "$B" > /dev/null 2>&1
  awk -v d="$d" -v s="$s" -v e="$e" 'BEGIN {printf "issuance P-256, %d ms a call: %.2f s\n", d, e - s}'
  s=$(date +%s.%N); DEMO=$(plug demo)
  FAKEP11_DELAY_MS=$d FAKEP11_KEY_SERIAL=$DEMO "$K" token list > /dev/null 2>&1
  e=$(date +%s.%N); "$K" dev unplug demo > /dev/null 2>&1
  awk -v d="$d" -v s="$s" -v e="$e" 'BEGIN {printf "validity read, %d ms a call:  %.2f s\n", d, e - s}'
done

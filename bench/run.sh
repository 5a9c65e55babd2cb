#!/usr/bin/env bash
# bench/run.sh - every benchmark, one after another (`make bench`). Figures
# are written down in docs/PERFORMANCE.md. Not part of `make check`: speed is
# measured here, never asserted in tests.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export LC_ALL=C.UTF-8
H=$(mktemp -d); trap 'rm -rf "$H"' EXIT

echo "== start-up";                 bash bench/startup.sh 30
echo "== validity read";            KIOSK_HOME= build/bench/token_read 50
echo "== documents and printing";   bash bench/print.sh 30
echo "== the status bar following the printer"; bash bench/printer_follow.sh 5
echo "== audit appends";            build/bench/audit_append 2000
echo "== issuance (blank key -> certificate verified -> records committed)"
KIOSK_HOME=$H build/kiosk hall provision >/dev/null && KIOSK_HOME=$H build/bench/issue 15
echo "== a counted PIN verification against a bare login"
KIOSK_HOME=$H build/bench/pin 200
echo "== PKCS#11 calls per operation, and on a key as slow as a real one"
mkdir -p "$H/p11" && KIOSK_HOME=$H/p11 build/kiosk hall provision --with-test-keys >/dev/null && bash bench/p11count.sh "$H/p11"
echo "== revocation list at scale"
KIOSK_HOME=$H build/bench/crl
echo "== daily report on 2 million orders (the first run builds the database)"
build/bench/report_daily
echo "== a hall of many counters on one PostgreSQL (units of work, audit appends, the daily report on 2M orders)"
bash bench/hall.sh

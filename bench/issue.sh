#!/usr/bin/env bash
# bench/issue.sh ALGO SERIAL N - the issuance done with pkcs11-tool + openssl
# commands on key SERIAL (user PIN Kx7#pq29, as left by bench/issue.c),
# N times; prints each run's duration in ms, one per line. The CA is a
# software key in a temp dir standing in for the HSM (the tools cannot reach
# the kiosk's CA key). Objects are deleted after each run (not timed).
set -uo pipefail
ALGO=$1 SERIAL=$2 N=$3
MOD=$(sed -n 's/^module *= *//p' "$KIOSK_HOME/kiosk.conf"); MOD=${MOD:-/usr/lib/softhsm/libsofthsm2.so}
PIN='Kx7#pq29'
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/ca.key" -out "$T/ca.crt" \
  -subj "/CN=bench CA" -days 30 2>/dev/null
SLOT=$(pkcs11-tool --module "$MOD" -L 2>/dev/null | awk -v s="$SERIAL" '/^Slot/{slot=$0} /serial num/ && $NF==s {print slot}' | sed 's/.*(\(0x[0-9a-f]*\)).*/\1/')
P=(pkcs11-tool --module "$MOD" --slot "$SLOT" --login --pin "$PIN")
case $ALGO in p256) KT=EC:prime256v1 ;; *) KT=rsa:2048 ;; esac
for i in $(seq 1 "$N"); do
  t0=$(date +%s%N)
  "${P[@]}" --keypairgen --key-type "$KT" --id 01 --label bench >/dev/null 2>&1 &&
  "${P[@]}" --read-object --type pubkey --id 01 -o "$T/pub.der" >/dev/null 2>&1 &&
  openssl pkey -pubin -inform der -in "$T/pub.der" -out "$T/pub.pem" 2>/dev/null &&
  openssl x509 -new -force_pubkey "$T/pub.pem" -subj "/O=bench/CN=bench" -CA "$T/ca.crt" -CAkey "$T/ca.key" \
    -days 1095 -outform der -out "$T/cert.der" 2>/dev/null &&
  "${P[@]}" --write-object "$T/cert.der" --type cert --id 01 --label bench >/dev/null 2>&1 &&
  "${P[@]}" --read-object --type cert --id 01 -o "$T/back.der" >/dev/null 2>&1 &&
  cmp -s "$T/cert.der" "$T/back.der" &&
  openssl x509 -inform der -in "$T/back.der" -out "$T/back.pem" &&
  openssl verify -CAfile "$T/ca.crt" "$T/back.pem" >/dev/null 2>&1
  ok=$?
  t1=$(date +%s%N)
  for ty in cert pubkey privkey; do "${P[@]}" --delete-object --type $ty --id 01 >/dev/null 2>&1; done
  [ $ok -eq 0 ] && echo $(( (t1 - t0) / 1000 )) | awk '{printf "%.1f\n", $1/1000}'
done

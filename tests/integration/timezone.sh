#!/usr/bin/env bash
# tests/integration/timezone.sh - the hall's clock, whatever the machine's TZ.
# A fresh Debian install (and this machine) is left at UTC; the hall is in
# Tianjin. With TZ=UTC in the kiosk's environment, the times it prints, the
# day in its order numbers and the end of day of the certificates it issues
# are the hall's ([hall] timezone, default Asia/Shanghai); a zone named in
# the configuration wins; an unknown zone is refused naming the key;
# an empty one leaves the machine's.
. "$(dirname "$0")/../lib.sh"
K=${KIOSK:-${ROOT:-.}/build/san/kiosk}
H=$TEST_TMP/hall; mkdir -p -m 711 "$H"

hall_now() { TZ=$1 date +'%Y-%m-%d %H:%M'; }
# receipt_time ZONE-FOR-EXPECTED: print a sample receipt with TZ=UTC, compare its 时间 line
receipt_has_time() { # name zone [kiosk args...]
  local name=$1 zone=$2 a b; shift 2
  a=$(hall_now "$zone")
  TZ=UTC KIOSK_HOME=$H "$K" "$@" print sample --doc receipt --out "$TEST_TMP/r.pdf" >/dev/null 2>&1
  b=$(hall_now "$zone")
  if pdftotext "$TEST_TMP/r.pdf" - | grep -qE "时间：($a|$b)"; then t_ok "$name"
  else t_fail "$name" "expected 时间：$a (or $b), got: $(pdftotext "$TEST_TMP/r.pdf" - | grep 时间)"; fi
}

receipt_has_time "TZ=UTC: the receipt's time is the hall's (Asia/Shanghai by default)" Asia/Shanghai

printf '[hall]\ntimezone = UTC\n' > "$TEST_TMP/utc.conf"
receipt_has_time "[hall] timezone = UTC: the configured zone wins" UTC --config "$TEST_TMP/utc.conf"
printf '[hall]\ntimezone = Asia/Urumqi\n' > "$TEST_TMP/urumqi.conf"
receipt_has_time "[hall] timezone = Asia/Urumqi: another zone" Asia/Urumqi --config "$TEST_TMP/urumqi.conf"
printf '[hall]\ntimezone =\n' > "$TEST_TMP/machine.conf"
receipt_has_time "[hall] timezone empty: the machine's zone (TZ=UTC)" UTC --config "$TEST_TMP/machine.conf"

printf '[hall]\ntimezone = Mars/Olympus_Mons\n' > "$TEST_TMP/bad.conf"
out=$(TZ=UTC KIOSK_HOME=$H "$K" --config "$TEST_TMP/bad.conf" print outbox 2>&1); rc=$?
t_eq "an unknown zone: exit status 2" 2 "$rc"
t_grep "an unknown zone: the message names the key and the value" "[hall] timezone 的值“Mars/Olympus_Mons”不是已知的时区" <(echo "$out")

# provisioning at UTC: the demo certificate ends at 23:59:59 in Tianjin (15:59:59 GMT)
if TZ=UTC KIOSK_HOME=$H "$K" hall provision > "$TEST_TMP/prov.log" 2>&1; then
  t_ok "a hall provisioned with TZ=UTC"
  SOFTHSM2_CONF=$H/softhsm2.conf pkcs11-tool --module /usr/lib/softhsm/libsofthsm2.so --token-label demo \
    --read-object --type cert --label kiosk-cert -o "$TEST_TMP/demo.der" >/dev/null 2>&1
  end=$(openssl x509 -inform der -in "$TEST_TMP/demo.der" -noout -enddate 2>&1)
  t_check "TZ=UTC: the demo certificate ends at the hall's end of day (23:59:59 in Tianjin = 15:59:59 GMT): $end" \
    sh -c "echo '$end' | grep -qE '^notAfter=.* 15:59:59 [0-9]{4} GMT$'"
else
  t_fail "a hall provisioned with TZ=UTC" "$(tail -5 "$TEST_TMP/prov.log")"
fi


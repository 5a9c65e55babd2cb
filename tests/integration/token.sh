#!/usr/bin/env bash
# tests/integration/token.sh - token/ against real SoftHSM in a hall this
# script provisions itself (fresh KIOSK_HOME under TEST_TMP, with test keys):
# idempotent provisioning, the CA key sealed in the HSM, the demo certificate
# verifying with ca/ca.crt, plug/unplug and `token list`, foreign / no
# certificate / pulled-mid-read statuses, a wrong module path, presence poll,
# PIN verify/change, and tok_issue onto a blank key checked with openssl and
# pkcs11-tool. Runs the sanitizer build.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/lib.sh"
KIOSK=${KIOSK:-$ROOT/build/san/kiosk}
HELPER=${HELPER:-$ROOT/build/san/itests/tok_helper}
MODULE=/usr/lib/softhsm/libsofthsm2.so
if [ -z "${TEST_TMP:-}" ]; then TEST_TMP=$(mktemp -d); trap 'rm -rf "$TEST_TMP"' EXIT; fi
export KIOSK_HOME=$TEST_TMP/hall
unset SOFTHSM2_CONF   # the kiosk must find the hall's softhsm2.conf by itself
H=$KIOSK_HOME

for b in "$KIOSK" "$HELPER"; do
  [ -x "$b" ] || { t_fail "binary $b built" "run: make san $HELPER"; exit 1; }
done

serials() { ls "$H/tokens" | sort; }
# serial of the key labelled $1 (from `dev plug`'s message; the key stays plugged)
plug() { "$KIOSK" dev plug "$1" | grep -o '[0-9a-f]\{16\}' | head -1; }

# --- provisioning -------------------------------------------------------------
t_check "provision creates the hall" sh -c "'$KIOSK' hall provision --with-test-keys > '$TEST_TMP/prov1.out'"
first=$(serials)
t_eq "a new hall: nothing said reused (its directory neither)" 0 "$(grep -c '已沿用' "$TEST_TMP/prov1.out")"
t_eq "...every line in Chinese: no English word but the names (HSM, UKey, P-256, CA)" "" \
  "$(sed 's|/[^ （）]*||g; s/[0-9a-f]\{16\}//g; s/HSM\|UKey\|KIOSK\|P-256\|CA\|blank[0-9]*\|demo\|foreign\|expir[a-z]*\|nocert\|kiosk-ca\|SO PIN//g' "$TEST_TMP/prov1.out" | grep -o '[A-Za-z]\{3,\}' | sort -u | tr '\n' ' ')"
t_check "provision a second time succeeds" sh -c "'$KIOSK' hall provision --with-test-keys > '$TEST_TMP/prov2.out'"
t_eq "second provision keeps every token (serials unchanged)" "$first" "$(serials)"
t_eq "second provision creates nothing" 0 "$(grep -vc -e '已沿用' -e '服务大厅已就绪' "$TEST_TMP/prov2.out")"
t_eq "secrets/ is 0700" 700 "$(stat -c %a "$H/secrets")"
t_grep "kiosk.conf carries the HSM serial" "hsm_serial = $(grep -o '[0-9a-f]\{16\}' "$TEST_TMP/prov2.out" | tail -1)" "$H/kiosk.conf"
t_grep "softhsm2.conf points into the hall" "directories.tokendir = $H/tokens" "$H/softhsm2.conf"
export SOFTHSM2_CONF=$H/softhsm2.conf   # for pkcs11-tool below

# --- the CA key never leaves the HSM ------------------------------------------
pkcs11-tool --module $MODULE --token-label KIOSK-HSM --login --pin "$(cat "$H/secrets/hsm.pin")" \
  --list-objects > "$TEST_TMP/hsm.txt" 2>&1
awk '/^Private Key Object/{p=1} p&&/Access:/{print; exit}' "$TEST_TMP/hsm.txt" > "$TEST_TMP/ca_access.txt"
t_grep "CA key in the HSM is sensitive" "sensitive" "$TEST_TMP/ca_access.txt"
t_grep "CA key in the HSM is never extractable" "never extractable" "$TEST_TMP/ca_access.txt"
awk '/^Secret Key Object/{p=1} p&&/Access:/{print; exit}' "$TEST_TMP/hsm.txt" > "$TEST_TMP/master_access.txt"
t_grep "master secret is never extractable" "never extractable" "$TEST_TMP/master_access.txt"
if pkcs11-tool --module $MODULE --token-label KIOSK-HSM --login --pin "$(cat "$H/secrets/hsm.pin")" \
     --read-object --type privkey --label kiosk-ca -o "$TEST_TMP/ca.key" >/dev/null 2>&1 && [ -s "$TEST_TMP/ca.key" ]; then
  t_fail "CA private key cannot be read out"
else
  t_ok "CA private key cannot be read out"
fi
t_check "ca.crt is a CA certificate" sh -c "openssl x509 -in '$H/ca/ca.crt' -noout -text | grep -q 'CA:TRUE'"
t_check "the CA issues end entities only (pathlen:0)" \
  sh -c "openssl x509 -in '$H/ca/ca.crt' -noout -ext basicConstraints | grep -q 'CA:TRUE, pathlen:0'"
P11_HSM=(pkcs11-tool --module $MODULE --token-label KIOSK-HSM --login --pin "$(cat "$H/secrets/hsm.pin")")
if "${P11_HSM[@]}" --delete-object --type privkey --label kiosk-ca >/dev/null 2>&1; then
  t_fail "the CA key cannot be destroyed"
else
  t_ok "the CA key cannot be destroyed"
fi
if "${P11_HSM[@]}" --set-id 99 --type privkey --label kiosk-ca >/dev/null 2>&1; then
  t_fail "the CA key cannot be modified"
else
  t_ok "the CA key cannot be modified"
fi
t_check "the CA key is still in the HSM" sh -c "'${P11_HSM[0]}' --module $MODULE --token-label KIOSK-HSM --login --pin '$(cat "$H/secrets/hsm.pin")' --list-objects --type privkey 2>/dev/null | grep -q 'label: *kiosk-ca'"

# --- demo certificate exported with pkcs11-tool verifies ---------------------
pkcs11-tool --module $MODULE --token-label demo --read-object --type cert --label kiosk-cert \
  -o "$TEST_TMP/demo.der" >/dev/null 2>&1
openssl x509 -inform DER -in "$TEST_TMP/demo.der" -out "$TEST_TMP/demo.pem" 2>/dev/null
t_check "openssl verify demo certificate against ca/ca.crt" openssl verify -CAfile "$H/ca/ca.crt" "$TEST_TMP/demo.pem"
t_check "demo subject carries the USCC" sh -c "openssl x509 -in '$TEST_TMP/demo.pem' -noout -subject | grep -q 91120116MA05JQ4W3K"

# --- plug / unplug / token list -------------------------------------------------
"$KIOSK" token list > "$TEST_TMP/list0.txt" 2>&1
if grep -q '天津市示范科技有限公司' "$TEST_TMP/list0.txt"; then t_fail "demo not listed before plug"; else t_ok "demo not listed before plug"; fi
DEMO=$(plug demo)
"$KIOSK" token list > "$TEST_TMP/list1.txt" 2>&1
t_grep "token list shows the demo holder after plug" "持有人：天津市示范科技有限公司" "$TEST_TMP/list1.txt"
t_grep "token list shows the demo serial" "UKey 序列号 $DEMO  标签 demo" "$TEST_TMP/list1.txt"
t_grep "token list shows days left" "剩余" "$TEST_TMP/list1.txt"
"$KIOSK" dev plug demo > "$TEST_TMP/again.txt" 2>&1
t_grep "plugging a plugged key says so (label and serial)" "UKey“demo”（序列号 $DEMO）已经插着" "$TEST_TMP/again.txt"
"$KIOSK" dev unplug demo > "$TEST_TMP/out1.txt" 2>&1
t_grep "dev unplug demo says what it pulled" "已拔出UKey“demo”（序列号 $DEMO）" "$TEST_TMP/out1.txt"
"$KIOSK" dev unplug demo > "$TEST_TMP/out2.txt" 2>&1
t_grep "pulling a pulled key says so" "UKey“demo”（序列号 $DEMO）本来就没有插着" "$TEST_TMP/out2.txt"
"$KIOSK" token list > "$TEST_TMP/list2.txt" 2>&1
if grep -q "$DEMO" "$TEST_TMP/list2.txt"; then t_fail "demo gone after unplug" "$(cat "$TEST_TMP/list2.txt")"; else t_ok "demo gone after unplug"; fi
if "$KIOSK" dev plug no-such-key > "$TEST_TMP/unk.txt" 2>&1; then t_fail "unknown key name refused"; else t_ok "unknown key name refused"; fi
t_grep "unknown key message names it" "no-such-key" "$TEST_TMP/unk.txt"
t_grep "unknown key message lists the keys there are" "demo ($DEMO)" "$TEST_TMP/unk.txt"
if "$KIOSK" dev plug KIOSK-HSM > "$TEST_TMP/hsm.txt" 2>&1; then t_fail "the HSM cannot be plugged"; else t_ok "the HSM cannot be plugged"; fi
t_grep "the HSM refusal says why" "“KIOSK-HSM”是CA的签名设备（HSM），不能作为UKey插入" "$TEST_TMP/hsm.txt"
"$KIOSK" --lang en dev plug demo > "$TEST_TMP/en.txt" 2>&1
t_grep "dev plug speaks English on request" "Plugged in key \"demo\" (serial $DEMO)" "$TEST_TMP/en.txt"
"$KIOSK" dev unplug demo >/dev/null

# --- read_cert statuses ---------------------------------------------------------
DEMO=$(plug demo); FOREIGN=$(plug foreign); NOCERT=$(plug nocert); EXPIRED=$(plug expired)
"$HELPER" read "$DEMO" > "$TEST_TMP/r_demo.txt" 2>&1
t_grep "read_cert demo: OK" "status=0" "$TEST_TMP/r_demo.txt"
t_grep "read_cert demo: issued by our CA" "issued_by_ca=1" "$TEST_TMP/r_demo.txt"
t_grep "read_cert demo: USCC" "uscc=91120116MA05JQ4W3K" "$TEST_TMP/r_demo.txt"
"$HELPER" read "$FOREIGN" > "$TEST_TMP/r_foreign.txt" 2>&1
t_grep "read_cert foreign: TOK_ERR_FOREIGN_CERT" "status=-5" "$TEST_TMP/r_foreign.txt"
"$HELPER" read "$NOCERT" > "$TEST_TMP/r_nocert.txt" 2>&1
t_grep "read_cert nocert: TOK_ERR_NO_CERT" "status=-4" "$TEST_TMP/r_nocert.txt"
"$HELPER" read "$EXPIRED" > "$TEST_TMP/r_expired.txt" 2>&1
na=$(sed -n 's/^not_after=//p' "$TEST_TMP/r_expired.txt")
if [ -n "$na" ] && [ "$na" -lt "$(date +%s)" ]; then t_ok "read_cert expired: end date in the past"; else t_fail "read_cert expired: end date in the past" "$na"; fi
for step in 1 2 3; do
  "$HELPER" pull-mid "$DEMO" $step > "$TEST_TMP/pull$step.txt" 2>&1
  t_grep "pulled at step $step of a read: TOK_ERR_REMOVED" "status=-3" "$TEST_TMP/pull$step.txt"
  plug demo >/dev/null
done
"$KIOSK" dev unplug demo >/dev/null
"$HELPER" read "$DEMO" > "$TEST_TMP/r_out.txt" 2>&1
t_grep "read_cert on a pulled key: TOK_ERR_NO_KEY" "status=-2" "$TEST_TMP/r_out.txt"

# --- module path, presence poll, PINs -----------------------------------------
"$HELPER" open /nonexistent/pkcs11-module.so > "$TEST_TMP/mod.txt" 2>&1
t_grep "wrong module path: TOK_ERR_MODULE" "status=-1" "$TEST_TMP/mod.txt"
t_grep "wrong module path: message names the path" "/nonexistent/pkcs11-module.so" "$TEST_TMP/mod.txt"
EXPIRING=$(plug expiring); "$KIOSK" dev unplug expiring >/dev/null
"$HELPER" poll "$EXPIRING" > "$TEST_TMP/poll.txt" 2>&1
t_grep "poll: nothing changed" "poll_idle=0,0" "$TEST_TMP/poll.txt"
t_grep "poll: plug seen once" "poll_plugged=1" "$TEST_TMP/poll.txt"
t_grep "poll: then quiet" "poll_after=0" "$TEST_TMP/poll.txt"
t_grep "poll: pull seen" "poll_pulled=1" "$TEST_TMP/poll.txt"
DEMO=$(plug demo)
"$HELPER" pin "$DEMO" 123456 > "$TEST_TMP/pin.txt" 2>&1
t_grep "wrong PIN: TOK_ERR_PIN_INCORRECT" "wrong=-6" "$TEST_TMP/pin.txt"
t_grep "right PIN accepted" "right=0" "$TEST_TMP/pin.txt"
t_grep "too short new PIN: TOK_ERR_PIN_POLICY" "short=-8" "$TEST_TMP/pin.txt"
t_grep "PIN change" "change=0" "$TEST_TMP/pin.txt"
t_grep "old PIN refused after change" "old_after=-6" "$TEST_TMP/pin.txt"
t_grep "PIN changed back" "back=0" "$TEST_TMP/pin.txt"

# --- tok_issue onto blank keys ---------------------------------------------------
for spec in "blank1 rsa2048 SHA256-RSA-PKCS" "blank2 p256 ECDSA"; do
  set -- $spec; label=$1; algo=$2; mech=$3
  B=$(plug "$label")
  "$HELPER" issue "$B" "new-$label" 654321 "$algo" > "$TEST_TMP/issue_$label.txt" 2>&1
  t_grep "tok_issue $algo onto $label: OK" "status=0" "$TEST_TMP/issue_$label.txt"
  t_grep "tok_issue $algo: issued by our CA" "issued_by_ca=1" "$TEST_TMP/issue_$label.txt"
  t_grep "tok_issue $algo: second issue refused (not blank)" "second_issue=-10" "$TEST_TMP/issue_$label.txt"
  pkcs11-tool --module $MODULE --token-label "new-$label" --read-object --type cert --label kiosk-cert \
    -o "$TEST_TMP/$label.der" >/dev/null 2>&1
  openssl x509 -inform DER -in "$TEST_TMP/$label.der" -out "$TEST_TMP/$label.pem" 2>/dev/null
  t_check "openssl verify certificate issued onto $label" openssl verify -CAfile "$H/ca/ca.crt" "$TEST_TMP/$label.pem"
  # the profile, read by tools nobody here wrote
  for purpose in smimesign sslclient; do
    t_check "$algo: openssl verify -x509_strict -purpose $purpose" \
      openssl verify -x509_strict -purpose "$purpose" -CAfile "$H/ca/ca.crt" "$TEST_TMP/$label.pem"
  done
  t_check "$algo: gnutls certtool --verify chains it" \
    sh -c "certtool --verify --load-ca-certificate '$H/ca/ca.crt' --infile '$TEST_TMP/$label.pem' | grep -q 'Chain verification output: Verified'"
  openssl x509 -in "$TEST_TMP/$label.pem" -noout \
    -ext keyUsage,extendedKeyUsage,certificatePolicies,authorityInfoAccess,crlDistributionPoints > "$TEST_TMP/$label.ext" 2>&1
  t_grep "$algo: key usage signs, with non-repudiation" "Digital Signature, Non Repudiation" "$TEST_TMP/$label.ext"
  if [ "$algo" = p256 ]; then
    t_grep "$algo: key usage agrees keys (EC encryption)" "Key Agreement" "$TEST_TMP/$label.ext"
    if grep -q "Key Encipherment" "$TEST_TMP/$label.ext"; then t_fail "$algo: no keyEncipherment on an EC key (RFC 5480)"
    else t_ok "$algo: no keyEncipherment on an EC key (RFC 5480)"; fi
  else
    t_grep "$algo: key usage enciphers keys (RSA encryption)" "Key Encipherment" "$TEST_TMP/$label.ext"
    t_check "$algo: openssl verify -purpose smimeencrypt" \
      openssl verify -x509_strict -purpose smimeencrypt -CAfile "$H/ca/ca.crt" "$TEST_TMP/$label.pem"
  fi
  t_grep "$algo: extended key usage: client authentication and e-mail protection" \
    "TLS Web Client Authentication, E-mail Protection" "$TEST_TMP/$label.ext"
  t_grep "$algo: certificate policy from the configuration" "Policy: 1.3.6.1.4.1.32473.1.1" "$TEST_TMP/$label.ext"
  t_grep "$algo: authority information access names where the CA certificate is" \
    "CA Issuers - URI:http://crl.example.invalid/kiosk-ca.crt" "$TEST_TMP/$label.ext"
  t_grep "$algo: CRL distribution point" "URI:http://crl.example.invalid/kiosk-ca.crl" "$TEST_TMP/$label.ext"
  openssl x509 -in "$TEST_TMP/$label.pem" -noout -pubkey > "$TEST_TMP/$label.pub"
  head -c 100 /dev/urandom > "$TEST_TMP/data"
  # SoftHSM 2.6 has no ECDSA-SHA256 mechanism: raw ECDSA signs the SHA-256 digest.
  if [ "$algo" = p256 ]; then openssl dgst -sha256 -binary "$TEST_TMP/data" > "$TEST_TMP/tbs"; else cp "$TEST_TMP/data" "$TEST_TMP/tbs"; fi
  pkcs11-tool --module $MODULE --token-label "new-$label" --login --pin 654321 --sign -m "$mech" \
    --signature-format openssl --input-file "$TEST_TMP/tbs" --output-file "$TEST_TMP/$label.sig" >/dev/null 2>&1
  t_check "pkcs11-tool signs with the $algo key on $label, openssl verifies" \
    openssl dgst -sha256 -verify "$TEST_TMP/$label.pub" -signature "$TEST_TMP/$label.sig" "$TEST_TMP/data"
  if pkcs11-tool --module $MODULE --token-label "new-$label" --login --pin 654321 --list-objects 2>/dev/null \
       | awk '/^Private Key Object/{p=1} p&&/Access:/{print; exit}' | grep -q "never extractable"; then
    t_ok "key generated on $label is never extractable"
  else
    t_fail "key generated on $label is never extractable"
  fi
done

# --- where the USCC goes: [ca] uscc_attr = serialNumber (some CAs put it there) ---
cp "$H/kiosk.conf" "$TEST_TMP/kiosk.conf.orig"
sed -i 's/^uscc_attr *=.*/uscc_attr = serialNumber/' "$H/kiosk.conf"
B5=$(plug blank5)
"$HELPER" issue "$B5" sn-uscc 654321 p256 > "$TEST_TMP/sn.txt" 2>&1
t_grep "uscc_attr = serialNumber: issued" "status=0" "$TEST_TMP/sn.txt"
t_grep "uscc_attr = serialNumber: the kiosk still reads the USCC" "uscc=91120104MA05KL2D7K" "$TEST_TMP/sn.txt"
pkcs11-tool --module $MODULE --token-label sn-uscc --read-object --type cert --label kiosk-cert -o "$TEST_TMP/sn.der" >/dev/null 2>&1
openssl x509 -inform der -in "$TEST_TMP/sn.der" -noout -subject -nameopt RFC2253 > "$TEST_TMP/sn.subj" 2>&1
t_grep "uscc_attr = serialNumber: openssl shows it in the subject's serialNumber" "serialNumber=91120104MA05KL2D7K" "$TEST_TMP/sn.subj"
if grep -q "2.5.4.97\|organizationIdentifier" "$TEST_TMP/sn.subj"; then t_fail "uscc_attr = serialNumber: no organizationIdentifier"
else t_ok "uscc_attr = serialNumber: no organizationIdentifier"; fi
cp "$TEST_TMP/kiosk.conf.orig" "$H/kiosk.conf"

# --- the CA signs only while its certificate is valid, and nothing that outlives it
B=$(plug blank4)
ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 faketime -f '+3700d' "$HELPER" issue "$B" late-ca 654321 p256 > "$TEST_TMP/late.txt" 2>&1
t_grep "past the CA's end (faketime +3700 days): issuing refused" "status=-14" "$TEST_TMP/late.txt"
t_grep "past the CA's end: the detail says why" "the CA certificate is not valid now" "$TEST_TMP/late.txt"
ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 faketime -f '+3000d' "$HELPER" issue "$B" late-ca 654321 p256 > "$TEST_TMP/near.txt" 2>&1
t_grep "near the CA's end (+3000 days): a 3-year certificate that would outlive it is refused" "status=-14" "$TEST_TMP/near.txt"
t_grep "near the CA's end: the detail names the CA's end" "would end after the CA certificate" "$TEST_TMP/near.txt"
exit 0

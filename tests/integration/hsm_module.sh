#!/usr/bin/env bash
# tests/integration/hsm_module.sh - modules and tokens named the way a hall
# names them (issue 18):
#  1. The HSM on a module of its own: the keys' module is opencryptoki's
#     soft token (a second PKCS#11 implementation, loaded directly), the HSM
#     and its CA key stay in the hall's SoftHSM ([token] hsm_module), and
#     the HSM is named by an RFC 7512 URI ([token] hsm_uri, hsm_serial
#     left empty). The vendor's key arrives with its factory SO PIN, named
#     by the configuration ([token] factory_so_pin); `kiosk key adopt`
#     (the key named by a pkcs11: URI) replaces it with the SO PIN derived
#     in the HSM; 证书新办 (the transaction engine) then issues onto the
#     opencryptoki key with the CA key in SoftHSM, and openssl verify
#     accepts what pkcs11-tool reads off the key. The key is never
#     re-initialised ([token] key_reinit = no): opencryptoki 3.8 refuses
#     every SO login after a C_InitToken with an SO PIN other than the
#     factory one, so adoption is C_SetPIN as SO and issuance erases the
#     key object by object.
#  2. p11-kit's proxy as the one module ([token] module = p11-kit-proxy.so,
#     SoftHSM registered with p11-kit by Debian's softhsm2 package): keys
#     plugged and looked up by pkcs11: URIs, the HSM found by its URI, the
#     CRL signed there and a certificate issued through the proxy.
# Needs root: opencryptoki's slot daemon. (p11-kit reads no user module
# configuration for root, so the proxy part uses the system's registration.)
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/ock.sh"
H=$ROOT/build/san/itests/issue_helper
CONF=$KIOSK_HOME/kiosk.conf
DB=$KIOSK_HOME/kiosk.db
SOFTHSM=/usr/lib/softhsm/libsofthsm2.so
PROXY=/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so
db() { sqlite3 "$DB" "$1"; }
PORTS=$KIOSK_HOME/$(sed -n 's/^ports_dir *= *//p' "$CONF" | head -1)
HSM_SERIAL=$(sed -n 's/^hsm_serial *= *//p' "$CONF" | head -1)
CA=$KIOSK_HOME/$(sed -n 's/^cert *= *//p' "$CONF" | head -1)
# opencryptoki's token library leaks at unload (see tests/integration/pin_ock.sh)
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0

if [ "$(id -u)" -ne 0 ]; then t_fail "opencryptoki's slot daemon needs root"; exit 0; fi
cp "$CONF" "$TEST_TMP/kiosk.conf.orig"
SERIAL2=
cleanup() {
  cp "$TEST_TMP/kiosk.conf.orig" "$CONF"; rm -f "$PORTS/123"
  [ -n "$SERIAL2" ] && "$KIOSK" dev unplug "$SERIAL2" > /dev/null 2>&1
  ock_stop
}
trap cleanup EXIT
# set KEY = VALUE in [token] of the hall's configuration
conf() { if grep -q "^$1 *=" "$CONF"; then sed -i "s|^$1 *=.*|$1 = $2|" "$CONF"; else sed -i "/^\[token\]/a $1 = $2" "$CONF"; fi; }

# ---- 1. the keys on opencryptoki, the HSM on SoftHSM ---------------------------
ock_start
AUDIT0=$(db "SELECT coalesce(max(id), 0) FROM audit")
t_check "the vendor's key: opencryptoki's soft token, its factory SO PIN works" ock_so_ok 87654321

conf module "$OCK"
conf hsm_module "$SOFTHSM"
conf hsm_serial ""
conf hsm_uri "pkcs11:token=KIOSK-HSM;serial=$HSM_SERIAL"
conf factory_so_pin 87654321
# opencryptoki's soft token loses its SO login when re-initialised with any
# SO PIN but its factory one: a key model that is never C_InitToken'd
conf key_reinit no
touch "$PORTS/123"      # the soft token (serial 123) inserted

t_eq "kiosk key adopt by URI, the factory SO PIN from the configuration (no stdin)" 0 \
  "$("$KIOSK" key adopt 'pkcs11:token=vendor;model=IBM%20SoftTok;manufacturer=IBM%20Corp.' --label ock-key < /dev/null > "$TEST_TMP/adopt.out" 2>&1; echo $?)"
sed 's/^/# /' "$TEST_TMP/adopt.out"
t_check "...the factory SO PIN no longer opens the key (refused as incorrect)" ock_so_refused 87654321
t_eq "...audited under the key's serial" 1 "$(db "SELECT count(*) FROM audit WHERE id > $AUDIT0 AND action='key.adopt' AND detail LIKE 'key=123 %'")"

"$H" issue 123 91120116MA0HTM019T 天津市模块分置测试有限公司 120101198507171016 > "$TEST_TMP/issue.txt" 2>&1
sed 's/^/# /' "$TEST_TMP/issue.txt"
t_grep "证书新办 onto the opencryptoki key: certificate issued" "issue=0" "$TEST_TMP/issue.txt"
t_grep "...records written" "record=0" "$TEST_TMP/issue.txt"
CERT=$(sed -n 's/^cert_serial=//p' "$TEST_TMP/issue.txt")
pkcs11-tool --module "$OCK" -r --type cert --label kiosk-cert -o "$TEST_TMP/ock.der" > /dev/null 2>&1
openssl x509 -inform DER -in "$TEST_TMP/ock.der" -out "$TEST_TMP/ock.pem" 2>/dev/null
t_check "openssl verify accepts the certificate on the opencryptoki key against the CA in SoftHSM" \
  openssl verify -CAfile "$CA" "$TEST_TMP/ock.pem"
t_eq "...it is the certificate the records hold" "$CERT" \
  "$(openssl x509 -in "$TEST_TMP/ock.pem" -noout -serial 2>/dev/null | sed 's/^serial=//')"
t_check "...its private key is on the key, with the applicant's PIN (pkcs11-tool lists it there)" \
  sh -c "pkcs11-tool --module '$OCK' --login --pin 'Kx7#pq29' -O 2>/dev/null | grep -q 'Private Key Object'"
t_check "...and cannot leave it (sensitive, never extractable)" \
  sh -c "pkcs11-tool --module '$OCK' --login --pin 'Kx7#pq29' -O --type privkey 2>/dev/null | grep -q 'sensitive'"
t_eq "the CA key stayed in SoftHSM: opencryptoki holds no CA key" 0 \
  "$(pkcs11-tool --module "$OCK" -O 2>/dev/null | grep -c 'kiosk-ca')"
rm -f "$PORTS/123"

# a URI that names no token: the HSM is refused, plainly
conf hsm_uri "pkcs11:token=NO-SUCH-HSM"
"$KIOSK" --lang en ca crl --out "$TEST_TMP/none.crl" > "$TEST_TMP/nohsm.txt" 2>&1
t_grep "hsm_uri naming no token: said" "no token of $SOFTHSM matches [token] hsm_uri" "$TEST_TMP/nohsm.txt"

# ---- 2. p11-kit's proxy, tokens by URI -----------------------------------------
cp "$TEST_TMP/kiosk.conf.orig" "$CONF"
t_check "SoftHSM is registered with p11-kit (Debian's softhsm2.module)" \
  sh -c "p11-kit list-modules 2>/dev/null | grep -q softhsm"
conf module "$PROXY"
conf hsm_serial ""
conf hsm_uri "pkcs11:token=KIOSK-HSM;model=SoftHSM%20v2;serial=$HSM_SERIAL"
out=$("$KIOSK" --lang en dev plug 'pkcs11:token=blank36' 2>&1)
echo "# $out"
SERIAL2=$(printf '%s' "$out" | grep -o '[0-9a-f]\{16\}' | head -1)
t_check "through the proxy: a key plugged by its pkcs11: URI" test -n "$SERIAL2"
t_grep "kiosk key status by URI names the key" "$SERIAL2" \
  <("$KIOSK" --lang en key status "pkcs11:token=blank36;serial=$SERIAL2" 2>&1; true)
t_grep "a URI matching no key: said" "no key matches pkcs11:token=nosuch" \
  <("$KIOSK" --lang en key status 'pkcs11:token=nosuch' 2>&1; true)
t_grep "a URI that does not parse: said" "not a PKCS#11 URI" \
  <("$KIOSK" --lang en key status 'pkcs11:token=%zz' 2>&1; true)
t_check "through the proxy: the CRL signed in the HSM found by its URI" \
  "$KIOSK" ca crl --out "$TEST_TMP/proxy.crl"
t_check "...and it verifies against the CA" \
  openssl crl -inform DER -in "$TEST_TMP/proxy.crl" -CAfile "$CA" -noout
"$H" issue "$SERIAL2" 91120116MA0URA0252 天津市代理模块测试有限公司 120101198508181021 WIPE > "$TEST_TMP/issue2.txt" 2>&1
sed 's/^/# /' "$TEST_TMP/issue2.txt"
t_grep "through the proxy: 证书新办 issues" "issue=0" "$TEST_TMP/issue2.txt"
CERT2=$(sed -n 's/^cert_serial=//p' "$TEST_TMP/issue2.txt")
t_eq "...and the records hold it on that key" "1" "$(db "SELECT count(*) FROM certs WHERE serial='$CERT2' AND key_serial='$SERIAL2'")"

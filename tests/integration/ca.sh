#!/usr/bin/env bash
# tests/integration/ca.sh - the CA keeps its word: revocation and its CRL,
# checked with tools nobody here wrote. A hall of its own (provisioned with
# --crl-base) whose publication point is Debian's lighttpd
# (scripts/crlweb.sh): the CRL distribution point and the caIssuers URL in
# the demo certificate resolve on this machine. `kiosk ca crl` signs the CRL
# in the HSM and publishes it; `kiosk ca revoke` (a supervisor's password on
# stdin) revokes, audits and publishes again; openssl and gnutls then call
# the certificate revoked, with its reason. Bad input is one line, exit 2,
# nothing changed.
. "$(dirname "$0")/../lib.sh"
K=${KIOSK:-${ROOT:-.}/build/san/kiosk}
CW=${ROOT:-.}/scripts/crlweb.sh
MODULE=/usr/lib/softhsm/libsofthsm2.so
H=$TEST_TMP/hall; mkdir -p -m 711 "$H"
PORT=$(free_port)
BASE=http://localhost:$PORT
trap 'bash "$CW" stop "$H" "$PORT" >/dev/null 2>&1' EXIT
export KIOSK_HOME=$H
unset SOFTHSM2_CONF
fetch() { python3 -c "import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1], timeout=5).read())" "$1"; }
db() { sqlite3 "$H/kiosk.db" "$1"; }

t_check "a hall provisioned with its publication point (--crl-base $BASE)" \
  sh -c "'$K' hall provision --crl-base '$BASE' > '$TEST_TMP/prov.log' 2>&1"
t_grep "kiosk.conf names the CRL distribution point" "crl_url = $BASE/kiosk-ca.crl" "$H/kiosk.conf"
t_check "lighttpd serves the hall's publication point" bash "$CW" start "$H" "$PORT" "$H/crl"
printf '%s\n' 'boss-pass-123' | "$K" clerk add boss supervisor "测试主管" >/dev/null 2>&1
printf '%s\n' 'w66-pass-1234' | "$K" clerk add w66 window66 "测试66柜员" >/dev/null 2>&1

# the demo certificate, as the records and the key hold it
SERIAL=$(db "SELECT serial FROM certs WHERE uscc='91120116MA05JQ4W3K'")
t_check "the demo certificate is in the records ($SERIAL)" test -n "$SERIAL"
SOFTHSM2_CONF=$H/softhsm2.conf pkcs11-tool --module $MODULE --token-label demo --read-object --type cert \
  --label kiosk-cert -o "$TEST_TMP/demo.der" >/dev/null 2>&1
openssl x509 -inform der -in "$TEST_TMP/demo.der" -out "$TEST_TMP/demo.pem" 2>/dev/null
CDP=$(openssl x509 -in "$TEST_TMP/demo.pem" -noout -ext crlDistributionPoints | sed -n 's/^ *URI://p')
AIA=$(openssl x509 -in "$TEST_TMP/demo.pem" -noout -ext authorityInfoAccess | sed -n 's/^ *CA Issuers - URI://p')
t_eq "the certificate's CRL distribution point is the hall's" "$BASE/kiosk-ca.crl" "$CDP"
t_check "kiosk ca status --out writes the certificate the records keep" "$K" ca status "$SERIAL" --out "$TEST_TMP/kept.der"
t_check "the records keep the certificate itself, byte for byte" cmp "$TEST_TMP/kept.der" "$TEST_TMP/demo.der"
t_eq "and its SHA-256 fingerprint" "$(openssl x509 -in "$TEST_TMP/demo.pem" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f)" \
  "$(db "SELECT fpr FROM certs WHERE serial='$SERIAL'")"
t_eq "the certificate's caIssuers URL is the hall's" "$BASE/kiosk-ca.crt" "$AIA"

# ---- publishing -----------------------------------------------------------------------
out=$("$K" ca crl 2>&1); rc=$?
t_eq "kiosk ca crl publishes (exit 0)" 0 "$rc"
t_grep "kiosk ca crl says where" "$H/crl" <(echo "$out")
fetch "$CDP" > "$TEST_TMP/crl0.der"
t_check "the CRL fetched from the URL in the certificate is the one published" cmp "$TEST_TMP/crl0.der" "$H/crl/kiosk-ca.crl"
fetch "$AIA" > "$TEST_TMP/ca.der"
openssl x509 -in "$H/ca/ca.crt" -outform der -out "$TEST_TMP/ca-local.der"
t_check "the caIssuers URL serves the CA certificate" cmp "$TEST_TMP/ca.der" "$TEST_TMP/ca-local.der"
openssl crl -inform der -in "$TEST_TMP/crl0.der" -out "$TEST_TMP/crl0.pem"
t_check "openssl: the CRL's signature verifies with the CA certificate" \
  sh -c "openssl crl -in '$TEST_TMP/crl0.pem' -CAfile '$H/ca/ca.crt' -noout 2>&1 | grep -q 'verify OK'"
openssl crl -in "$TEST_TMP/crl0.pem" -noout -text > "$TEST_TMP/crl0.txt"
t_grep "CRL v2" "Version 2" "$TEST_TMP/crl0.txt"
t_grep "CRL number" "X509v3 CRL Number" "$TEST_TMP/crl0.txt"
t_grep "authority key identifier" "X509v3 Authority Key Identifier" "$TEST_TMP/crl0.txt"
t_grep "no certificate revoked yet" "No Revoked Certificates" "$TEST_TMP/crl0.txt"
last=$(date -u -d "$(openssl crl -in "$TEST_TMP/crl0.pem" -noout -lastupdate | cut -d= -f2)" +%s)
next=$(date -u -d "$(openssl crl -in "$TEST_TMP/crl0.pem" -noout -nextupdate | cut -d= -f2)" +%s)
t_eq "nextUpdate is [ca] crl_valid_h (24 h) after thisUpdate" 86400 "$((next - last))"
t_check "before: openssl verify -crl_check passes" \
  openssl verify -crl_check -CAfile "$H/ca/ca.crt" -CRLfile "$TEST_TMP/crl0.pem" "$TEST_TMP/demo.pem"
t_grep "kiosk ca status: active" "有效" <("$K" ca status "$SERIAL" 2>&1)

# ---- bad input: one line, exit 2, nothing changed -------------------------------------
audit0=$(db "SELECT count(*) FROM audit")
crl_n0=$(db "SELECT n FROM counters WHERE name='crl'")
out=$(printf 'boss-pass-123\n' | "$K" ca revoke "$SERIAL" --reason stolen --as boss 2>&1); rc=$?
t_eq "unknown reason: exit 2" 2 "$rc"
t_grep "unknown reason: named, with the ones there are" "撤销原因“stolen”无效，应为 unspecified|keyCompromise" <(echo "$out")
out=$(printf 'boss-pass-123\n' | "$K" ca revoke 0123ABCD --reason keyCompromise --as boss 2>&1); rc=$?
t_eq "unknown serial: exit 2" 2 "$rc"
t_grep "unknown serial: named" "记录中没有序列号为 0123ABCD 的证书" <(echo "$out")
out=$("$K" ca revoke "$SERIAL" --reason keyCompromise 2>&1); rc=$?
t_eq "no supervisor named: usage, exit 2" 2 "$rc"
t_eq "bad input changed nothing in the records" "$audit0 0" "$(db "SELECT count(*) FROM audit") $(db "SELECT state FROM certs WHERE serial='$SERIAL'")"
out=$(printf 'wrong-password\n' | "$K" ca revoke "$SERIAL" --reason keyCompromise --as boss 2>&1); rc=$?
t_eq "wrong supervisor password: exit 1" 1 "$rc"
out2=$(printf 'w66-pass-1234\n' | "$K" ca revoke "$SERIAL" --reason keyCompromise --as w66 2>&1); rc2=$?
t_eq "a window clerk cannot revoke: exit 1" 1 "$rc2"
t_grep "the refusal says a supervisor is needed" "撤销须由值班主管确认" <(echo "$out2")
t_eq "refused revocations are audited, the certificate untouched" "2 0" \
  "$(db "SELECT count(*) FROM audit WHERE action='cert.revoke_denied'") $(db "SELECT state FROM certs WHERE serial='$SERIAL'")"
t_eq "no CRL published by refused requests" "$crl_n0" "$(db "SELECT n FROM counters WHERE name='crl'")"
# the records locked by another process while the supervisor confirms: said as the
# records' fault, not as a wrong password, and nothing changed
( printf 'BEGIN IMMEDIATE;\nSELECT 1;\n'; sleep 9 ) | sqlite3 "$H/kiosk.db" > /dev/null 2>&1 &
LOCKER=$!; sleep 0.5
out=$(printf 'boss-pass-123\n' | "$K" ca revoke "$SERIAL" --reason keyCompromise --as boss 2>&1); rc=$?
wait "$LOCKER"
t_eq "records locked: the confirmation refused (exit 1)" 1 "$rc"
t_grep "...said as the records' fault, not a wrong password" "记录库忙或无法写入，主管确认未能记录" <(echo "$out")
t_eq "...the certificate untouched" 0 "$(db "SELECT state FROM certs WHERE serial='$SERIAL'")"

# ---- revoke -----------------------------------------------------------------------------
out=$(printf 'boss-pass-123\n' | "$K" ca revoke "$SERIAL" --reason keyCompromise --as boss 2>&1); rc=$?
t_eq "kiosk ca revoke: exit 0" 0 "$rc"
t_grep "kiosk ca revoke says so" "证书 $SERIAL 已撤销（原因：keyCompromise）" <(echo "$out")
t_eq "records: revoked with reason 1 (keyCompromise)" "1|1" "$(db "SELECT state, reason FROM certs WHERE serial='$SERIAL'")"
t_eq "audited once under the supervisor" 1 "$(db "SELECT count(*) FROM audit WHERE action='cert.revoke' AND actor='boss' AND detail LIKE '%$SERIAL%'")"
t_check "the audit chain verifies" "$K" audit verify
fetch "$CDP" > "$TEST_TMP/crl1.der"
t_check "the CRL served is the one published after the revocation" cmp "$TEST_TMP/crl1.der" "$H/crl/kiosk-ca.crl"
openssl crl -inform der -in "$TEST_TMP/crl1.der" -out "$TEST_TMP/crl1.pem"
openssl crl -in "$TEST_TMP/crl1.pem" -noout -text > "$TEST_TMP/crl1.txt"
t_grep "openssl crl -text lists the serial" "Serial Number: $SERIAL" "$TEST_TMP/crl1.txt"
t_grep "openssl crl -text gives the reason" "Key Compromise" "$TEST_TMP/crl1.txt"
n0=$(openssl crl -in "$TEST_TMP/crl0.pem" -noout -crlnumber | sed 's/.*=//'); n1=$(openssl crl -in "$TEST_TMP/crl1.pem" -noout -crlnumber | sed 's/.*=//')
t_check "the CRL number went up ($n0 -> $n1)" test "$((16#$n1))" -gt "$((16#$n0))"
out=$(openssl verify -crl_check -CAfile "$H/ca/ca.crt" -CRLfile "$TEST_TMP/crl1.pem" "$TEST_TMP/demo.pem" 2>&1); rc=$?
t_check "openssl verify -crl_check now fails" test "$rc" -ne 0
t_grep "openssl verify: certificate revoked" "certificate revoked" <(echo "$out")
certtool --verify --load-ca-certificate "$H/ca/ca.crt" --load-crl "$TEST_TMP/crl1.pem" --infile "$TEST_TMP/demo.pem" > "$TEST_TMP/gnutls.txt" 2>&1
t_grep "gnutls certtool --verify --load-crl: revoked" "revoked" "$TEST_TMP/gnutls.txt"
t_grep "kiosk ca status: revoked, with when and why" "keyCompromise" <("$K" ca status "$SERIAL" 2>&1)
out=$(printf 'boss-pass-123\n' | "$K" ca revoke "$SERIAL" --reason superseded --as boss 2>&1); rc=$?
t_eq "revoked already: exit 2" 2 "$rc"
t_grep "revoked already: said, with the first reason" "已于" <(echo "$out")
t_eq "revoked already: the reason is unchanged" 1 "$(db "SELECT reason FROM certs WHERE serial='$SERIAL'")"
t_grep "English on request" "certificate $SERIAL: revoked" <("$K" --lang en ca status "$SERIAL" 2>&1)

# ---- the validity check says so, from the records (the real kiosk in tmux) ---------------
KIOSK=$K; . "${ROOT:-.}/tests/tmux.sh"
trap 'tm kill-server >/dev/null 2>&1; bash "$CW" stop "$H" "$PORT" >/dev/null 2>&1' EXIT
"$K" dev plug demo >/dev/null 2>&1
start --mode self
menu "有效期查询"
expect "validity check: a revoked certificate is shown revoked, with when and why" "该证书已被CA吊销"
expect "validity check: the reason in words" "密钥泄露"
expect "validity check: what to do" "66号窗口办理新证书"
absent "validity check: never 'valid' for a revoked certificate" "证书在有效期内"
tm send-keys -t $S Escape
t_eq "the check is recorded as revoked (result 8)" 8 "$(db "SELECT result FROM checks ORDER BY id DESC LIMIT 1")"
tm kill-server >/dev/null 2>&1

# ---- 挂失 / 解挂: report lost, release, and a hold that runs out -------------------------
# a second company's certificate, issued through the engine onto blank1
IH=${ROOT:-.}/build/san/itests/issue_helper
"$K" dev unplug demo >/dev/null 2>&1   # one key in the reader
USCC2=91120116MA0CAHOLD2; B1=$("$K" dev plug blank1 2>/dev/null | grep -o '[0-9a-f]\{16\}' | head -1)
"$IH" issue "$B1" "$USCC2" "天津市挂失测试有限公司" 120101198808081234 > "$TEST_TMP/issue2.txt" 2>&1
S2=$(db "SELECT serial FROM certs WHERE uscc='$USCC2' AND state=0")
t_check "a second certificate issued and recorded ($S2)" test -n "$S2"
[ -n "$S2" ] || sed 's/^/# /' "$TEST_TMP/issue2.txt"
SOFTHSM2_CONF=$H/softhsm2.conf pkcs11-tool --module $MODULE --token-label "$USCC2" --read-object --type cert \
  --label kiosk-cert -o "$TEST_TMP/s2.der" >/dev/null 2>&1
openssl x509 -inform der -in "$TEST_TMP/s2.der" -out "$TEST_TMP/s2.pem" 2>/dev/null
crl_now() { fetch "$CDP" > "$TEST_TMP/c.der"; openssl crl -inform der -in "$TEST_TMP/c.der" -out "$TEST_TMP/c.pem"; }

out=$(printf 'boss-pass-123\n' | "$K" ca hold "$S2" --as boss 2>&1); rc=$?
t_eq "kiosk ca hold: exit 0" 0 "$rc"
t_grep "kiosk ca hold says so, with the hold period" "已挂失冻结" <(echo "$out")
t_eq "records: on hold (state revoked, reason certificateHold 6)" "1|6" "$(db "SELECT state, reason FROM certs WHERE serial='$S2'")"
t_eq "the key moves with it: held (docs/KEYS.md), audited" "held|1" \
  "$("$K" key status "$B1" | grep -o '状态 [a-z]*' | cut -d' ' -f2)|$(db "SELECT count(*) FROM audit WHERE action='key.hold' AND detail LIKE 'key=$B1%'")"
crl_now
t_grep "the CRL lists it as Certificate Hold" "Certificate Hold" <(openssl crl -in "$TEST_TMP/c.pem" -noout -text)
t_grep "openssl verify -crl_check: revoked while on hold" "certificate revoked" \
  <(openssl verify -crl_check -CAfile "$H/ca/ca.crt" -CRLfile "$TEST_TMP/c.pem" "$TEST_TMP/s2.pem" 2>&1)
t_grep "kiosk ca status: on hold" "挂失冻结中" <("$K" ca status "$S2" 2>&1)
start --mode self
menu "有效期查询"
expect "validity check: the held certificate is shown on hold" "挂失冻结"
expect "validity check: how to release it" "解除挂失"
tm kill-server >/dev/null 2>&1
out=$(printf 'boss-pass-123\n' | "$K" ca hold "$S2" --as boss 2>&1); rc=$?
t_eq "hold again: exit 2, nothing changed" "2|1|6" "$rc|$(db "SELECT state, reason FROM certs WHERE serial='$S2'")"
out=$(printf 'boss-pass-123\n' | "$K" ca release "$S2" --as boss 2>&1); rc=$?
t_eq "kiosk ca release: exit 0, active again" "0|0|-1" "$rc|$(db "SELECT state, reason FROM certs WHERE serial='$S2'")"
t_eq "released: the key is in use again" "1" "$(db "SELECT state FROM keys WHERE serial='$B1'")"
crl_now
t_check "released: off the CRL, openssl verify -crl_check passes" \
  openssl verify -crl_check -CAfile "$H/ca/ca.crt" -CRLfile "$TEST_TMP/c.pem" "$TEST_TMP/s2.pem"
out=$(printf 'boss-pass-123\n' | "$K" ca release "$S2" --as boss 2>&1); rc=$?
t_eq "release again: exit 2" 2 "$rc"
t_eq "hold and release audited under the supervisor" "1 1" \
  "$(db "SELECT count(*) FROM audit WHERE action='cert.hold' AND actor='boss'") $(db "SELECT count(*) FROM audit WHERE action='cert.release' AND actor='boss'")"
# a hold reported 31 days ago ([ca] hold_days = 30) becomes a revocation at the next publication
printf 'boss-pass-123\n' | ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 faketime -f '-31d' "$K" ca hold "$S2" --as boss >/dev/null 2>&1
t_eq "held 31 days ago" "1|6" "$(db "SELECT state, reason FROM certs WHERE serial='$S2'")"
"$K" ca crl >/dev/null 2>&1
t_eq "the hold ran out: revoked for good (keyCompromise 1)" "1|1" "$(db "SELECT state, reason FROM certs WHERE serial='$S2'")"
t_eq "...and its key is lost for good (state 4), audited under the CA" "4|1" \
  "$(db "SELECT state FROM keys WHERE serial='$B1'")|$(db "SELECT count(*) FROM audit WHERE action='key.lose' AND actor='ca'")"
t_eq "the revocation is audited under the CA" 1 "$(db "SELECT count(*) FROM audit WHERE action='cert.revoke' AND actor='ca' AND detail LIKE '%$S2%'")"
crl_now
t_grep "the CRL now says Key Compromise" "Key Compromise" <(openssl crl -in "$TEST_TMP/c.pem" -noout -text | grep -A5 "$S2")
out=$(printf 'boss-pass-123\n' | "$K" ca release "$S2" --as boss 2>&1); rc=$?
t_eq "a revoked certificate cannot be released: exit 2" 2 "$rc"

# ---- the window-66 kiosk publishes the CRL again before it gets old ----------------------
n0=$(db "SELECT n FROM counters WHERE name='crl'")
touch -d '-13 hours' "$H/crl/kiosk-ca.crl"    # half of [ca] crl_valid_h (24 h) is gone
start --mode window66
wait_for "柜员登录" || true
for i in $(seq 1 100); do [ "$(db "SELECT n FROM counters WHERE name='crl'")" -gt "$n0" ] && break; sleep 0.1; done
n1=$(db "SELECT n FROM counters WHERE name='crl'")
t_check "an old CRL (13 h of 24) is published again by the running kiosk ($n0 -> $n1)" test "$n1" -gt "$n0"
t_check "the CRL served is fresh" test $(( $(date +%s) - $(stat -c %Y "$H/crl/kiosk-ca.crl") )) -lt 60
tm kill-server >/dev/null 2>&1
start --mode window66
wait_for "柜员登录" || true
sleep 1.5
t_eq "a fresh CRL is left alone" "$n1" "$(db "SELECT n FROM counters WHERE name='crl'")"
tm kill-server >/dev/null 2>&1

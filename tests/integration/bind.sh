#!/usr/bin/env bash
# tests/integration/bind.sh - 电子签章绑定 at window 68 through the engine
# (issue_helper drives kiosk/engine_seal.c's table as window 68 does):
#  - a company's key after 证书新办: its certificate read, the seal named
#    and a scanned PNG taken from [seal] scan_dir; the binding recorded
#    (seal number, company, certificate serial and fingerprint, key, clerk
#    w68, the image's SHA-256), audited under w68; the confirmation printed
#    once and read back with pdftotext;
#  - the same certificate again: refused; an image named with a path, a
#    missing one, one that is neither PNG nor PDF: refused at the field,
#    naming why; the expired demo key: refused;
#  - after an information change at window 66 (a new certificate on the same
#    key, the old one revoked) the binding waits (需重新绑定); binding again
#    re-binds: the old seal kept, marked superseded by the new one. Killed
#    right after the binding's unit of work, the order cannot be cancelled
#    and, resumed, prints its confirmation once without binding twice.
. "$ROOT/tests/lib.sh"
H=$ROOT/build/san/itests/issue_helper
DB=$KIOSK_HOME/kiosk.db
db() { sqlite3 "$DB" "$1"; }
USCC=91120116MA05BD1T0H
COMPANY=天津市签章绑定测试有限公司
NEWCO=天津市签章绑定变更后有限公司
OPID=120101198503037813
trap key_unplug_all EXIT
SCANS=$KIOSK_HOME/scans
mkdir -p "$SCANS"
# a real PNG (1×1), as a scanner leaves it
echo 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==' |
  base64 -d > "$SCANS/seal-bd1.png"
echo "not an image" > "$SCANS/notes.txt"
bind() { HELPER_WINDOW=window68 "$H" bind "$@"; }

K=$(key_plug blank30)
"$H" issue "$K" "$USCC" "$COMPANY" 120101198503038883 > "$TEST_TMP/issue.out" 2>&1
t_grep "a certificate issued onto blank30 at window 66" "issue=0 " "$TEST_TMP/issue.out"
CERT=$(db "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")

# ---- the image refused at its field, nothing bound ---------------------------------------------
for case in "../seal-bd1.png|只填写扫描目录中的文件名" "nope.png|扫描目录中没有这个文件" "notes.txt|印模图像只能是PNG或PDF文件"; do
  HELPER_FORM_seal="seal_image=${case%%|*}" bind "$OPID" > "$TEST_TMP/img.out" 2>&1
  t_grep "seal image '${case%%|*}': refused at the field" "form_refused=seal_image ${case#*|}" "$TEST_TMP/img.out"
  "$H" cancel "$OPID" > /dev/null 2>&1
done
t_eq "...nothing bound" "0" "$(db "SELECT count(*) FROM seals WHERE uscc='$USCC'")"

# ---- the binding --------------------------------------------------------------------------------
HELPER_FORM_seal="seal_image=seal-bd1.png" bind "$OPID" > "$TEST_TMP/bind.out" 2>&1
t_grep "the key read at window 68: usable" "verdict=usable" "$TEST_TMP/bind.out"
t_grep "bound to the end" "finished=1" "$TEST_TMP/bind.out"
t_grep "...the seal named after the company (a unit certificate)" "seal_name=$COMPANY" "$TEST_TMP/bind.out"
t_grep "...the scanned image described" "image_desc=seal-bd1.png（PNG，1×1，1 KB）" "$TEST_TMP/bind.out"
SEAL=$(sed -n 's/^seal_id=//p' "$TEST_TMP/bind.out")
t_check "a seal number ($SEAL)" test -n "$SEAL"
t_eq "recorded: company, kind, certificate and its fingerprint, key, clerk, image hash" \
  "$USCC|unit|$CERT|$(db "SELECT fpr FROM certs WHERE serial='$CERT'")|$K|w68|$(sha256sum "$SCANS/seal-bd1.png" | cut -c1-64)|0" \
  "$(db "SELECT uscc || '|' || kind || '|' || cert_serial || '|' || cert_fpr || '|' || key_serial || '|' || clerk || '|' || image_sha256 || '|' || state FROM seals WHERE seal_id='$SEAL'")"
t_eq "audited once, under the window-68 clerk" "1" \
  "$(db "SELECT count(*) FROM audit WHERE action='seal.bind' AND actor='w68' AND detail LIKE 'seal=$SEAL %cert=$CERT%'")"
ORDER=$(db "SELECT number FROM orders WHERE operator_id='$OPID' AND txn='bind' AND state=1")
t_eq "a window-68 order, done, nothing charged" "window68|0" "$(db "SELECT window || '|' || amount FROM orders WHERE number='$ORDER'")"
t_eq "the binding confirmation queued once, nothing else" "bind:1" \
  "$(db "SELECT group_concat(doc || ':' || c, ' ') FROM (SELECT doc, count(*) c FROM jobs j JOIN orders o ON o.id = j.order_id WHERE o.number='$ORDER' GROUP BY doc)")"
n=0
for i in $(seq 1 50); do
  for f in "$PRINTER_SPOOL"/*"$ORDER"*.pdf; do
    [ -f "$f" ] && pdftotext -raw "$f" "$TEST_TMP/bind.txt" 2>/dev/null && n=1
  done
  [ "$n" = 1 ] && break; sleep 0.2
done
tr -d ' \n' < "$TEST_TMP/bind.txt" > "$TEST_TMP/bind.flat" 2>/dev/null
t_grep "the paper: 电子签章绑定确认单" "电子签章绑定确认单" "$TEST_TMP/bind.flat"
t_grep "...its seal number and name" "签章编号：$SEAL" "$TEST_TMP/bind.flat"
t_grep "...the certificate's fingerprint" "$(db "SELECT fpr FROM certs WHERE serial='$CERT'")" "$TEST_TMP/bind.flat"
t_grep "...the image" "seal-bd1.png" "$TEST_TMP/bind.flat"

bind "$OPID" > "$TEST_TMP/again.out" 2>&1
t_grep "the same certificate again: refused" "key_refused=该证书已绑定此类电子签章" "$TEST_TMP/again.out"
"$H" cancel "$OPID" > /dev/null 2>&1
key_unplug "$K"

E=$(key_plug expired)
bind 120101198503037821 > "$TEST_TMP/expired.out" 2>&1
t_grep "the expired demo key: refused, saying it expired" "key_refused=该UKey中的证书已过期" "$TEST_TMP/expired.out"
"$H" cancel 120101198503037821 > /dev/null 2>&1
key_unplug "$E"

# ---- an information change at window 66, then the re-binding ----------------------------------------
key_plug "$K" > /dev/null
HELPER_FORM_change="company=$NEWCO" "$H" change "$OPID" > "$TEST_TMP/change.out" 2>&1
t_grep "the company's name changed at window 66 (a new certificate on the same key)" "finished=1" "$TEST_TMP/change.out"
t_eq "the seal now waits for a re-binding (its certificate revoked)" "$SEAL" \
  "$(db "SELECT s.seal_id FROM seals s JOIN certs c ON c.serial = s.cert_serial WHERE s.state = 0 AND s.uscc='$USCC' AND (c.state = 2 OR (c.state = 1 AND c.reason <> 6))")"
KIOSK_FAULT_KILL=bind bind "$OPID" > "$TEST_TMP/kill.out" 2>&1
t_grep "the re-binding killed right after the binding's unit" "at=bind" "$TEST_TMP/kill.out"
NEWSEAL=$(db "SELECT seal_id FROM seals WHERE uscc='$USCC' AND state=0")
RORDER=$(db "SELECT o.number FROM orders o JOIN seals s ON s.order_id = o.id WHERE s.seal_id='$NEWSEAL'")
t_eq "...bound, its order's journal saying so, its paper not yet queued" "1|0" \
  "$(db "SELECT count(*) FROM orders WHERE number='$RORDER' AND data LIKE '%seal_id%$NEWSEAL%'")|$(db "SELECT count(*) FROM jobs j JOIN orders o ON o.id = j.order_id WHERE o.number='$RORDER'")"
t_grep "...it cannot be cancelled now" "cancel=-4" <("$H" cancel "$OPID" 2>&1)
HELPER_WINDOW=window68 "$H" resume "$OPID" > "$TEST_TMP/rebind.out" 2>&1
t_grep "resumed to the end" "resume_finished=1" "$TEST_TMP/rebind.out"
t_eq "...bound once, its confirmation queued once" "2|bind:1" \
  "$(db "SELECT count(*) FROM seals WHERE uscc='$USCC'")|$(db "SELECT group_concat(doc || ':' || c, ' ') FROM (SELECT doc, count(*) c FROM jobs j JOIN orders o ON o.id = j.order_id WHERE o.number='$RORDER' GROUP BY doc)")"
t_eq "...the order named the seal it replaces" "1" "$(db "SELECT count(*) FROM orders WHERE number='$RORDER' AND data LIKE '%rebind_of%$SEAL%'")"
NEWCERT=$(db "SELECT serial FROM certs WHERE uscc='$USCC' AND state=0")
t_eq "the old binding kept, superseded by the new one" "1|$NEWSEAL" "$(db "SELECT state || '|' || superseded_by FROM seals WHERE seal_id='$SEAL'")"
t_eq "the new one on the new certificate, under the new name" "0|$NEWCERT|$NEWCO" \
  "$(db "SELECT state || '|' || cert_serial || '|' || company FROM seals WHERE seal_id='$NEWSEAL'")"
t_eq "nothing waits any more" "0" \
  "$(db "SELECT count(*) FROM seals s JOIN certs c ON c.serial = s.cert_serial WHERE s.state = 0 AND (c.state = 2 OR (c.state = 1 AND c.reason <> 6))")"

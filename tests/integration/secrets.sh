#!/usr/bin/env bash
# tests/integration/secrets.sh - what the counter machine keeps and shows of
# its secrets (issue 13):
#  - the HSM's SO PIN is kept nowhere after provisioning (a file an older
#    provisioning left is removed by the next one), the HSM still works;
#  - the embedded printer's spool and what it holds are its owner's alone;
#  - a state directory others can read: every command but provisioning is
#    refused, naming the directory, exit 2; provisioning makes it private;
#  - the kiosk runs with no core file allowed; PIN fields are locked in memory.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"

H=$KIOSK_HOME
mode() { stat -c %a "$1"; }

t_check "the HSM's SO PIN is not on disk" test ! -e "$H/secrets/hsm.sopin"
t_check "...nor anything holding it under secrets/" sh -c "! ls '$H/secrets' | grep -qi so"
echo "0123456789abcdef" > "$H/secrets/hsm.sopin"; chmod 600 "$H/secrets/hsm.sopin"
"$KIOSK" hall provision > "$TEST_TMP/prov.out" 2>&1
t_eq "provisioning again: exit 0" 0 $?
t_check "...removes a left-over SO PIN file" test ! -e "$H/secrets/hsm.sopin"
t_grep "...and says so" "已删除：$H/secrets/hsm.sopin（HSM 的 SO PIN 不保存）" "$TEST_TMP/prov.out"
t_check "the HSM still signs: the CRL published" "$KIOSK" ca crl --out "$TEST_TMP/crl.der"
t_check "...a CRL openssl reads" openssl crl -inform DER -in "$TEST_TMP/crl.der" -noout

t_eq "the state directory: others pass, never read" 711 "$(mode "$H")"
t_eq "secrets/: the owner's alone" 700 "$(mode "$H/secrets")"
"$KIOSK" print sample --doc receipt > /dev/null 2>&1
for i in $(seq 1 50); do [ -n "$(ls -A "$PRINTER_SPOOL" 2>/dev/null)" ] && break; sleep 0.1; done
t_eq "the printer's spool: the owner's alone" 700 "$(mode "$PRINTER_SPOOL")"
bad=$(find "$PRINTER_SPOOL" -type f -perm /044 | wc -l)
t_check "...papers in it ($(ls "$PRINTER_SPOOL" | wc -l)) readable by nobody else" test "$bad" = 0 -a "$(ls "$PRINTER_SPOOL" | wc -l)" -gt 0

chmod 755 "$H"
out=$("$KIOSK" token list 2>&1); rc=$?
t_eq "a state directory others can read: refused, exit 2" 2 "$rc"
case "$out" in *"$H"*755*"chmod 711"*) t_ok "...naming it, its mode and the fix";; *) t_fail "...naming it" "$out";; esac
"$KIOSK" hall provision > /dev/null 2>&1
t_eq "provisioning makes it private again" 711 "$(mode "$H")"
t_check "...and the commands run" "$KIOSK" token list

start --mode self
wait_for "请选择业务"
pid=$(pgrep -n -f "$KIOSK --mode self")
t_eq "the kiosk runs with no core file allowed" "0 0" "$(awk '/Max core file size/ {print $5, $6}' "/proc/$pid/limits")"
tm kill-server > /dev/null 2>&1

# PIN and password fields out of swap: mlock is a no-op under AddressSanitizer,
# so the plain build's field tests check it (VmLck of the process)
t_check "a PIN field is locked in memory and wiped to the last byte (plain build)" "$ROOT/build/tests/test_field"

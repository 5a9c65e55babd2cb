#!/usr/bin/env bash
# tests/integration/pin_ock.sh - a second PKCS#11 implementation that locks
# on its own: Debian's opencryptoki soft token (3 wrong PINs, then
# CKR_PIN_LOCKED and "user PIN locked"), joined to the hall's SoftHSM (the
# HSM) by p11-kit's proxy module, as a hall joins its HSM and its readers.
# The vendor's key is adopted (`kiosk key adopt`: factory SO PIN replaced by
# the one derived in the HSM, cut to the token's 8 characters), given a
# user PIN through SO login; 3 wrong PINs lock it although the kiosk's own
# counter has 7 tries left, and the kiosk records it locked; 解锁 through
# the SO login lifts the token's own lock.
#
# Needs root: pkcsslotd and the system's p11-kit module list
# (/etc/pkcs11/modules; p11-kit reads no user configuration for root).
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/ock.sh"
H=$ROOT/build/san/itests/issue_helper
CONF=$KIOSK_HOME/kiosk.conf
DB=$KIOSK_HOME/kiosk.db
PROXY=/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so
MODFILE=/etc/pkcs11/modules/kiosk-test-ock.module
db() { sqlite3 "$DB" "$1"; }
PORTS=$KIOSK_HOME/$(sed -n 's/^ports_dir *= *//p' "$CONF" | head -1)

# opencryptoki's token library (libpkcs11_sw.so, dlopened by libopencryptoki)
# leaks at unload, and once unloaded its frames cannot be named, so LSan
# cannot suppress them (tests/lsan.supp): leak checking is off for the
# processes that load it here, and on everywhere else.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0

if [ "$(id -u)" -ne 0 ]; then t_fail "opencryptoki's slot daemon and p11-kit's module list need root"; exit 0; fi
t_check "opencryptoki and p11-kit's proxy are installed (scripts/setup.sh)" test -e "$OCK" -a -e "$PROXY"
cp "$CONF" "$TEST_TMP/kiosk.conf.orig"
cleanup() {
  cp "$TEST_TMP/kiosk.conf.orig" "$CONF"; rm -f "$MODFILE" "$PORTS/123"
  ock_stop
}
trap cleanup EXIT

# the soft token as the vendor ships it: factory SO PIN 87654321
ock_start
AUDIT0=$(db "SELECT coalesce(max(id), 0) FROM audit")
mkdir -p /etc/pkcs11/modules
printf 'module: %s\nenable-in: kiosk, issue_helper\n' "$OCK" > "$MODFILE"
sed -i "s|^module *=.*|module = $PROXY|" "$CONF"
touch "$PORTS/123"      # the soft token's serial is 123: inserted

t_eq "kiosk key adopt: the factory SO PIN is replaced by the HSM-derived one" 0 \
  "$(printf '87654321\n' | "$KIOSK" key adopt 123 --label ock-key > "$TEST_TMP/adopt.out" 2>&1; echo $?)"
t_check "...and the factory SO PIN no longer works (refused as incorrect)" ock_so_refused 87654321
t_eq "the adoption is audited" 1 "$(db "SELECT count(*) FROM audit WHERE id > $AUDIT0 AND action='key.adopt' AND detail LIKE 'key=123 %'")"
db "INSERT OR REPLACE INTO keys (serial, created, state, pin_fails) VALUES ('123', 0, 1, 0)"   # (as if issued onto)
t_eq "a user PIN set through SO login with the derived SO PIN" "reset=0 event=0" \
  "$("$H" unlock 123 'Kx7#pq29' | tr '\n' ' ' | sed 's/ $//')"
t_eq "the PIN works through p11-kit's proxy" "result=ok left=10" "$("$H" pin 123 'Kx7#pq29')"

r1=$("$H" pin 123 wrong-1 final); r2=$("$H" pin 123 wrong-2 final); r3=$("$H" pin 123 wrong-3 final)
t_eq "1st wrong PIN: 9 tries by the kiosk's count" "result=wrong left=9" "$r1"
t_grep "2nd wrong PIN: still counted wrong" "result=wrong" <(echo "$r2")
t_eq "3rd wrong PIN: the token locks itself, and the kiosk says locked at once" "result=locked left=0" "$r3"
t_eq "recorded locked (state 2) after 3 counted tries, not 10" "2|3" "$(db "SELECT state || '|' || pin_fails FROM keys WHERE serial='123'")"
t_eq "...audited as the token's lock" 1 "$(db "SELECT count(*) FROM audit WHERE action='key.lock' AND detail LIKE 'key=123 %by=token%'")"
t_eq "the right PIN is refused: locked" "result=locked left=0" "$("$H" pin 123 'Kx7#pq29' final)"
t_grep "the key says so itself: user PIN locked" "token_locked=1" <("$H" pinview 123)
t_grep "kiosk key status: locked" "locked" <("$KIOSK" key status 123 2>&1)
t_eq "解锁: SO login with the derived SO PIN, a new user PIN" "reset=0 event=0" \
  "$("$H" unlock 123 'Nw5@kd81' | tr '\n' ' ' | sed 's/ $//')"
t_grep "the token's own lock is lifted" "token_locked=0" <("$H" pinview 123)
t_eq "the new PIN works" "result=ok left=10" "$("$H" pin 123 'Nw5@kd81')"
t_check "pkcs11-tool agrees (a tool nobody here wrote)" \
  pkcs11-tool --module "$OCK" --login --pin 'Nw5@kd81' -O

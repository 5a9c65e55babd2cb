# tests/ock.sh - sourced (after tests/lib.sh) by the scripts that use
# opencryptoki's soft token as a vendor's UKey (../shared/notes.md): one
# token per machine (slot 3, serial 123), kept in /var/lib/opencryptoki/swtok,
# served by its slot daemon. Needs root.
#
#   ock_start        the token as the vendor ships it (label "vendor", factory
#                    SO PIN 87654321), its slot daemon running (one test)
#   ock_stop         the daemon stopped, the token's store emptied (a trap)
#   ock_so_ok PIN    an SO login with PIN works (a read-write session:
#                    pkcs11-tool's --init-pin, which gives a user PIN)
#   ock_so_refused PIN   ...is refused as incorrect
OCK=/usr/lib/x86_64-linux-gnu/opencryptoki/libopencryptoki.so.0

# the soft token's store, as the package installs it: empty, with its object directory
ock_clean() { rm -rf /var/lib/opencryptoki/swtok/*; install -d -g pkcs11 -m 770 /var/lib/opencryptoki/swtok/TOK_OBJ; }
ock_stop() { pkill -x pkcsslotd >/dev/null 2>&1; ock_clean; }
ock_start() {
  pkill -x pkcsslotd >/dev/null 2>&1; sleep 0.3
  mkdir -p /run/opencryptoki /var/lock/opencryptoki
  chgrp pkcs11 /run/opencryptoki /var/lock/opencryptoki; chmod 770 /run/opencryptoki /var/lock/opencryptoki
  ock_clean
  /usr/sbin/pkcsslotd; sleep 0.5
  t_check "opencryptoki's slot daemon runs" pgrep -x pkcsslotd
  pkcs11-tool --module "$OCK" --init-token --label vendor --so-pin 87654321 > /dev/null 2>&1
}
ock_so_ok() { pkcs11-tool --module "$OCK" --login --login-type so --so-pin "$1" --init-pin --new-pin 11112222 > /dev/null 2>&1; }
ock_so_refused() { pkcs11-tool --module "$OCK" --login --login-type so --so-pin "$1" --init-pin --new-pin 11112222 2>&1 | grep -q CKR_PIN_INCORRECT; }

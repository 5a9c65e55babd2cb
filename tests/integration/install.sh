#!/usr/bin/env bash
# tests/integration/install.sh - the kiosk installed as a technician installs
# it (issue 18): `make install` under a prefix of the test's own, the
# installed binary run as installed (its state directory and /etc
# configuration compiled in, refused when missing or readable by others),
# provisioned and its validity check driven in tmux; `make install DESTDIR`
# then `make uninstall` leaving no file; both man pages rendered by man -l
# and kiosk.conf(5) naming every option of the table; the systemd units
# accepted by systemd-analyze verify; the Debian package built from the
# tree, listed by dpkg-deb -c, clean of lintian errors.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/tmux.sh"
trap 'tm kill-server >/dev/null 2>&1' EXIT

T=$TEST_TMP/root
MK=(make -s -C "$ROOT" PREFIX=$T/usr SYSCONFDIR=$T/etc LOCALSTATEDIR=$T/var/lib UNITDIR=$T/lib/systemd/system)
t_check "make install under a prefix of its own" "${MK[@]}" install
K=$T/usr/bin/kiosk
# as a technician's shell: no KIOSK_HOME, no SoftHSM configuration of the test hall
inst() { env -u KIOSK_HOME -u SOFTHSM2_CONF "$K" "$@"; }

t_eq "installed: --version" "kiosk $(cat "$ROOT/VERSION")" "$(inst --version)"
inst --lang en --help > "$TEST_TMP/help.txt" 2>&1
t_grep "installed: --help names the installed state directory" "default $T/var/lib/kiosk" "$TEST_TMP/help.txt"
t_grep "...and the installed configuration" "configuration $T/etc/kiosk/kiosk.conf" "$TEST_TMP/help.txt"
t_eq "the state directory is private (0700)" 700 "$(stat -c %a "$T/var/lib/kiosk")"
t_eq "the example configuration is installed" 1 "$(grep -c '^\[hall\]' "$T/etc/kiosk/kiosk.conf.example")"

rc=0; inst --lang en token list > "$TEST_TMP/noconf.txt" 2>&1 || rc=$?
t_eq "no /etc/kiosk/kiosk.conf: refused with status 2" 2 "$rc"
t_grep "...naming the path" "configuration file $T/etc/kiosk/kiosk.conf is missing" "$TEST_TMP/noconf.txt"

t_check "provisioned into the installed state directory (no KIOSK_HOME)" inst hall provision --with-test-keys
t_check "...which holds the records" test -f "$T/var/lib/kiosk/kiosk.db"
cp "$T/var/lib/kiosk/kiosk.conf" "$T/etc/kiosk/kiosk.conf"
chmod 644 "$T/etc/kiosk/kiosk.conf"
rc=0; inst --lang en token list > "$TEST_TMP/open.txt" 2>&1 || rc=$?
t_eq "a configuration readable by others: refused with status 2" 2 "$rc"
t_grep "...naming the path and its mode" "configuration file $T/etc/kiosk/kiosk.conf is readable by others (mode 644)" "$TEST_TMP/open.txt"
chmod 640 "$T/etc/kiosk/kiosk.conf"
t_check "0640: the installed kiosk lists the keys" inst token list
mv "$T/var/lib/kiosk" "$T/var/lib/kiosk.away"
rc=0; inst --lang en token list > "$TEST_TMP/nostate.txt" 2>&1 || rc=$?
t_eq "no state directory: refused with status 2" 2 "$rc"
t_grep "...naming it" "state directory $T/var/lib/kiosk is missing" "$TEST_TMP/nostate.txt"
mv "$T/var/lib/kiosk.away" "$T/var/lib/kiosk"

# the validity check, as the self-service terminal shows it
tm kill-server >/dev/null 2>&1
tm new-session -d -s $S -x 100 -y 30 \
  "env -u KIOSK_HOME -u SOFTHSM2_CONF LC_ALL=C.UTF-8 TERM=xterm-256color $K --mode self; printf '\\r\\nKIOSK-EXITED %s\\n' \$?; sleep 30"
expect "installed: the self-service home screen" "有效期查询"
menu "有效期查询"
expect "installed: asks for the key" "请插入您的UKey"
inst dev plug demo > /dev/null
expect "installed: the demo key's holder" "天津市示范科技有限公司"
expect "installed: valid" "证书在有效期内"
inst dev unplug demo > /dev/null
tm kill-server >/dev/null 2>&1
"${MK[@]}" uninstall > /dev/null 2>&1

# ---- DESTDIR, then uninstall ---------------------------------------------------
D=$TEST_TMP/destdir
t_check "make install DESTDIR (default prefix)" make -s -C "$ROOT" install DESTDIR="$D"
for f in usr/local/bin/kiosk usr/local/share/man/man1/kiosk.1 usr/local/share/man/man5/kiosk.conf.5 \
         etc/kiosk/kiosk.conf.example usr/local/lib/systemd/system/kiosk-self@.service \
         usr/local/lib/systemd/system/kiosk-window@.service usr/local/lib/systemd/system/kiosk-crl.timer; do
  t_check "DESTDIR: $f" test -f "$D/$f"
done
t_eq "the installed binary has /etc/kiosk and /var/lib/kiosk compiled in" 1 \
  "$(env -u KIOSK_HOME "$D/usr/local/bin/kiosk" --lang en --help | grep -c 'default /var/lib/kiosk, configuration /etc/kiosk/kiosk.conf')"
make -s -C "$ROOT" uninstall DESTDIR="$D" > /dev/null 2>&1
t_eq "make uninstall leaves no file" "" "$(find "$D" -type f)"
t_eq "...nor a directory of its own" "" "$(find "$D" -name '*kiosk*')"

# ---- man pages ---------------------------------------------------------------
t_check "man -l renders kiosk(1) without a warning" \
  sh -c "MANWIDTH=100 man -l '$ROOT/docs/kiosk.1' 2>&1 >'$TEST_TMP/kiosk.1.txt' | (! grep .)"
man -l "$ROOT/build/kiosk.conf.5" > "$TEST_TMP/kiosk.conf.5.txt" 2>"$TEST_TMP/man5.err"
t_eq "man -l renders kiosk.conf(5) without a warning" "" "$(cat "$TEST_TMP/man5.err")"
for s in NAME SYNOPSIS DESCRIPTION MODES OPTIONS COMMANDS FILES ENVIRONMENT "EXIT STATUS" EXAMPLES; do
  t_grep "kiosk(1) has $s" "$s" "$TEST_TMP/kiosk.1.txt"
done
# every command of --help is in kiosk(1); every option of the table in kiosk.conf(5)
missing=""
while read -r group name; do
  grep -qE -- "$group +$name" "$TEST_TMP/kiosk.1.txt" || grep -qE -- "$name +$group|, +$name " "$TEST_TMP/kiosk.1.txt" || missing="$missing $group-$name"
done < <("$KIOSK" --lang en --help | sed -n 's/^  kiosk \([a-z]*\) *\([a-z]*\).*/\1 \2/p' | grep -v '^\[')
t_eq "kiosk(1) names every command of --help" "" "$missing"
missing=""; n=0
while IFS= read -r line; do
  case $line in
    \[*\]) sec=${line#[}; sec=${sec%]}; t_grep_q=1; grep -qF "[$sec]" "$TEST_TMP/kiosk.conf.5.txt" || missing="$missing [$sec]" ;;
    [a-z]*=*) key=${line%% =*}; n=$((n + 1))
      awk -v s="[$sec]" -v k="$key" '$0 ~ /^   \[/ { cur = $1 } cur == s && ($1 == k) { f = 1 } END { exit !f }' \
        "$TEST_TMP/kiosk.conf.5.txt" || missing="$missing $sec.$key" ;;
  esac
done < <("$KIOSK" config example)
t_eq "kiosk.conf(5) lists every option of the table, under its section ($n options)" "" "$missing"

# ---- systemd units -----------------------------------------------------------
t_check "make install for the units" "${MK[@]}" install
if command -v systemd-analyze > /dev/null; then
  systemd-analyze verify --man=no "$T/lib/systemd/system/kiosk-self@tty2.service" \
    "$T/lib/systemd/system/kiosk-window@tty3.service" "$T/lib/systemd/system/kiosk-crl.service" \
    "$T/lib/systemd/system/kiosk-crl.timer" > "$TEST_TMP/verify.txt" 2>&1
  rc=$?
  t_eq "systemd-analyze verify accepts the units" "0" "$rc"
  t_eq "...and says nothing against them" "" "$(grep -v '^$' "$TEST_TMP/verify.txt" | head -5)"
else
  t_fail "systemd-analyze is installed (scripts/setup.sh)"
fi
for u in kiosk-self@.service kiosk-window@.service; do
  f=$T/lib/systemd/system/$u
  for d in "TTYPath=/dev/%I" "StandardInput=tty" "Restart=always" "NoNewPrivileges=yes" "PrivateTmp=yes" \
           "ProtectSystem=strict" "ReadWritePaths=$T/var/lib/kiosk" "User=kiosk" "ExecStart=/usr/bin/cage -- /usr/bin/foot"; do
    t_grep "$u: $d" "$d" "$f"
  done
done
"${MK[@]}" uninstall > /dev/null 2>&1

# ---- the Debian package ------------------------------------------------------
if make -s -C "$ROOT" deb > "$TEST_TMP/deb.log" 2>&1; then t_ok "make deb: dpkg-buildpackage -us -uc -b"
else t_fail "make deb" "$(tail -20 "$TEST_TMP/deb.log")"; fi
DEB=$(ls "$ROOT"/build/deb/kiosk_*_*.deb 2>/dev/null | head -1)
dpkg-deb -c "$DEB" | awk '{print $6}' > "$TEST_TMP/deb.list"
for f in ./usr/bin/kiosk ./usr/share/man/man1/kiosk.1.gz ./usr/share/man/man5/kiosk.conf.5.gz \
         ./etc/kiosk/kiosk.conf.example ./lib/systemd/system/kiosk-self@.service \
         ./lib/systemd/system/kiosk-window@.service ./lib/systemd/system/kiosk-crl.timer \
         ./usr/share/doc/kiosk/copyright; do
  t_grep "the package holds $f" "$f" "$TEST_TMP/deb.list"
done
t_eq "no state directory shipped (postinst makes it, owned by the kiosk user)" 0 "$(grep -c '^./var/' "$TEST_TMP/deb.list")"
t_grep "postinst makes the kiosk system user" "adduser --system" <(dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./postinst)
# debhelper's --no-enable: an enable only where the admin had enabled the unit before
t_eq "the units installed but not enabled (postinst enables only what was enabled before)" 0 \
  "$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./postinst |
     awk '/was-enabled/ { w = NR } /deb-systemd-helper enable|systemctl enable/ && NR != w + 2 { n++ } END { print n + 0 }')"
dpkg-deb -f "$DEB" Depends > "$TEST_TMP/depends"
t_eq "depends on runtime libraries only (no -dev, no tool)" 0 "$(tr ',' '\n' < "$TEST_TMP/depends" | grep -cE -- '-dev|softhsm|tmux|cups-daemon')"
lintian "$DEB" > "$TEST_TMP/lintian.txt" 2>&1
t_eq "lintian: no error" "" "$(grep '^E:' "$TEST_TMP/lintian.txt")"
cp "$TEST_TMP/lintian.txt" "$ROOT/build/test-logs/lintian.txt" 2>/dev/null
rm -rf "$ROOT/build/deb"

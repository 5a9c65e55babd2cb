#!/usr/bin/env bash
# tests/integration/cli.sh - the kiosk's command line: --version, --help,
# unknown options and commands, bad configuration files (one line naming the
# file, line and key; exit status 2), a missing PKCS#11 module.
. "$ROOT/tests/lib.sh"

out=$("$KIOSK" --version); rc=$?
t_eq "--version exits 0" 0 $rc
case "$out" in "kiosk "[0-9]*) t_ok "--version prints the version";; *) t_fail "--version prints the version" "$out";; esac

out=$("$KIOSK" --help); rc=$?
t_eq "--help exits 0" 0 $rc
for w in "--mode" "--lang" "--config" "token list" "dev plug" "hall provision"; do
  case "$out" in *"$w"*) t_ok "--help mentions $w";; *) t_fail "--help mentions $w" "$out";; esac
done
case "$out" in *"列出柜员"*"支付渠道：订单 ORDER 已扫码支付"*) t_ok "--help in Chinese: the commands too, from the catalogue";;
  *) t_fail "--help in Chinese: the commands too" "$out";; esac
out=$("$KIOSK" --lang en --help)
case "$out" in *"counter mode"*) t_ok "--help in English";; *) t_fail "--help in English" "$out";; esac
case "$out" in *"payment provider: order ORDER"*) t_ok "--help in English: the commands in English";; *) t_fail "--help in English: the commands" "$out";; esac

out=$("$KIOSK" --bogus 2>&1); rc=$?
t_eq "unknown option exits 2" 2 $rc
case "$out" in *"--bogus"*) t_ok "unknown option is named";; *) t_fail "unknown option is named" "$out";; esac
t_eq "unknown option: one line" 1 "$(printf '%s\n' "$out" | wc -l)"

out=$("$KIOSK" frobnicate 2>&1); rc=$?
t_eq "unknown command exits 2" 2 $rc
case "$out" in *frobnicate*) t_ok "unknown command is named";; *) t_fail "unknown command is named" "$out";; esac

out=$("$KIOSK" --mode window99 2>&1 </dev/null); rc=$?
t_eq "bad --mode exits 2" 2 $rc
case "$out" in *window99*window66*) t_ok "bad --mode names the value and the choices";; *) t_fail "bad --mode named" "$out";; esac

printf '[hall]\nlang = zh\n\n[token]\nmodule = /x.so\nfrobs = 3\n' > "$TEST_TMP/bad1.conf"
out=$("$KIOSK" --config "$TEST_TMP/bad1.conf" --version 2>&1; "$KIOSK" --config "$TEST_TMP/bad1.conf" token list 2>&1); rc=$?
t_eq "unknown key exits 2" 2 $rc
case "$out" in *"bad1.conf:6:"*frobs*) t_ok "unknown key: file, line and key named";; *) t_fail "unknown key named" "$out";; esac

printf '[db]\nbusy_ms = soon\n' > "$TEST_TMP/bad2.conf"
out=$("$KIOSK" --config "$TEST_TMP/bad2.conf" token list 2>&1); rc=$?
t_eq "non-numeric value exits 2" 2 $rc
case "$out" in *"bad2.conf:2:"*busy_ms*soon*) t_ok "bad value: file, line, key and value named";; *) t_fail "bad value named" "$out";; esac

printf '[hall]\nmode = counter\n' > "$TEST_TMP/bad3.conf"
out=$("$KIOSK" --config "$TEST_TMP/bad3.conf" token list 2>&1); rc=$?
t_eq "bad enum exits 2" 2 $rc
case "$out" in *"bad3.conf:2:"*mode*window66*) t_ok "bad enum lists the choices";; *) t_fail "bad enum named" "$out";; esac

printf '[nowhere]\nx = 1\n' > "$TEST_TMP/bad4.conf"
out=$("$KIOSK" --config "$TEST_TMP/bad4.conf" token list 2>&1); rc=$?
t_eq "unknown section exits 2" 2 $rc
case "$out" in *"bad4.conf:1:"*nowhere*) t_ok "unknown section named at its line";; *) t_fail "unknown section named" "$out";; esac

# strict: what the INI reader would pass over or misname is refused at start,
# one line naming the file, the line and the key, exit 2
strict() { # NAME CONTENT(printf) EXPECTED-PATTERN
  printf "$2" > "$TEST_TMP/strict.conf"
  out=$("$KIOSK" --config "$TEST_TMP/strict.conf" token list 2>&1); rc=$?
  t_eq "$1: exit 2" 2 "$rc"
  case "$out" in *"$3"*) t_ok "$1: said, naming what";; *) t_fail "$1: said, naming what" "$out";; esac
  t_eq "$1: one line" 1 "$(printf '%s\n' "$out" | wc -l)"
}
strict "an empty unknown section" '[hall]\nlang = zh\n\n[nonsense]\n' 'strict.conf:4: [nonsense]：没有这个配置节'
strict "a key given twice" '[hall]\nlang = zh\nlang = en\n' 'strict.conf:3: [hall] lang：重复给出（第一次在第 2 行）'
strict "a NUL in a value" '[hall]\nname = a\0b\n' 'strict.conf:2: 含有 NUL 字节'
strict "a 5,000-character value" "[hall]\nname = $(printf 'x%.0s' $(seq 1 5000))\n" 'strict.conf:2: [hall] name：值太长（该行 5007 个字符，最多 198 个）'
strict "a payment URL without {hmac}" '[payment]\nurl_template = https://pay.example/p?o={order}&a={amount}\n' '缺少占位符 {hmac}'
strict "a payment URL without {amount}" '[payment]\nurl_template = https://pay.example/p?o={order}&h={hmac}\n' '缺少占位符 {amount}'
# the same words in English with --lang en (the catalogue's; the file is never read for its language)
printf '[hall]\nlang = zh\nlang = en\n' > "$TEST_TMP/strict.conf"
out=$("$KIOSK" --lang en --config "$TEST_TMP/strict.conf" token list 2>&1)
case "$out" in *"strict.conf:3: [hall] lang: given twice (first on line 2)"*) t_ok "--lang en: a key given twice, in English";; *) t_fail "--lang en: in English" "$out";; esac
printf '[db]\nbusy_ms = soon\n' > "$TEST_TMP/strict.conf"
out=$("$KIOSK" --lang en --config "$TEST_TMP/strict.conf" token list 2>&1)
case "$out" in *'[db] busy_ms = "soon": not a whole number'*) t_ok "--lang en: a bad number, in English";; *) t_fail "--lang en: a bad number" "$out";; esac
out=$("$KIOSK" --config "$TEST_TMP/strict.conf" token list 2>&1)
case "$out" in *'[db] busy_ms = “soon”：不是整数'*) t_ok "a bad number, in Chinese by default";; *) t_fail "a bad number in Chinese" "$out";; esac
printf '[hall]\n; a comment\n# another\nlang = zh\n[payment]\nurl_template = https://pay.example/p?o={order}&a={amount}&h={hmac}\n' > "$TEST_TMP/fine.conf"
t_check "comments are fine" "$KIOSK" --config "$TEST_TMP/fine.conf" --version

out=$("$KIOSK" --config "$TEST_TMP/missing.conf" token list 2>&1); rc=$?
t_eq "missing config exits 2" 2 $rc
case "$out" in *missing.conf*) t_ok "missing config named";; *) t_fail "missing config named" "$out";; esac

# The hall's own configuration is valid and round-trips through the options table.
t_check "hall kiosk.conf loads" "$KIOSK" --config "$KIOSK_HOME/kiosk.conf" --version

# A missing PKCS#11 module is named by path.
sed 's|^module = .*|module = /nonexistent/libpkcs11-missing.so|' "$KIOSK_HOME/kiosk.conf" > "$TEST_TMP/nomod.conf"
out=$("$KIOSK" --config "$TEST_TMP/nomod.conf" token list 2>&1); rc=$?
t_eq "missing module: token list fails with 1" 1 $rc
case "$out" in *"/nonexistent/libpkcs11-missing.so"*) t_ok "missing module: path named";; *) t_fail "missing module: path named" "$out";; esac

# Not a terminal: the screens refuse politely.
out=$("$KIOSK" --mode self </dev/null 2>&1); rc=$?
t_eq "no tty exits 2" 2 $rc

# Operators' commands name what is wrong, in the catalogue's language.
out=$("$KIOSK" print sample --doc nope 2>&1); rc=$?
t_eq "print sample: bad --doc exits 2" 2 $rc
case "$out" in *"--doc"*nope*"form|seal|receipt|checklist"*) t_ok "print sample: bad --doc named with the choices";; *) t_fail "print sample: bad --doc named" "$out";; esac
out=$("$KIOSK" --lang en print sample --doc form --bogus 2>&1); rc=$?
t_eq "print sample: unknown argument exits 2" 2 $rc
case "$out" in *"unknown argument"*--bogus*) t_ok "print sample: unknown argument named (en)";; *) t_fail "print sample: unknown argument named" "$out";; esac
out=$("$KIOSK" print sample --doc form --out /nonexistent/dir/x.pdf 2>&1); rc=$?
t_eq "print sample: unwritable --out exits 1" 1 $rc
case "$out" in *"/nonexistent/dir/x.pdf"*无法写入*) t_ok "print sample: unwritable --out named (zh)";; *) t_fail "print sample: unwritable --out named" "$out";; esac

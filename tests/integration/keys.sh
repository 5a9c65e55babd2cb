#!/usr/bin/env bash
# tests/integration/keys.sh - the key's life as documented: docs/KEYS.md is
# exactly what `kiosk key states` prints from the transition table, so the
# document cannot drift from the code; `kiosk key status` reads the records.
. "$ROOT/tests/lib.sh"
"$KIOSK" key states > "$TEST_TMP/keys.md" 2>&1
t_check "docs/KEYS.md is generated from the table (regenerate: kiosk key states > docs/KEYS.md)" \
  cmp -s "$ROOT/docs/KEYS.md" "$TEST_TMP/keys.md"
t_grep "every state is documented with the words that refuse it" "| \`locked\` |" "$TEST_TMP/keys.md"
t_eq "kiosk key states takes no argument: exit 2" 2 "$("$KIOSK" key states x >/dev/null 2>&1; echo $?)"
t_eq "kiosk key status without a serial: exit 2" 2 "$("$KIOSK" key status >/dev/null 2>&1; echo $?)"
t_eq "kiosk key status of an unknown key: exit 1" 1 "$("$KIOSK" key status 00000000deadbeef >/dev/null 2>&1; echo $?)"
DEMO=$(sqlite3 "$KIOSK_HOME/kiosk.db" "SELECT key_serial FROM certs WHERE uscc='91120116MA05JQ4W3K' LIMIT 1")
t_grep "kiosk key status of the demo key: issued, tries left" "状态 issued（使用中），PIN码错误 0 次，还可尝试 10 次" \
  <("$KIOSK" key status "$DEMO" 2>&1)

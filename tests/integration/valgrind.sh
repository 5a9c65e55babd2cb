#!/usr/bin/env bash
# tests/integration/valgrind.sh - our code under valgrind (memcheck) on the
# optimised build: the unit tests and the main commands against the test
# hall. Errors and definite leaks fail; tests/valgrind.supp may suppress only
# the libraries' own blocks.
. "$ROOT/tests/lib.sh"
cd "$ROOT"
VG="valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 --suppressions=$ROOT/tests/valgrind.supp"

vg() { # NAME COMMAND...
  local name=$1; shift
  local out rc
  out=$($VG "$@" 2>&1 >/dev/null); rc=$?
  if [ $rc -eq 99 ]; then t_fail "valgrind clean: $name" "$(printf '%s' "$out" | head -30)"
  else t_ok "valgrind clean: $name (exit $rc)"; fi
}

for t in build/tests/test_*; do
  [ -x "$t" ] || continue
  vg "$(basename "$t")" "$t"
done
B=$ROOT/build/kiosk
"$B" dev plug demo >/dev/null
vg "kiosk token list" "$B" token list
"$B" dev unplug demo >/dev/null
vg "kiosk --help" "$B" --help
vg "kiosk hall provision (reuse)" "$B" hall provision
vg "kiosk audit verify" "$B" audit verify
vg "kiosk print sample --out" "$B" print sample --doc receipt --out "$TEST_TMP/r.pdf"
vg "kiosk ca crl (sign in the HSM, publish)" "$B" ca crl
vg "kiosk ca crl --out" "$B" ca crl --out "$TEST_TMP/c.crl"
DEMO=$(sqlite3 "$KIOSK_HOME/kiosk.db" "SELECT serial FROM certs WHERE uscc='91120116MA05JQ4W3K' LIMIT 1")
vg "kiosk ca status --out" "$B" ca status "$DEMO" --out "$TEST_TMP/d.der"
vg "kiosk ca revoke (unknown serial: refused)" "$B" ca revoke 0123ABCD --reason keyCompromise --as boss

# the records on a hall's PostgreSQL server (libpq beneath the statement
# layer): the contract, the records and the audit chain on the server, a
# hall's records copied onto it and verified there by a counter
pg_private
for t in test_store_contract test_store_records test_audit; do
  STORE_TEST_PG=$CI vg "$t on PostgreSQL" "build/tests/$t"
done
psql "$CI" -Atqc "SET client_min_messages = warning; DROP SCHEMA public CASCADE; CREATE SCHEMA public"
vg "kiosk db copy --to (PostgreSQL)" "$B" db copy --to "$CI"
sed -e "/^\[db\]/a backend = postgresql\nconninfo = $CI\nwitness = $TEST_TMP/pg.head" -e "/^backend *=/d" \
    -e "/^conninfo *=/d" -e "/^witness *=/d" "$KIOSK_HOME/kiosk.conf" > "$TEST_TMP/pg.conf"
vg "kiosk db check (PostgreSQL)" "$B" --config "$TEST_TMP/pg.conf" db check
vg "kiosk audit verify (PostgreSQL)" "$B" --config "$TEST_TMP/pg.conf" audit verify

#!/usr/bin/env bash
# tests/integration/store_pg.sh - the records' contract (tests/unit/
# test_store_contract.c) on a hall's PostgreSQL server: a private cluster
# started by scripts/pg.sh, as `make hall` starts one; every case runs on an
# empty database. The same program has run the cases on SQLite among the
# unit tests; here it runs them on both, PostgreSQL's cases reported here.
# Then every other unit program that keeps records (tests/unit/testutil.h
# opens them on the server when STORE_TEST_PG is set): the records, the
# audit chain against a tamperer with psql, the engine, sign-in and its
# lockout, the daily report, the print outbox - each case on an emptied
# schema, reported here as PostgreSQL's.
. "$ROOT/tests/lib.sh"
pg_private
out=$TEST_TMP/contract.tap
STORE_TEST_PG=$CI CMOCKA_MESSAGE_OUTPUT=TAP "$ROOT/build/san/tests/test_store_contract" > "$out" 2>&1; rc=$?
# the second run's cases are PostgreSQL's (the first's are counted among the unit tests)
awk '/^1\.\./ { n++ } n >= 2 { sub(/^ok [0-9]+ - /, "&postgresql: "); sub(/^not ok [0-9]+ - /, "&postgresql: "); print }
     n < 2 && /^not ok / { print }' "$out"
t_eq "the contract program: every case passed on both backends (exit 0)" 0 "$rc"
t_eq "...fifteen cases on PostgreSQL" 15 "$(awk '/^1\.\./ { n++ } n >= 2 && /^ok /' "$out" | wc -l)"

for p in test_store_records test_audit test_engine test_session test_store_report test_print; do
  STORE_TEST_PG=$CI CMOCKA_MESSAGE_OUTPUT=TAP "$ROOT/build/san/tests/$p" > "$TEST_TMP/$p.tap" 2>&1; rc=$?
  sed -n -e "s/^ok [0-9]* - /&postgresql: $p: /p" -e "s/^not ok [0-9]* - /&postgresql: $p: /p" "$TEST_TMP/$p.tap"
  t_eq "$p on PostgreSQL: every case passed (exit 0)" 0 "$rc"
done

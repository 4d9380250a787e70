#!/usr/bin/env bash
# The traps of reading people from data: a created_at date is not a
# birthdate, adults' birthdates in an employees table do not make child
# records, and an encrypted birthdate column is not a readable child record.
# Each trap is a small SQLite store built here, scanned with the real rules.
. "$(dirname "$0")/lib.sh"

mk() {  # mk DIR SQL...
  local dir=$1; shift
  mkdir -p "$dir"
  $PYTHON - "$dir/app.sqlite" "$@" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for stmt in sys.argv[2:]:
    db.execute(stmt)
db.commit()
db.close()
PY
}
children() {  # children REPORT -> number of child-record findings
  $PYTHON -c 'import json,sys; print(sum(1 for f in json.load(open(sys.argv[1]))["findings"] if f["category"]=="child-record"))' "$1"
}
scan_json() {
  set +e
  "$PLAINSIGHT" scan --as-of 2026-11-27 --format json -o "$2" "$1" 2>"$TMP/err"
  local rc=$?
  set -e
  [ "$rc" -le 1 ] || fail "scan of $1 exited $rc: $(cat "$TMP/err")"
}

# 1. created_at is not a birthdate: accounts created last month are not newborns.
mk "$TMP/t1" "CREATE TABLE accounts(id INTEGER PRIMARY KEY, username TEXT, email TEXT, created_at TEXT)" \
  "INSERT INTO accounts VALUES (1,'ann','ann@example.com','2026-10-30'),(2,'bob','bob@example.com','2026-11-02')"
scan_json "$TMP/t1" "$TMP/t1.json"
[ "$(children "$TMP/t1.json")" -eq 0 ] && pass "created_at dates are not birthdates" || fail "created_at made child records"

# 2. adults' birthdates in an employees table do not make child records...
mk "$TMP/t2" "CREATE TABLE employees(id INTEGER PRIMARY KEY, name TEXT, birthdate TEXT, role TEXT)" \
  "INSERT INTO employees VALUES (1,'Ann Lee','1980-02-01','support'),(2,'Bob Ray','1995-12-31','dev')"
scan_json "$TMP/t2" "$TMP/t2.json"
[ "$(children "$TMP/t2.json")" -eq 0 ] && pass "adults in employees are not children" || fail "adults made child records"
# ...while a minor's birthdate makes a child record whatever the table is called.
mk "$TMP/t2b" "CREATE TABLE players(id INTEGER PRIMARY KEY, name TEXT, birthdate TEXT)" \
  "INSERT INTO players VALUES (1,'Sam','2016-06-30')"
scan_json "$TMP/t2b" "$TMP/t2b.json"
[ "$(children "$TMP/t2b.json")" -eq 1 ] && pass "a minor's birthdate makes a child record" || fail "minor not found"

# 3. an encrypted birthdate column is not a readable child record.
mk "$TMP/t3" "CREATE TABLE kids(id INTEGER PRIMARY KEY, name TEXT, birthdate TEXT)" \
  "INSERT INTO kids VALUES (1,'psf1:3q2-7wX9aLmQ0pR8sT1uV4yZ6bC2dE5fG7hJ9kL0mN3oP','psf1:q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWx')"
scan_json "$TMP/t3" "$TMP/t3.json"
[ "$(children "$TMP/t3.json")" -eq 0 ] && pass "encrypted birthdate: no child record" || fail "encrypted birthdate made a child record"
# the same table with a readable birthdate and name is one (control).
mk "$TMP/t3b" "CREATE TABLE kids(id INTEGER PRIMARY KEY, name TEXT, birthdate TEXT)" \
  "INSERT INTO kids VALUES (1,'Emma','2016-03-14')"
scan_json "$TMP/t3b" "$TMP/t3b.json"
[ "$(children "$TMP/t3b.json")" -eq 1 ] && pass "readable child record found (control)" || fail "control child record missing"

# Production data in a staging path: severity raised, and the report says why.
mkdir -p "$TMP/t4/staging"
printf 'id,email\n1,ann@example.com\n' > "$TMP/t4/staging/users.csv"
printf 'id,email\n1,ann@example.com\n' > "$TMP/t4/users.csv"
scan_json "$TMP/t4" "$TMP/t4.json"
$PYTHON - "$TMP/t4.json" <<'PY' && pass "staging path raises severity with a reason" || fail "no escalation in staging"
import json, sys
r = json.load(open(sys.argv[1]))
f = {x["path"]: x for x in r["findings"] if x["rule_id"] == "vtech.pii.email"}
assert f["users.csv"]["severity"] == "medium", f
assert f["staging/users.csv"]["severity"] == "high", f
assert "test environment" in f["staging/users.csv"]["escalated"]["reason"], f
PY
finish

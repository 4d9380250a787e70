#!/usr/bin/env bash
# The command line: help, version, usage errors and their exit codes.
. "$(dirname "$0")/lib.sh"

run_ps 0 --help && grep -q 'usage: plainsight' "$TMP/out" && pass "--help" || fail "--help text"
run_ps 0 --version && grep -q '^plainsight [0-9]' "$TMP/out" && grep -q '^libsodium ' "$TMP/out" \
  && grep -q '^libyaml ' "$TMP/out" && grep -q '^hyperscan ' "$TMP/out" && pass "--version" || fail "--version"
run_ps 0 scan --help && grep -q -- '--fail-on' "$TMP/out" && pass "scan --help" || fail "scan --help"
run_ps 0 rules --help && grep -q 'rules explain' "$TMP/out" && pass "rules --help" || fail "rules --help"
run_ps 2 && pass "no command is a usage error" || true
run_ps 2 frobnicate && grep -q "unknown command 'frobnicate'" "$TMP/err" && pass "unknown command" || fail "unknown command message"
run_ps 2 scan && grep -q 'at least one PATH' "$TMP/err" && pass "scan without PATH" || fail "scan without PATH"
run_ps 2 scan "$TMP/does-not-exist" && grep -q 'does-not-exist: No such file' "$TMP/err" && pass "missing root" || fail "missing root message"
run_ps 2 scan --fail-on severe "$FIXTURES" && grep -q "unknown severity 'severe'" "$TMP/err" && pass "bad --fail-on" || fail "bad --fail-on"
run_ps 2 scan --format yaml "$FIXTURES" && grep -q "unknown format 'yaml'" "$TMP/err" && pass "bad --format" || fail "bad --format"
run_ps 2 scan --as-of 2015-02-29 "$FIXTURES" && grep -q "not a date" "$TMP/err" && pass "bad --as-of" || fail "bad --as-of"
run_ps 2 scan -j 0 "$FIXTURES" && pass "bad -j" || true
run_ps 2 scan --rules "$TMP/nope.yml" "$FIXTURES" && grep -q 'nope.yml' "$TMP/err" && pass "missing rules file" || fail "missing rules file"

# -o - is standard output, not a file named "-" (which a report of values would leak into).
( cd "$TMP" && rm -f ./- && run_ps 0 scan --format json --fail-on none -o - "$FIXTURES/export/kids.csv" ) &&
  [ ! -e "$TMP/-" ] && python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$TMP/out" &&
  pass "-o - writes the report to stdout" || fail "-o - did not write the report to stdout"

# rules list: one line per rule in the pack, then a count.
run_ps 0 rules list --rules "$RULES"
n_yaml=$(sed -n '/^rules:/,$p' "$RULES/vtech.yml" | grep -c '^  - id: ')
grep -q "^$n_yaml rules$" "$TMP/out" && pass "rules list counts $n_yaml rules" || fail "rules list count (want $n_yaml): $(tail -1 "$TMP/out")"
grep -q '^vtech.password.plaintext .*critical .*plaintext-password' "$TMP/out" && pass "rules list row" || fail "rules list row"

# rules explain: title, why, fix (naming the libsodium primitive), references.
run_ps 0 rules explain vtech.password.unsalted-hash --rules "$RULES"
for want in 'Why it matters:' 'How to fix it:' 'crypto_pwhash_str' 'References:' 'OWASP ASVS 4.0.3 V2.4.1'; do
  grep -q -- "$want" "$TMP/out" && pass "explain shows '$want'" || fail "explain lacks '$want'"
done
run_ps 2 rules explain no.such.rule --rules "$RULES" && grep -q "no rule with id 'no.such.rule'" "$TMP/err" \
  && pass "explain unknown id" || fail "explain unknown id"
finish

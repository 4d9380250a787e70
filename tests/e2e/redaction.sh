#!/usr/bin/env bash
# Never leak what you find: no email, name, password, answer, address, card
# number or message body from the fixtures appears in the text or JSON report
# unless --show-values is given.  The check is shown to bite: with
# --show-values the same search must find values.
. "$(dirname "$0")/lib.sh"

tree="$TMP/tree"
fixture_copy "$tree"

# Every sensitive value in the fixtures, one per line (tests/e2e/fixture-values.py).
fixture_values "$tree" > "$TMP/values"
nvals=$(wc -l < "$TMP/values")
[ "$nvals" -gt 1000 ] && pass "collected $nvals fixture values" || fail "only $nvals fixture values collected"

for fmt in text json; do
  set +e
  "$PLAINSIGHT" scan --format "$fmt" -o "$TMP/report.$fmt" "$tree" 2>"$TMP/err.$fmt"
  set -e
  n=$(leaks "$TMP/report.$fmt")
  if [ "$n" -eq 0 ]; then
    pass "$fmt report has no fixture value"
  else
    fail "$fmt report leaks $n values, e.g.: $(grep -F -o -f "$TMP/values" "$TMP/report.$fmt" | head -3 | tr '\n' '|')"
  fi
  n=$(leaks "$TMP/err.$fmt")
  [ "$n" -eq 0 ] && pass "$fmt stderr has no fixture value" || fail "$fmt stderr leaks $n values"
done

# With --show-values the values are there: the search above can see them.
set +e
"$PLAINSIGHT" scan --format json --show-values -o "$TMP/shown.json" "$tree" 2>/dev/null
set -e
n=$(leaks "$TMP/shown.json")
[ "$n" -gt 10 ] && pass "--show-values shows values ($n found)" || fail "--show-values showed only $n values"
grep -q '"value": ' "$TMP/shown.json" && pass "--show-values adds \"value\"" || fail "no \"value\" member with --show-values"
grep -q '"value": ' "$TMP/report.json" && fail "\"value\" member present without --show-values" || pass "no \"value\" member by default"
finish

#!/usr/bin/env bash
# `plainsight rules test`: the shipped packs pass their own examples, every
# rule has both kinds of example, and a wrong example is caught.
. "$(dirname "$0")/lib.sh"

run_ps 0 rules test "$RULES" && grep -Eq '^[1-9][0-9]* passed, 0 failed$' "$TMP/out" \
  && pass "rules/ examples: $(tail -1 "$TMP/out")" || fail "rules test rules/: $(cat "$TMP/out")"

# Every rule of vtech.yml has at least one match and one no-match example.
$PYTHON - "$RULES/vtech.yml" <<'PY' && pass "every vtech rule has match and no-match examples" || fail "examples missing"
import re, sys
text = open(sys.argv[1]).read().split("\nrules:\n", 1)[1]
blocks = re.split(r'\n  - id: ', "\n" + text)[1:]
bad = [b.split()[0] for b in blocks
       if not re.search(r'\n      match:\n        - ', b) or not re.search(r'\n      no-match:\n        - ', b)]
assert not bad, bad
PY

# A rule whose example is wrong fails the test run with its location.
cat > "$TMP/wrong.yml" <<'YML'
rules:
  - id: t.wrong
    title: t
    category: plaintext-pii
    severity: low
    explain: x
    fix: y
    when:
      value: 'abc'
    examples:
      match:
        - { value: "xyz" }
      no-match:
        - { value: "def" }
YML
run_ps 1 rules test "$TMP/wrong.yml" && grep -q "wrong.yml:12:11: rule t.wrong: example expected to match but did not" "$TMP/out" \
  && grep -q '^1 passed, 1 failed$' "$TMP/out" && pass "a wrong example fails with its location" || fail "wrong example: $(cat "$TMP/out")"
finish

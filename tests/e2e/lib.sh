# lib.sh - shared helpers for the end-to-end tests (sourced, not run).
# The tests run under automake's test driver: exit 0 pass, 1 fail, 77 skip.
set -euo pipefail

: "${PLAINSIGHT:?PLAINSIGHT must point at the built binary (make check sets it)}"
: "${top_srcdir:?top_srcdir must be set (make check sets it)}"
FIXTURES="$top_srcdir/fixtures/vtech"
RULES="$top_srcdir/rules"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/plainsight-e2e.XXXXXX")
trap 'chmod -R u+w "$TMP" 2>/dev/null; rm -rf "$TMP"' EXIT

# skip_if_slow: the argon2id-heavy scripts (thousands of password hashes)
# run in the normal build; CI's sanitizer run sets PS_SKIP_SLOW to keep
# within its time budget (their C code is still run by the unit tests).
skip_if_slow() {
  if [ -n "${PS_SKIP_SLOW:-}" ]; then
    echo "SKIP: argon2id-heavy test skipped (PS_SKIP_SLOW is set)"
    exit 77
  fi
}

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
finish() {
  if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
  fi
  exit 0
}

# run_ps EXPECTED_EXIT ARGS... : run plainsight, capture stdout/stderr, check the exit code.
run_ps() {
  local want=$1; shift
  set +e
  "$PLAINSIGHT" "$@" >"$TMP/out" 2>"$TMP/err"
  RC=$?
  set -e
  if [ "$RC" -ne "$want" ]; then
    fail "plainsight $* exited $RC, expected $want; stderr: $(head -c 400 "$TMP/err")"
    return 1
  fi
  return 0
}

# A copy of the fixtures with fixed modes: git keeps no modes but the run
# bit, so every test that depends on them sets them itself.
fixture_copy() {
  local dst=$1
  mkdir -p "$dst"
  cp -R "$FIXTURES/." "$dst/"
  find "$dst" -type d -exec chmod 0750 {} +
  find "$dst" -type f -exec chmod 0640 {} +
}

PYTHON=${PYTHON:-python3}

# fixture_values TREE: every sensitive value of a fixture tree, one per line.
fixture_values() {
  "$PYTHON" "$top_srcdir/tests/e2e/fixture-values.py" "$1" "$RULES"
}

# leaks FILE: how many of the values in $TMP/values appear in FILE.
leaks() {
  { grep -F -o -f "$TMP/values" "$1" || true; } | wc -l
}

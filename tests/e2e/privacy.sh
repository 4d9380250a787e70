#!/usr/bin/env bash
# Never leak, as a property: no raw value planted in any input appears in
# any output of any format (text, json, ndjson, sarif, html), nor on stderr
# (diagnostics name places, never data), nor in the progress line drawn on
# a terminal.  Inputs: the VTech fixtures (their values from
# fixture-values.py) and every bad-input case that builds quickly (their
# planted values from tests/bad-inputs/*/values and what make.sh lists).
# The check is shown to bite: with --show-values the values are found.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/bad-inputs/lib.sh"

FORMATS="text json ndjson sarif html"

# leaks_in VALUES FILE: how many occurrences of the values in FILE.
leaks_in() {
  { grep -a -F -o -f "$1" "$2" || true; } | wc -l
}

# scan_all NAME VALUES ARGS...: scan in every format, check every output
# and every stderr against VALUES.
scan_all() {
  local name=$1 values=$2; shift 2
  local fmt out n bad=0
  for fmt in $FORMATS; do
    out="$TMP/out/$name.$fmt"
    set +e
    timeout -k 5 120 "$PLAINSIGHT" scan --format "$fmt" -o "$out" "$@" 2> "$out.err" > "$out.stdout"
    set -e
    for f in "$out" "$out.err" "$out.stdout"; do
      [ -f "$f" ] || continue
      n=$(leaks_in "$values" "$f")
      if [ "$n" -ne 0 ]; then
        fail "$name: $(basename "$f") leaks $n value(s), e.g. $(grep -a -F -o -f "$values" "$f" | head -n 2 | tr '\n' '|')"
        bad=1
      fi
    done
  done
  return $bad
}

mkdir -p "$TMP/out"

# 1. The fixtures, in every format.
tree="$TMP/fixtures"
fixture_copy "$tree"
fixture_values "$tree" > "$TMP/fixture-values"
nvals=$(wc -l < "$TMP/fixture-values")
[ "$nvals" -gt 1000 ] && pass "collected $nvals fixture values" || fail "only $nvals fixture values"
scan_all fixtures "$TMP/fixture-values" "$tree" && pass "fixtures: no value in $FORMATS or stderr"

# 2. Every quick bad-input case, in every format.  Cases that need no
# arguments of their own are scanned together, one root each, so that the
# suite costs five scans rather than five per case; the others (their own
# rules, limits, targets, or a config in their root) are scanned alone with
# their arguments.  Racy cases are scanned as static trees (their helpers
# are not started here).
ncases=0
roots=()
: > "$TMP/case-values"
for c in "$BAD_INPUTS"/[0-9]*/; do
  c=${c%/}
  name=$(basename "$c")
  if expect_has "$c" slow; then
    continue
  fi
  work="$TMP/cases/$name"
  mkdir -p "$work"
  set +e
  why=$(case_prepare "$c" "$work")
  prc=$?
  set -e
  if [ "$prc" -ne 0 ]; then
    [ "$prc" -eq 77 ] || fail "$name: $why"
    continue
  fi
  case_values "$c" "$work" | awk 'length($0) >= 4' | sort -u > "$work/values.all"
  cat "$work/values.all" >> "$TMP/case-values"
  ncases=$((ncases + 1))
  if expect_has "$c" args || expect_has "$c" target || [ -e "$work/tree/.plainsight.yml" ] ||
     [ -e "$work/tree/.plainsightignore" ]; then
    # shellcheck disable=SC2046  # `args` is a list of words: split it
    mapfile -t args < <(case_subst "$c" "$work" $(expect_arg "$c" args))
    target=$(expect_arg "$c" target)
    target=${target:+$(case_subst "$c" "$work" "$target")}
    [ -s "$work/values.all" ] || cp "$TMP/fixture-values" "$work/values.all"
    scan_all "$name" "$work/values.all" "${args[@]}" "${target:-$work/tree}" \
      && pass "$name: no planted value in any format or stderr"
  else
    roots+=("$work/tree")
  fi
done
sort -u -o "$TMP/case-values" "$TMP/case-values"
nplanted=$(wc -l < "$TMP/case-values")
scan_all bad-inputs "$TMP/case-values" "${roots[@]}" \
  && pass "${#roots[@]} bad-input trees in one scan: none of $nplanted planted values in any format or stderr"
[ "$ncases" -ge 40 ] && pass "$ncases quick bad-input cases checked" \
  || fail "only $ncases bad-input cases checked"

# 3. The progress line, on a terminal (script(1) gives stderr a tty).  The
# line is drawn only once a scan has run for a second, so the scan must be
# long enough: a 60 MB log to start with, doubled (up to 480 MB) while the
# machine reads it too fast for the line to appear.
if command -v script > /dev/null 2>&1; then
  ptree="$TMP/progress"
  fixture_copy "$ptree"
  "$PYTHON" - "$ptree/logs/heartbeat.log" <<'PY'
import sys
line = b"2015-11-14T10:22:01Z INFO heartbeat ok seq=000000 node=web-1 status=fine\n"
with open(sys.argv[1], "wb") as f:
    for _ in range(8):
        f.write(line * 100000)
PY
  for attempt in 1 2 3 4; do
    set +e
    TERM=dumb script -qfec "$PLAINSIGHT scan -j1 --format json -o $TMP/out/progress.json $ptree" \
      "$TMP/out/progress.tty" > /dev/null 2>&1
    set -e
    grep -a -q 'plainsight: [0-9]*/[0-9]* files' "$TMP/out/progress.tty" && break
    [ "$attempt" -lt 4 ] || break
    cat "$ptree/logs/heartbeat.log" "$ptree/logs/heartbeat.log" > "$TMP/heartbeat.log"
    mv "$TMP/heartbeat.log" "$ptree/logs/heartbeat.log"
  done
  if grep -a -q 'plainsight: [0-9]*/[0-9]* files' "$TMP/out/progress.tty"; then
    pass "the progress line was drawn on the terminal"
  else
    fail "no progress line on the terminal: $(head -c 300 "$TMP/out/progress.tty")"
  fi
  n=$(leaks_in "$TMP/fixture-values" "$TMP/out/progress.tty")
  [ "$n" -eq 0 ] && pass "terminal output (progress line, stderr) has no value" \
    || fail "terminal output leaks $n value(s)"
else
  echo "skip: script(1) (util-linux) is missing: the progress line is not checked"
fi

# 4. The check bites: with --show-values the same search finds values.
set +e
"$PLAINSIGHT" scan --format json --show-values -o "$TMP/out/shown.json" "$tree" 2> /dev/null
set -e
n=$(leaks_in "$TMP/fixture-values" "$TMP/out/shown.json")
[ "$n" -gt 10 ] && pass "--show-values: $n fixture values found in json" \
  || fail "--show-values showed only $n fixture values: the search may be blind"
c="$BAD_INPUTS/50-max-record-small"
work="$TMP/cases/$(basename "$c")"
set +e
"$PLAINSIGHT" scan --format json --show-values -o "$TMP/out/shown-case.json" "$work/tree" 2> /dev/null
set -e
n=$(leaks_in "$work/values.all" "$TMP/out/shown-case.json")
[ "$n" -gt 0 ] && pass "--show-values: $n planted values found in a bad-input report" \
  || fail "--show-values showed no planted value: the search may be blind"
finish

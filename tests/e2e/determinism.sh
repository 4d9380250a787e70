#!/usr/bin/env bash
# No output depends on the thread count or on timing: one fixture copy is
# scanned 20 times, interleaving -j1, -j2 and -j8 (7 + 7 + 6 runs), and
# every JSON report and every SARIF log must be byte-identical to the
# first.  Nothing is filtered out before comparing: a member that varies
# (a timestamp, an order) is a bug to fix, not noise to hide.
. "$(dirname "$0")/lib.sh"

tree="$TMP/tree"
fixture_copy "$tree"
cd "$TMP"  # the root is named as given: keep it the same for every run

runs=0
for i in $(seq 0 19); do
  j=$(( i % 3 )); j=$(( j == 0 ? 1 : (j == 1 ? 2 : 8) ))
  for fmt in json sarif; do
    set +e
    "$PLAINSIGHT" scan -j "$j" --as-of 2026-01-15 --format "$fmt" -o "$TMP/run$i.$fmt" tree 2>"$TMP/err$i.$fmt"
    rc=$?
    set -e
    if [ "$rc" -ne 1 ]; then
      fail "run $i (-j$j, $fmt) exited $rc, expected 1: $(head -c 300 "$TMP/err$i.$fmt")"
    fi
  done
  runs=$((runs + 1))
done
[ "$runs" -eq 20 ] && pass "20 runs: $(seq 0 19 | awk '{n[$1%3]++} END {printf "%d x -j1, %d x -j2, %d x -j8", n[0], n[1], n[2]}')" \
  || fail "only $runs runs"

# Not trivially equal: the reports hold findings and the two formats differ.
n=$("$PYTHON" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$TMP/run0.json")
[ "$n" -gt 20 ] && pass "the report has $n findings" || fail "only $n findings in run 0"

for fmt in json sarif; do
  same=0
  for i in $(seq 1 19); do
    if cmp -s "$TMP/run0.$fmt" "$TMP/run$i.$fmt"; then
      same=$((same + 1))
    else
      # Name the first member that differs, for the bug report.
      where=$("$PYTHON" - "$TMP/run0.$fmt" "$TMP/run$i.$fmt" <<'PY'
import json, sys
def first_diff(a, b, path="$"):
    if type(a) is not type(b):
        return path
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return "%s.%s" % (path, k)
            d = first_diff(a[k], b[k], "%s.%s" % (path, k))
            if d:
                return d
        if list(a) != list(b):
            return path + " (member order)"
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s (length %d vs %d)" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return None if a == b else path
a, b = (json.load(open(p)) for p in sys.argv[1:3])
print(first_diff(a, b) or "formatting only")
PY
)
      fail "$fmt run $i (-j$(( i % 3 == 0 ? 1 : (i % 3 == 1 ? 2 : 8) ))) differs from run 0 (-j1) at $where"
    fi
  done
  [ "$same" -eq 19 ] && pass "$fmt: 20 runs byte-identical"
done
finish

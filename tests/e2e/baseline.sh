#!/usr/bin/env bash
# Baselines: record today's findings with --write-baseline, then --baseline
# reports only what is new.  Old findings survive line shifts, reordered
# lines and a move to another tree; a new file is reported; the baseline
# file names no path and no rule; a bad baseline is a usage error.
. "$(dirname "$0")/lib.sh"

tree="$TMP/tree"
fixture_copy "$tree"
B="$TMP/baseline.json"

# count_findings REPORT [RULE PATH]: the number of findings in a JSON report,
# or with RULE and PATH, check that those are the only findings.
count_findings() {
  "$PYTHON" - "$@" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
fs = r["findings"]
if len(sys.argv) > 2:
    got = [(f["rule_id"], f["path"]) for f in fs]
    want = [(sys.argv[2], sys.argv[3])]
    if got != want:
        sys.exit("findings %r, want %r" % (got, want))
    if r["summary"]["findings"] != 1:
        sys.exit("summary counts %r findings" % r["summary"]["findings"])
print(len(fs))
PY
}

# 1. Record: the report is written as usual, and the baseline beside it.
run_ps 1 scan --write-baseline "$B" --format json -o "$TMP/r1.json" "$tree" \
  && pass "scan --write-baseline exits 1 (findings)" || true
n1=$(count_findings "$TMP/r1.json")
[ "$n1" -gt 10 ] && pass "the report still lists $n1 findings" || fail "report has $n1 findings"
[ -f "$B" ] && pass "baseline written" || fail "no baseline at $B"
[ "$(stat -c %a "$B")" = 644 ] && pass "baseline mode 0644" || fail "baseline mode $(stat -c %a "$B")"
"$PYTHON" - "$B" "$n1" <<'PY' && pass "baseline: version 1, a 64-hex key, one sorted fingerprint per finding" \
  || fail "baseline layout"
import json, re, sys
b = json.load(open(sys.argv[1]))
assert list(b) == ["plainsight_baseline", "tool_version", "created_with", "key", "fingerprints"], list(b)
assert b["plainsight_baseline"] == 1 and b["created_with"]["rules"] > 0
assert re.fullmatch(r"[0-9a-f]{64}", b["key"])
fps = b["fingerprints"]
assert all(re.fullmatch(r"[0-9a-f]{32}", f) for f in fps)
assert fps == sorted(set(fps)), "not sorted and unique"
assert len(fps) == int(sys.argv[2]), (len(fps), sys.argv[2])
PY
ls "$TMP" | grep -q '\.tmp-' && fail "a temporary file was left beside the baseline" || pass "no temporary file left"

# 2. The baseline names nothing: no fixture path or name, no rule id.
"$PYTHON" - "$TMP/r1.json" >"$TMP/names" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
names = set()
for f in r["findings"]:
    names.add(f["rule_id"])
    names.add(f["path"])
    names.update(p for p in f["path"].split("/") if len(p) >= 4)
    for k in ("inner", "table", "column", "pointer"):
        v = f.get("location", {}).get(k)
        if isinstance(v, str) and len(v) >= 4:
            names.add(v)
# A name of hex digits only ("added") could turn up inside a fingerprint by chance.
print("\n".join(sorted(n for n in names if re.search(r"[^0-9a-f]", n))))
PY
grep -q 'vtech\.' "$TMP/names" && grep -q 'kidconnect' "$TMP/names" || fail "no names gathered from the report"
for word in vtech kidconnect learninglodge app.log emma smith parents password; do
  grep -qiF -- "$word" "$B" && fail "baseline shows '$word'" || true
done
leaked=$({ grep -F -o -f "$TMP/names" "$B" || true; } | wc -l)
[ "$leaked" -eq 0 ] && pass "no path, name or rule id in the baseline" || fail "$leaked names in the baseline"

# 3. The same tree against its baseline: nothing to report.
run_ps 0 scan --baseline "$B" --format json --fail-on info "$tree" \
  && pass "scan --baseline exits 0 on an unchanged tree" || true
[ "$(count_findings "$TMP/out")" = 0 ] && pass "no finding reported" || fail "findings reported: $(count_findings "$TMP/out")"

# 4. A new exposed file is exactly one new finding.
printf 'id,email\n1,new.parent@example.org\n' >"$tree/export/new-signups.csv"
chmod 0640 "$tree/export/new-signups.csv"
run_ps 1 scan --baseline "$B" --format json --fail-on medium -o "$TMP/r2.json" "$tree" \
  && pass "a new finding at medium exits 1 with --fail-on medium" || true
count_findings "$TMP/r2.json" vtech.pii.email export/new-signups.csv >/dev/null \
  && pass "exactly one new finding: vtech.pii.email in export/new-signups.csv" || fail "new file findings"
rm "$tree/export/new-signups.csv"

# 5. Shifted and reordered lines keep their findings.
{ for i in 1 2 3 4 5; do echo "INFO heartbeat $i"; done; cat "$tree/logs/app.log"; } >"$TMP/app.log"
cat "$TMP/app.log" >"$tree/logs/app.log"
chat="$tree/kidconnect/chat-2015-10.jsonl"
awk '{ l[NR] = $0 } END { for (i = NR; i >= 1; i--) print l[i] }' "$chat" >"$TMP/chat.jsonl"
cat "$TMP/chat.jsonl" >"$chat"
run_ps 0 scan --baseline "$B" --format json --fail-on info "$tree" \
  && pass "shifted log and reordered chat: exit 0" || true
[ "$(count_findings "$TMP/out")" = 0 ] && pass "shifted and reordered lines are not new findings" \
  || fail "findings after shifting lines: $(count_findings "$TMP/out")"
# Check that the edit moved lines at all: the first finding in app.log is further down now.
run_ps 1 scan --format json -o "$TMP/r3.json" "$tree" || true
"$PYTHON" - "$TMP/r1.json" "$TMP/r3.json" <<'PY' && pass "the log's findings did move" || fail "the log's findings did not move"
import json, sys
def lines(p):
    return sorted(f["location"].get("line", 0) for f in json.load(open(p))["findings"] if f["path"] == "logs/app.log")
a, b = lines(sys.argv[1]), lines(sys.argv[2])
assert a and len(a) == len(b) and all(y == x + 5 for x, y in zip(a, b)), (a, b)
PY

# 6. Another copy of the tree, elsewhere: matched by relative place, not by root.
other="$TMP/elsewhere/copy"
fixture_copy "$other"
run_ps 0 scan --baseline "$B" --format json --fail-on info "$other" \
  && pass "a baseline applies to another copy of the tree" || true
[ "$(count_findings "$TMP/out")" = 0 ] && pass "no finding in the copy" || fail "findings in the copy"

# 7. A baseline that is missing or not a baseline is a usage error, before any scan.
run_ps 2 scan --baseline "$TMP/missing.json" "$tree" \
  && grep -q 'missing.json: No such file or directory' "$TMP/err" \
  && pass "--baseline missing.json: exit 2 with a message" || fail "missing baseline message: $(head -c 300 "$TMP/err")"
printf '{"plainsight_baseline": 1}\n' >"$TMP/partial.json"
run_ps 2 scan --baseline "$TMP/partial.json" "$tree" \
  && grep -q "partial.json: not a plainsight baseline: missing member 'tool_version'" "$TMP/err" \
  && pass "a partial baseline is refused by name" || fail "partial baseline message: $(head -c 300 "$TMP/err")"
run_ps 2 scan --baseline "$TMP/r1.json" "$tree" \
  && grep -q 'r1.json: not a plainsight baseline: ' "$TMP/err" \
  && pass "a report is not a baseline" || fail "report as baseline: $(head -c 300 "$TMP/err")"

# 8. A baseline that cannot be written is a usage error, and the report's exit code does not hide it.
run_ps 2 scan --write-baseline "$TMP/no-such-dir/b.json" --format json -o "$TMP/r4.json" "$tree" \
  && grep -q 'no-such-dir/b.json: No such file or directory' "$TMP/err" \
  && pass "unwritable baseline: exit 2 with a message" || fail "unwritable baseline: $(head -c 300 "$TMP/err")"
finish

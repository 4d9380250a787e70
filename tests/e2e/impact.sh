#!/usr/bin/env bash
# The impact table: for every people store in fixtures/vtech (the SQLite
# database, the CSV folder, the SQL dumps, ...) the exposed parents and
# children per country equal what the fixture generator says it wrote
# (fixtures/vtech/EXPECTED.json), country by country.  The text report shows
# the table sorted like the breach table.
. "$(dirname "$0")/lib.sh"

tree="$TMP/vtech"
fixture_copy "$tree"
run_ps 1 scan --format json -o "$TMP/r.json" "$tree" || true
$PYTHON - "$TMP/r.json" "$tree/EXPECTED.json" <<'PY' && pass "impact equals EXPECTED.json for every store" || fail "impact differs from EXPECTED.json"
import json, sys
got = {s["path"]: s for s in json.load(open(sys.argv[1]))["impact"]}
want = {s["path"]: s for s in json.load(open(sys.argv[2]))["stores"]}
ok = True
for path, w in sorted(want.items()):
    g = got.get(path)
    if g is None:
        print("missing store", path); ok = False; continue
    gc = {r["country"]: (r["parents"], r["children"]) for r in g["by_country"]}
    wc = {r["country"]: (r["parents"], r["children"]) for r in w["by_country"]}
    if gc != wc:
        print("store", path)
        for c in sorted(set(gc) | set(wc)):
            if gc.get(c) != wc.get(c):
                print("  %-14s got %s want %s" % (c, gc.get(c), wc.get(c)))
        ok = False
    if (g["totals"]["parents"], g["totals"]["children"]) != (w["totals"]["parents"], w["totals"]["children"]):
        print("store", path, "totals", g["totals"], "want", w["totals"]); ok = False
    # sorted like the breach table: by total, largest first
    tot = [r["parents"] + r["children"] for r in g["by_country"]]
    if tot != sorted(tot, reverse=True):
        print("store", path, "not sorted by total"); ok = False
extra = sorted(set(got) - set(want))
if extra:
    print("stores not in EXPECTED.json:", extra); ok = False
sys.exit(0 if ok else 1)
PY

# The text report prints the table, largest country first.
run_ps 1 scan "$tree" || true
grep -q 'Impact' "$TMP/out" && pass "text report has the impact section" || fail "no impact section in the text report"
grep -A4 '  db/learninglodge.sqlite' "$TMP/out" | grep -Eq '^ +US +2,213 +2,894 ' \
  && pass "text impact row for US" || fail "text impact row for US: $(grep -A4 '  db/learninglodge.sqlite' "$TMP/out" | head -5)"

# Child records: critical under 13, high for teens, counted per table.
$PYTHON - "$TMP/r.json" <<'PY' && pass "child-record findings per store" || fail "child-record findings"
import json, sys
r = json.load(open(sys.argv[1]))
cr = [f for f in r["findings"] if f["category"] == "child-record"]
paths = {f["path"] for f in cr}
for p in ("db/learninglodge.sqlite", "backup/learninglodge.sql", "export/kids.csv"):
    assert p in paths, (p, sorted(paths))
sev = {(f["path"], f["severity"]) for f in cr}
assert ("db/learninglodge.sqlite", "critical") in sev and ("db/learninglodge.sqlite", "high") in sev, sev
# every kid of the store is a child record of one kind or the other
n = sum(f["count"] for f in cr if f["path"] == "db/learninglodge.sqlite")
exp = json.load(open(sys.argv[1].replace("r.json", "vtech/EXPECTED.json")))
want = [s for s in exp["stores"] if s["path"] == "db/learninglodge.sqlite"][0]["totals"]["children"]
assert n == want, (n, want)
PY

# Retention: a year of chat logs, kept longer than 30 days, with the oldest date.
$PYTHON - "$TMP/r.json" <<'PY' && pass "retention-exceeded with the oldest date" || fail "retention-exceeded"
import json, sys
r = json.load(open(sys.argv[1]))
ret = [f for f in r["findings"] if f["category"] == "retention-exceeded"]
assert any(f["path"] == "kidconnect/chat-2015-10.jsonl" for f in ret), ret
f = [f for f in ret if f["path"] == "kidconnect/chat-2015-10.jsonl"][0]
assert f["count"] > 100 and f["oldest"].startswith("2015-10-"), f
PY

# --as-of moves the reference date: in early October 2015 nothing was 30 days old yet.
run_ps 1 scan --as-of 2015-10-05 --format json -o "$TMP/early.json" "$tree" || true
$PYTHON - "$TMP/early.json" <<'PY' && pass "--as-of changes retention" || fail "--as-of did not change retention"
import json, sys
r = json.load(open(sys.argv[1]))
ret = [f for f in r["findings"] if f["category"] == "retention-exceeded" and "chat-2015-11" in f["path"]]
assert not ret, ret
PY
finish

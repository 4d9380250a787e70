#!/usr/bin/env bash
# SARIF that GitHub code scanning accepts: the report of the VTech fixtures
# validates against the official SARIF 2.1.0 schema (and a broken copy is
# shown not to), lists exactly the rules that fired, points every result at
# a relative URI under %SRCROOT%, and keeps its fingerprints across runs and
# when lines are added at the top of a log (fingerprints never hash lines).
. "$(dirname "$0")/lib.sh"

schema="${PS_SHARED_DIR:-$top_srcdir/../shared}/schemas/sarif-schema-2.1.0.json"
if [ ! -f "$schema" ]; then
  echo "SKIP: ../shared/schemas/sarif-schema-2.1.0.json not found (not a plainsight CI checkout)"
  exit 77
fi
# Debian's python3-jsonschema (quickstart installs it), not whatever python3 is first in PATH.
PYJS=/usr/bin/python3
if ! "$PYJS" -c 'import jsonschema' 2>/dev/null; then
  fail "$PYJS cannot import jsonschema (apt-get install python3-jsonschema)"
  finish
fi

tree="$TMP/vtech"
fixture_copy "$tree"

run_ps 1 scan --format sarif -o "$TMP/a.sarif" "$tree" && pass "scan --format sarif exits 1 (findings)" || true
run_ps 1 scan --format sarif -j 2 -o "$TMP/b.sarif" "$tree" || true
run_ps 1 scan --format json -o "$TMP/a.json" "$tree" || true

# validate FILE: print every schema error with its path; exit 1 when there is one.
validate() {
  "$PYJS" - "$schema" "$1" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
log = json.load(open(sys.argv[2]))
errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(log), key=lambda e: list(e.absolute_path))
for e in errors:
    print("schema error at /%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message))
sys.exit(1 if errors else 0)
PY
}

validate "$TMP/a.sarif" && pass "SARIF validates against the 2.1.0 schema (Draft 4)" || fail "SARIF does not validate"

# The validator bites: one result with an impossible level must be rejected.
"$PYJS" - "$TMP/a.sarif" "$TMP/bad.sarif" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
log["runs"][0]["results"][0]["level"] = "severe"
json.dump(log, open(sys.argv[2], "w"), indent=2)
PY
if validate "$TMP/bad.sarif" >"$TMP/bad.out"; then
  fail "a result with level \"severe\" passed validation"
elif grep -q "results/0/level" "$TMP/bad.out"; then
  pass "the validator rejects level \"severe\" at runs/0/results/0/level"
else
  fail "the validator failed for another reason: $(head -c 400 "$TMP/bad.out")"
fi

"$PYJS" - "$TMP/a.sarif" "$TMP/a.json" "$tree" <<'PY' && pass "rules, results and locations are what GitHub needs" || fail "rules/results/locations"
import json, os, sys
from urllib.parse import quote
log = json.load(open(sys.argv[1]))
report = json.load(open(sys.argv[2]))
tree = sys.argv[3]
assert log["version"] == "2.1.0"
assert len(log["runs"]) == 1
run = log["runs"][0]
rules = run["tool"]["driver"]["rules"]
ids = [r["id"] for r in rules]
# Exactly one descriptor per rule that fired, in id order.
fired = sorted({f["rule_id"] for f in report["findings"]})
assert ids == fired, (ids, fired)
for r in rules:
    assert r["shortDescription"]["text"] and r["fullDescription"]["text"], r["id"]
    assert r["help"]["text"] and r["help"]["markdown"], r["id"]
    assert r["properties"]["tags"][:2] == ["privacy", "security"], r["id"]
    assert float(r["properties"]["security-severity"]) > 0, r["id"]
# The base is the scanned root, absolute, with a trailing slash.
base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
want = "file://" + quote(os.path.realpath(tree)) + "/"
assert base == want, (base, want)
assert len(run["results"]) == len(report["findings"]), (len(run["results"]), len(report["findings"]))
levels = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
for res, f in zip(run["results"], report["findings"]):
    assert res["ruleId"] == f["rule_id"], (res["ruleId"], f["rule_id"])
    assert ids[res["ruleIndex"]] == res["ruleId"], res
    assert res["level"] == levels[f["severity"]], (res["level"], f["severity"])
    assert res["message"]["text"], res
    loc = res["locations"][0]["physicalLocation"]
    art = loc["artifactLocation"]
    assert art["uriBaseId"] == "%SRCROOT%", art
    uri = art["uri"]
    assert uri and not uri.startswith("/") and ":" not in uri.split("/")[0], uri
    assert uri == quote(f["path"]), (uri, f["path"])
    assert os.path.isfile(os.path.join(tree, f["path"])), f["path"]
    if "line" in f["location"]:
        assert loc["region"]["startLine"] == f["location"]["line"], (loc, f["location"])
    else:
        assert "region" not in loc, loc
    assert len(res["partialFingerprints"]["plainsightFindingHash/v1"]) == 32, res
inv = run["invocations"][0]
assert inv["executionSuccessful"] is (report["errors"] == []), inv
PY

cmp -s "$TMP/a.sarif" "$TMP/b.sarif" && pass "two runs (-j1, -j2) give identical SARIF" || fail "two runs differ"

# Lines added at the top of a log move its findings, not their fingerprints.
{ printf 'log rotated\nservice starting\nworker pool ready\n'; cat "$tree/logs/app.log"; } >"$TMP/app.log"
cat "$TMP/app.log" >"$tree/logs/app.log"
run_ps 1 scan --format sarif -o "$TMP/shifted.sarif" "$tree" || true
"$PYJS" - "$TMP/a.sarif" "$TMP/shifted.sarif" <<'PY' && pass "log fingerprints survive a 3-line shift" || fail "log fingerprints changed after a line shift"
import json, sys
def log_results(path):
    out = {}
    for r in json.load(open(path))["runs"][0]["results"]:
        loc = r["locations"][0]["physicalLocation"]
        if loc["artifactLocation"]["uri"] == "logs/app.log":
            out[r["ruleId"]] = (r["partialFingerprints"]["plainsightFindingHash/v1"],
                                loc["region"]["startLine"])
    return out
before, after = log_results(sys.argv[1]), log_results(sys.argv[2])
assert before, "no findings in logs/app.log"
assert before.keys() == after.keys(), (sorted(before), sorted(after))
for rule, (fp, line) in before.items():
    assert after[rule][1] == line + 3, (rule, line, after[rule][1])  # the shift happened
    assert after[rule][0] == fp, (rule, fp, after[rule][0])
PY

finish

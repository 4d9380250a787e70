#!/usr/bin/env bash
# The acceptance scan: fixtures/vtech gives every VTech failure category at
# the right paths, the JSON equals the reviewed expected report, the output
# does not depend on the thread count, and the encrypted files alone are
# clean at medium and above.  --as-of is pinned: ages without a creation
# date, and so child records, depend on it.
. "$(dirname "$0")/lib.sh"

tree="$TMP/vtech"
fixture_copy "$tree"
chmod 0644 "$tree/db/learninglodge.sqlite"   # world-readable store
chmod 0666 "$tree/export/orders.csv"         # world-writable export

run_ps 1 scan --as-of 2026-11-27 --format json -j 2 -o "$TMP/j2.json" "$tree" && pass "scan exits 1 (findings at high)" || true
run_ps 1 scan --as-of 2026-11-27 --format json -j 1 -o "$TMP/j1.json" "$tree" || true
cmp -s "$TMP/j1.json" "$TMP/j2.json" && pass "-j1 and -j2 give identical JSON" || fail "-j1 and -j2 differ"

$PYTHON - "$TMP/j2.json" <<'PY' && pass "every category at the right paths" || fail "categories/paths"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["schema_version"] == 1
assert r["errors"] == [], r["errors"]
where = {}
for f in r["findings"]:
    where.setdefault(f["category"], set()).add(f["path"])
want = {
    "plaintext-message": {"kidconnect/chat-2015-10.jsonl", "kidconnect/chat-2015-11.jsonl"},
    "unencrypted-media": {"media/photos/photo-0001.jpg", "media/voice/voice-0001.amr"},
    "weak-password-hash": {"db/learninglodge.sqlite", "export/parents.csv", "backup/learninglodge.sql"},
    "plaintext-password": {"db/learninglodge.sqlite", "export/kids.csv", "backup/learninglodge.sql"},
    "plaintext-secret-answer": {"db/learninglodge.sqlite", "export/parents.csv", "backup/learninglodge.sql"},
    "plaintext-pii": {"db/learninglodge.sqlite", "export/parents.csv", "logs/app.log"},
    "key-exposure": {"encrypted/media.key", "config/.env"},
    "insecure-permissions": {"db/learninglodge.sqlite", "export/orders.csv"},
    "plaintext-payment": {"export/orders.csv"},
    "child-record": {"db/learninglodge.sqlite", "export/kids.csv", "backup/learninglodge.sql",
                     "backup/learninglodge-2015-10.sql.gz", "export/fr/enfants.csv"},
    "retention-exceeded": {"kidconnect/chat-2015-10.jsonl", "kidconnect/conversations.json"},
}
for cat, paths in want.items():
    missing = paths - where.get(cat, set())
    assert not missing, (cat, sorted(missing))
assert "weak-encryption" not in where
# The key beside the encrypted media is the critical VTech failure.
key = [f for f in r["findings"] if f["path"] == "encrypted/media.key"]
assert [f["rule_id"] for f in key] == ["vtech.key.beside-ciphertext"], key
assert key[0]["severity"] == "critical"
# Aggregation: one finding per rule and column, with a count.
md5 = [f for f in r["findings"] if f["rule_id"] == "vtech.password.unsalted-hash"
       and f["path"] == "db/learninglodge.sqlite"]
assert len(md5) == 1 and md5[0]["count"] > 1000, md5
assert md5[0]["location"] == {"table": "parents", "column": "password", "row": 1}, md5[0]["location"]
PY

# The whole report equals the reviewed expected one (tool version aside).
$PYTHON - "$TMP/j2.json" "$top_srcdir/tests/e2e/expected/vtech.json" <<'PY' && pass "JSON equals tests/e2e/expected/vtech.json" || fail "JSON differs from the expected report"
import difflib, json, sys
got, want = (json.load(open(p)) for p in sys.argv[1:3])
for r in (got, want):
    r["tool"].pop("version", None)
    r.pop("root", None)
if got != want:
    a = json.dumps(want, indent=1, sort_keys=True).splitlines()
    b = json.dumps(got, indent=1, sort_keys=True).splitlines()
    sys.stderr.write("\n".join(difflib.unified_diff(a, b, "expected", "got", lineterm="", n=2)) + "\n")
    sys.exit(1)
PY

# The encrypted files alone, without their key: nothing at medium or above.
run_ps 0 scan --fail-on medium --format json -o "$TMP/enc.json" "$tree"/encrypted/*.enc \
  && pass "encrypted files alone: clean at medium" || true
$PYTHON - "$TMP/enc.json" <<'PY' || fail "encrypted-only findings"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["summary"]["files_scanned"] >= 3, r["summary"]
bad = [f for f in r["findings"] if f["severity"] in ("medium", "high", "critical")]
assert not bad, bad
PY

# The text report: grouped headings, redacted evidence, a fix line, a summary.
run_ps 1 scan "$tree" || true
for want in 'CRITICAL' 'key-exposure' 'fix: ' 'findings'; do
  grep -q -- "$want" "$TMP/out" && pass "text report shows '$want'" || fail "text report lacks '$want'"
done
grep -q $'\033\[' "$TMP/out" && fail "colour escape codes in a non-tty report" || pass "no colour when not a tty"
finish

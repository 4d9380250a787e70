#!/usr/bin/env bash
# Never leak what you find: no email, name, password, answer, address, card
# number or message body from the fixtures appears in the text or JSON report
# unless --show-values is given.  The check is shown to bite: with
# --show-values the same search must find values.
. "$(dirname "$0")/lib.sh"

tree="$TMP/tree"
fixture_copy "$tree"

# Every sensitive value in the fixtures, one per line (python3 parses CSV/JSONL properly).
$PYTHON - "$tree" > "$TMP/values" <<'PY'
import csv, glob, json, os, re, sys
root = sys.argv[1]
vals = set()
def add(v):
    v = (v or "").strip()
    if len(v) >= 4:
        vals.add(v)
cols = {"email", "password", "secret_answer", "first_name", "last_name", "address",
        "ip", "name", "birthdate", "card_number"}
for path in glob.glob(os.path.join(root, "export", "*.csv")):
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for k, v in row.items():
                if k in cols:
                    add(v)
for path in glob.glob(os.path.join(root, "kidconnect", "*.jsonl")):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                add(json.loads(line).get("body"))
with open(os.path.join(root, "logs", "app.log"), encoding="utf-8") as f:
    for m in re.finditer(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", f.read()):
        add(m.group(0))
for v in sorted(vals):
    print(v)
PY
nvals=$(wc -l < "$TMP/values")
[ "$nvals" -gt 1000 ] && pass "collected $nvals fixture values" || fail "only $nvals fixture values collected"

leaks() {  # leaks REPORT -> number of fixture values found in it
  { grep -F -o -f "$TMP/values" "$1" || true; } | wc -l
}
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

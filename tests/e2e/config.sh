#!/usr/bin/env bash
# config.sh - the project config and ignore files at the scan root, and
# --config FILE: `exclude:` drops paths, `rules:` disables rules and
# overrides severities, `fail-on:` and `as-of:` change the exit code and the
# retention date, .plainsightignore follows gitignore(5) (a file inside an
# excluded folder cannot be re-included), command-line options win over the
# file, and a mistake in the file is one stderr line "FILE:L:C: ..." with
# exit code 2.
. "$(dirname "$0")/lib.sh"

AS_OF=(--as-of 2015-11-30)

# count JSON PYEXPR: how many findings f of the JSON report make PYEXPR true
# (-1 when the scan wrote no report).
count() {
  [ -f "$1" ] || { echo -1; return 0; }
  "$PYTHON" -c 'import json, sys
r = json.load(open(sys.argv[1]))
print(sum(1 for f in r["findings"] if eval(sys.argv[2], {"f": f})))' "$1" "$2"
}

# paths JSON PYEXPR: the sorted distinct paths of the findings that make PYEXPR true.
paths() {
  [ -f "$1" ] || { echo "<no report>"; return 0; }
  "$PYTHON" -c 'import json, sys
r = json.load(open(sys.argv[1]))
print(" ".join(sorted({f["path"] for f in r["findings"] if eval(sys.argv[2], {"f": f})})))' "$1" "$2"
}

# tree NAME: a fresh fixture copy under $TMP, echoing its path.
tree() {
  fixture_copy "$TMP/$1"
  echo "$TMP/$1"
}

MEDIA='f["path"].startswith("media/")'
IP='f["rule_id"] == "vtech.pii.ip-address"'
EMAIL='f["rule_id"] == "vtech.pii.email"'
RETENTION='f["rule_id"] == "vtech.retention.chat-logs"'

# --- the baseline: what each config below must change ------------------------
base=$(tree base)
run_ps 1 scan --format json -o "$TMP/base.json" "${AS_OF[@]}" "$base" || true
n_all=$(count "$TMP/base.json" 'True')
n_media=$(count "$TMP/base.json" "$MEDIA")
n_ip=$(count "$TMP/base.json" "$IP")
n_email=$(count "$TMP/base.json" "$EMAIL")
n_email_crit=$(count "$TMP/base.json" "$EMAIL and f['severity'] == 'critical'")
if [ "$n_media" -gt 0 ] && [ "$n_ip" -gt 0 ] && [ "$n_email" -gt "$n_email_crit" ]; then
  pass "baseline: $n_media media, $n_ip ip-address, $n_email email findings"
else
  fail "baseline lacks what this test changes (media $n_media, ip $n_ip, email $n_email)"
fi
[ "$(paths "$TMP/base.json" "$RETENTION")" = "kidconnect/chat-2015-10.jsonl kidconnect/conversations.json" ] \
  && pass "baseline: retention at 2015-11-30" || fail "baseline retention: $(paths "$TMP/base.json" "$RETENTION")"

# --- exclude: ----------------------------------------------------------------
t=$(tree exclude)
printf 'exclude: ["media/"]\n' >"$t/.plainsight.yml"
run_ps 1 scan --format json -o "$TMP/x.json" "${AS_OF[@]}" "$t" || true
[ "$(count "$TMP/x.json" "$MEDIA")" -eq 0 ] && pass "exclude media/: no media finding" \
  || fail "exclude media/ left $(count "$TMP/x.json" "$MEDIA") media findings"
[ "$(count "$TMP/x.json" 'True')" -eq $((n_all - n_media)) ] && pass "exclude media/: nothing else lost" \
  || fail "exclude media/: $(count "$TMP/x.json" 'True') findings, expected $((n_all - n_media))"

printf 'exclude:\n  - "media/photos/*"\n  - "!media/photos/photo-0001.jpg"\n  - "*.amr"\n' >"$t/.plainsight.yml"
run_ps 1 scan --format json -o "$TMP/x2.json" "${AS_OF[@]}" "$t" || true
got=$(paths "$TMP/x2.json" 'f["path"].startswith("media/photos/") or f["path"].endswith(".amr")')
[ "$got" = "media/photos/photo-0001.jpg" ] && pass "exclude with a re-included photo and *.amr" \
  || fail "exclude with negation: media paths left: '$got'"

# --- rules: disable and severity ---------------------------------------------
t=$(tree disable)
printf 'rules: {disable: [vtech.pii.ip-address]}\n' >"$t/.plainsight.yml"
run_ps 1 scan --format json -o "$TMP/d.json" "${AS_OF[@]}" "$t" || true
[ "$(count "$TMP/d.json" "$IP")" -eq 0 ] && pass "disable vtech.pii.ip-address" \
  || fail "disabled rule still reports $(count "$TMP/d.json" "$IP") findings"
[ "$(count "$TMP/d.json" 'True')" -eq $((n_all - n_ip)) ] && pass "disable: the other rules still run" \
  || fail "disable: $(count "$TMP/d.json" 'True') findings, expected $((n_all - n_ip))"

t=$(tree severity)
printf 'rules:\n  severity:\n    vtech.pii.email: critical\n' >"$t/.plainsight.yml"
run_ps 1 scan --format json -o "$TMP/s.json" "${AS_OF[@]}" "$t" || true
[ "$(count "$TMP/s.json" "$EMAIL and f['severity'] == 'critical'")" -eq "$n_email" ] \
  && [ "$(count "$TMP/s.json" "$EMAIL")" -eq "$n_email" ] \
  && pass "severity override: every email finding is critical" \
  || fail "severity override: $(count "$TMP/s.json" "$EMAIL and f['severity'] == 'critical'") of $n_email critical"

# --- fail-on: ----------------------------------------------------------------
# The chat logs alone: findings up to high, none critical.
chat="$TMP/chat"
mkdir -p "$chat"
cp -R "$FIXTURES/kidconnect" "$chat/"
find "$chat" -type d -exec chmod 0750 {} +
find "$chat" -type f -exec chmod 0640 {} +
run_ps 1 scan --format json -o "$TMP/c.json" "${AS_OF[@]}" "$chat" \
  && pass "chat logs: exit 1 at the default fail-on (high)" || true
[ "$(count "$TMP/c.json" 'f["severity"] == "critical"')" -eq 0 ] \
  && [ "$(count "$TMP/c.json" 'f["severity"] == "high"')" -gt 0 ] \
  || fail "the chat logs should give high findings and no critical one"
printf 'fail-on: critical\n' >"$chat/.plainsight.yml"
run_ps 0 scan "${AS_OF[@]}" "$chat" && pass "fail-on: critical: high findings exit 0" || true
run_ps 1 scan --fail-on high "${AS_OF[@]}" "$chat" && pass "--fail-on high beats the config's fail-on" || true
t=$(tree failnone)
printf 'fail-on: none\n' >"$t/.plainsight.yml"
run_ps 0 scan "${AS_OF[@]}" "$t" && pass "fail-on: none: critical findings exit 0" || true

# --- .plainsightignore -------------------------------------------------------
t=$(tree ignore)
printf '# keep one month of chat in the audit\nkidconnect/*\n!kidconnect/chat-2015-11.jsonl\n' >"$t/.plainsightignore"
run_ps 1 scan --format json -o "$TMP/i.json" "${AS_OF[@]}" "$t" || true
got=$(paths "$TMP/i.json" 'f["path"].startswith("kidconnect/")')
[ "$got" = "kidconnect/chat-2015-11.jsonl" ] && pass ".plainsightignore: kidconnect/* then !chat-2015-11" \
  || fail ".plainsightignore kidconnect/* + negation: kidconnect findings in '$got'"

# As in git, a file inside an excluded folder cannot be re-included.
printf 'kidconnect/\n!kidconnect/chat-2015-11.jsonl\n' >"$t/.plainsightignore"
run_ps 1 scan --format json -o "$TMP/i2.json" "${AS_OF[@]}" "$t" || true
got=$(paths "$TMP/i2.json" 'f["path"].startswith("kidconnect/")')
[ -z "$got" ] && pass ".plainsightignore: kidconnect/ hides the folder, negation or not" \
  || fail ".plainsightignore kidconnect/ + negation: kidconnect findings in '$got'"

# --- --config FILE -----------------------------------------------------------
# It replaces the root's file: the root disables ip-address, FILE does not.
t=$(tree replace)
printf 'rules: {disable: [vtech.pii.ip-address]}\n' >"$t/.plainsight.yml"
printf 'rules:\n  severity: {vtech.pii.email: critical}\n' >"$TMP/other.yml"
run_ps 1 scan --config "$TMP/other.yml" --format json -o "$TMP/r.json" "${AS_OF[@]}" "$t" || true
[ "$(count "$TMP/r.json" "$IP")" -eq "$n_ip" ] && [ "$(count "$TMP/r.json" "$EMAIL and f['severity'] != 'critical'")" -eq 0 ] \
  && pass "--config FILE replaces the root's .plainsight.yml" \
  || fail "--config FILE: ip $(count "$TMP/r.json" "$IP") (want $n_ip), email not critical $(count "$TMP/r.json" "$EMAIL and f['severity'] != 'critical'")"

# A mistake: exit 2, exactly one stderr line "FILE:L:C: message".
one_line_error() { # WHAT EXPECTED-LINE
  local n
  n=$(wc -l <"$TMP/err")
  if [ "$n" -eq 1 ] && [ "$(cat "$TMP/err")" = "$2" ]; then
    pass "$1"
  else
    fail "$1: stderr ($n lines): $(head -c 400 "$TMP/err"); want: $2"
  fi
}
printf 'rules:\n  disable: [vtech.pii.ip-address]\ncolour: red\n' >"$TMP/bad.yml"
run_ps 2 scan --config "$TMP/bad.yml" "$base" && one_line_error "--config with an unknown key" \
  "$TMP/bad.yml:3:1: unknown key 'colour' (expected one of: rules, exclude, fail-on, as-of, ages)" || true
printf 'rules:\n  enable: [vtech, vtech.no-such-rule]\n' >"$TMP/bad2.yml"
run_ps 2 scan --config "$TMP/bad2.yml" "$base" && one_line_error "--config naming no rule" \
  "$TMP/bad2.yml:2:19: no rule or pack named 'vtech.no-such-rule'" || true
t=$(tree badroot)
printf 'fail-on: sometimes\n' >"$t/.plainsight.yml"
run_ps 2 scan "$t" && one_line_error "a bad .plainsight.yml at the root" \
  "$t/.plainsight.yml:1:10: unknown severity 'sometimes' (expected one of: critical, high, medium, low, info, none)" || true
run_ps 2 scan --config "$TMP/no-such.yml" "$base" && grep -q 'no-such.yml' "$TMP/err" \
  && pass "--config with a missing file" || fail "--config with a missing file: $(head -c 200 "$TMP/err")"

# --- as-of: ------------------------------------------------------------------
t=$(tree asof)
printf 'as-of: 2016-01-31\n' >"$t/.plainsight.yml"
run_ps 1 scan --format json -o "$TMP/a.json" "$t" || true
got=$(paths "$TMP/a.json" "$RETENTION")
[ "$got" = "kidconnect/chat-2015-10.jsonl kidconnect/chat-2015-11.jsonl kidconnect/conversations.json" ] \
  && pass "as-of 2016-01-31: every chat file is past retention" || fail "as-of 2016-01-31: retention on '$got'"
"$PYTHON" -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["summary"]["as_of"] != "2016-01-31")' "$TMP/a.json" \
  && pass "the report shows the config's as-of" || fail "the report's as_of is not the config's"
printf 'as-of: 2015-10-15\n' >"$t/.plainsight.yml"
run_ps 1 scan --format json -o "$TMP/a2.json" "$t" || true
[ "$(count "$TMP/a2.json" "$RETENTION")" -eq 0 ] && pass "as-of 2015-10-15: nothing past retention" \
  || fail "as-of 2015-10-15: retention on '$(paths "$TMP/a2.json" "$RETENTION")'"
run_ps 1 scan --format json -o "$TMP/a3.json" --as-of 2015-11-30 "$t" || true
[ "$(paths "$TMP/a3.json" "$RETENTION")" = "kidconnect/chat-2015-10.jsonl kidconnect/conversations.json" ] \
  && pass "--as-of beats the config's as-of" || fail "--as-of vs config: retention on '$(paths "$TMP/a3.json" "$RETENTION")'"
finish

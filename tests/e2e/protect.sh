#!/usr/bin/env bash
# The remediation, end to end: keygen; protect a copy of fixtures/vtech into a
# tree that `scan` finds clean at medium and above; verify; unprotect back to
# the same bytes and values; every kind of tampering named and refused; and
# crash safety (a crash or SIGKILL leaves the destination absent and the
# source untouched).  The full fixtures are protected once (about 11k
# argon2id hashes); everything else runs on a small generated tree.
. "$(dirname "$0")/lib.sh"
skip_if_slow

P=$PLAINSIGHT
mkdir -p "$TMP/keys"
key="$TMP/keys/vtech.key"

# flip_bit FILE OFFSET: xor one bit at OFFSET.
flip_bit() {
  $PYTHON - "$1" "$2" <<'PY'
import sys
p, o = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read())
b[o] ^= 0x01
open(p, "wb").write(bytes(b))
PY
}

# snapshot DIR: every path, type, size and content hash, sorted.
snapshot() {
  (cd "$1" && find . -printf '%p %y %s\n' | LC_ALL=C sort &&
   find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}

# expect_fail WHAT PATTERN ARGS...: plainsight exits 2 and says PATTERN (stdout or stderr).
expect_fail() {
  local what=$1 pattern=$2; shift 2
  if run_ps 2 "$@"; then
    if grep -qF -- "$pattern" "$TMP/out" "$TMP/err"; then
      pass "$what"
    else
      fail "$what: no '$pattern' in: $(cat "$TMP/out" "$TMP/err" | head -c 600)"
    fi
  fi
}

# --- keygen ------------------------------------------------------------------
run_ps 0 keygen -o "$key" && pass "keygen"
[ "$(stat -c %a "$key")" = 600 ] && pass "key file mode 0600" || fail "key mode $(stat -c %a "$key")"
grep -qE '^plainsight-key-1 [A-Za-z0-9+/]{43}=$' "$key" && pass "key file format" || fail "key format"
cp "$key" "$TMP/keys/before"
expect_fail "keygen refuses to overwrite" "--force" keygen -o "$key"
cmp -s "$key" "$TMP/keys/before" && pass "old key untouched" || fail "key overwritten without --force"
run_ps 0 keygen -o "$key" --force && ! cmp -s "$key" "$TMP/keys/before" && pass "keygen --force replaces" || fail "keygen --force"
run_ps 0 keygen -o "$TMP/keys/other.key"
run_ps 0 protect --help && grep -q -- "--minimise" "$TMP/out" && pass "protect --help" || fail "protect --help"

# --- the original: many findings ---------------------------------------------
src="$TMP/vtech"
fixture_copy "$src"
set +e
"$P" scan --fail-on medium --format json -o "$TMP/before.json" "$src" 2>"$TMP/err"
rc=$?
set -e
[ "$rc" -eq 1 ] && pass "original tree fails at medium" || fail "original scan exited $rc"

# A key inside the tree it protects is the VTech mistake: refused.
cp "$key" "$src/config/protect.key"
expect_fail "key inside SRC refused" "keep keys out of the data" protect --key "$src/config/protect.key" "$src" "$TMP/never"
[ ! -e "$TMP/never" ] && pass "nothing written for a refused key" || fail "$TMP/never exists"
rm "$src/config/protect.key"
expect_fail "DST inside SRC refused" "outside the source" protect --key "$key" "$src" "$src/prot"

snapshot "$src" > "$TMP/src.before"

# --- protect, then the scanner finds nothing at medium or above ----------------
prot="$TMP/prot"
run_ps 0 protect --key "$key" -j 2 "$src" "$prot" && pass "protect the fixtures"
snapshot "$src" > "$TMP/src.after"
diff -q "$TMP/src.before" "$TMP/src.after" >/dev/null && pass "SRC unchanged by protect" || fail "protect changed SRC"
bad_modes=$(find "$prot" \( -type f ! -perm 600 \) -o \( -type d ! -perm 700 \) | head -3)
[ -z "$bad_modes" ] && pass "DST files 0600, dirs 0700" || fail "modes: $bad_modes"
[ -f "$prot/.plainsight-protect" ] && pass "manifest written" || fail "no manifest"
expect_fail "protect refuses an existing DST" "already exists" protect --key "$key" "$src" "$prot"

set +e
"$P" scan --fail-on medium --format json -o "$TMP/after.json" "$prot" 2>"$TMP/err"
rc=$?
set -e
[ "$rc" -eq 0 ] && pass "protected tree: scan --fail-on medium exits 0" || fail "protected scan exited $rc"
$PYTHON - "$TMP/before.json" "$TMP/after.json" <<'PY' && pass "findings: many before, none at medium+ after" || fail "finding counts"
import json, sys
def serious(path):
    r = json.load(open(path))
    return [f for f in r["findings"] if f["severity"] in ("medium", "high", "critical")]
before, after = serious(sys.argv[1]), serious(sys.argv[2])
assert len(before) >= 10, len(before)
assert after == [], [(f["rule_id"], f["path"]) for f in after]
PY

run_ps 0 verify --key "$key" "$prot" && pass "verify: all authentic"

# --- unprotect: the same bytes and values --------------------------------------
rest="$TMP/rest"
run_ps 0 unprotect --key "$key" "$prot" "$rest" && pass "unprotect"
same=1
while IFS= read -r -d '' f; do
  rel=${f#"$src"/}
  case "$rel" in *.sqlite) continue ;; esac
  cmp -s "$f" "$rest/$rel" || { fail "restored $rel differs"; same=0; }
done < <(find "$src" -type f -print0)
[ "$same" -eq 1 ] && pass "every non-database file restored byte for byte"

$PYTHON - "$src" "$rest" "$prot/.plainsight-protect" <<'PY' && pass "databases: every reversible value restored, hashes are argon2id" || fail "database values"
import os, sqlite3, sys
src, rest, manifest = sys.argv[1:4]
hashed, dbs, db = {}, [], None
for line in open(manifest, encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    if f[0] == "db":
        db = f[1]; dbs.append(db)
    elif f[0] == "table":
        table = f[1]
    elif f[0] == "column" and f[3].startswith("argon2id"):
        hashed.setdefault((db, table), set()).add(f[1])
assert dbs, "no database in the manifest"
nhashed = 0
for rel in dbs:
    a = sqlite3.connect(os.path.join(src, rel))
    b = sqlite3.connect(os.path.join(rest, rel))
    q = "select name from sqlite_master where type='table' and name not like 'sqlite_%' order by name"
    tables = [r[0] for r in a.execute(q)]
    assert tables == [r[0] for r in b.execute(q)], rel
    for t in tables:
        cols = [r[1] for r in a.execute('select * from pragma_table_info(?)', (t,))]
        assert cols == [r[1] for r in b.execute('select * from pragma_table_info(?)', (t,))], (rel, t)
        sel = "select rowid, %s from \"%s\" order by rowid" % (
            ", ".join('"%s", typeof("%s")' % (c, c) for c in cols), t)
        ra, rb = a.execute(sel).fetchall(), b.execute(sel).fetchall()
        assert len(ra) == len(rb), (rel, t, len(ra), len(rb))
        for x, y in zip(ra, rb):
            assert x[0] == y[0], (rel, t, "rowid")
            for j, c in enumerate(cols):
                va, ta, vb, tb = x[1 + 2 * j], x[2 + 2 * j], y[1 + 2 * j], y[2 + 2 * j]
                if c in hashed.get((rel, t), ()):
                    if va is not None:
                        nhashed += 1
                        assert vb.startswith("$argon2id$v=19$m=19456,t=2,p=1$"), (rel, t, c, x[0])
                    continue
                assert (va, ta) == (vb, tb), (rel, t, c, x[0])
assert nhashed > 10000, nhashed
PY

# --- tampering: each place named, exit 2, nothing restored ---------------------
# tamper NAME: a fresh copy of the protected tree in $TMP/t-NAME.
tamper_copy() { rm -rf "$TMP/t-$1"; cp -a "$prot" "$TMP/t-$1"; echo "$TMP/t-$1"; }
# Envelope: 8 magic + 2 + 24 header bytes, then chunk 1's 4-byte length: 40 is chunk 1's ciphertext.
t=$(tamper_copy media)
flip_bit "$t/media/photos/photo-0001.jpg.psenc" 40
expect_fail "flipped bit in a photo named" "media/photos/photo-0001.jpg.psenc: chunk 1: authentication failed" verify --key "$key" "$t"
expect_fail "unprotect refuses the tampered photo" "media/photos/photo-0001.jpg.psenc: chunk 1: authentication failed" unprotect --key "$key" "$t" "$TMP/r-media"
[ ! -e "$TMP/r-media" ] && pass "no RESTORED after a failure" || fail "RESTORED created despite tampering"
ls -d "$TMP"/r-media.tmp-* >/dev/null 2>&1 && fail "temporary restore left behind" || pass "temporary restore removed"

t=$(tamper_copy log)
flip_bit "$t/logs/app.log.psenc" 100
expect_fail "flipped bit in the log named" "logs/app.log.psenc: chunk 1: authentication failed" verify --key "$key" "$t"

t=$(tamper_copy trunc)
truncate -s -5 "$t/kidconnect/chat-2015-10.jsonl.psenc"
expect_fail "truncated chat log named" "kidconnect/chat-2015-10.jsonl.psenc: truncated (no final chunk)" verify --key "$key" "$t"
expect_fail "unprotect refuses the truncated file" "truncated (no final chunk)" unprotect --key "$key" "$t" "$TMP/r-trunc"
[ ! -e "$TMP/r-trunc" ] && pass "no RESTORED after truncation" || fail "RESTORED created after truncation"

t=$(tamper_copy field)
$PYTHON - "$t/db/learninglodge.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
v = db.execute("select first_name from parents where rowid = 1").fetchone()[0]
assert v.startswith("psf1:")
i = len(v) // 2
v = v[:i] + ("A" if v[i] != "A" else "B") + v[i + 1:]
db.execute("update parents set first_name = ? where rowid = 1", (v,))
db.commit()
PY
expect_fail "one changed field named" "db/learninglodge.sqlite: table parents column first_name row 1: authentication failed" verify --key "$key" "$t"
expect_fail "unprotect refuses the changed field" "table parents column first_name row 1: authentication failed" unprotect --key "$key" "$t" "$TMP/r-field"
[ ! -e "$TMP/r-field" ] && pass "no RESTORED after a changed field" || fail "RESTORED created after a changed field"

t=$(tamper_copy swap)
$PYTHON - "$t/db/learninglodge.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
a = db.execute("select name from kids where rowid = 1").fetchone()[0]
b = db.execute("select name from kids where rowid = 2").fetchone()[0]
db.execute("update kids set name = ? where rowid = 1", (b,))
db.execute("update kids set name = ? where rowid = 2", (a,))
db.commit()
PY
expect_fail "ciphertext swapped between rows named" "table kids column name row 1: authentication failed" verify --key "$key" "$t"
grep -qF "table kids column name row 2: authentication failed" "$TMP/out" && pass "both swapped rows named" || fail "row 2 of the swap not named"

expect_fail "wrong key named by key id" "protected with a different key" verify --key "$TMP/keys/other.key" "$prot"
expect_fail "unprotect with the wrong key refused" "protected with a different key" unprotect --key "$TMP/keys/other.key" "$prot" "$TMP/r-key"
[ ! -e "$TMP/r-key" ] && pass "no RESTORED with the wrong key" || fail "RESTORED created with the wrong key"
rm -rf "$TMP"/t-*

# --- crash safety on a small tree ----------------------------------------------
if [ -z "${MKFIXTURES:-}" ] || [ ! -x "$MKFIXTURES" ]; then
  echo "MKFIXTURES not set: crash tests skipped"
  finish
fi
small="$TMP/small"
"$MKFIXTURES" --scale 0.0002 --messages 20 --media 4 --out "$small" 2>/dev/null
snapshot "$small" > "$TMP/small.before"
sdst="$TMP/sdst"
for n in 1 3 7; do
  set +e
  PLAINSIGHT_TEST_CRASH_AFTER=$n "$P" protect --key "$key" -j 2 "$small" "$sdst" >/dev/null 2>&1
  rc=$?
  set -e
  [ "$rc" -eq 99 ] || fail "crash after $n files: exit $rc, expected 99"
  [ ! -e "$sdst" ] && pass "crash after $n files: DST absent" || fail "crash after $n: DST exists"
  # Only complete files carry a final name; a file being written is *.partial.
  finals=$(find "$TMP"/sdst.tmp-* -type f ! -name '*.partial' | wc -l)
  [ "$finals" -eq "$n" ] && pass "crash after $n files: $n complete files in the temporary tree" ||
    fail "crash after $n: $finals final-named files in the temporary tree"
  rm -rf "$TMP"/sdst.tmp-*
done
for delay in 0.1 0.5 1.5; do
  set +e
  # In a subshell whose stderr is discarded: bash reports the killed job there.
  (timeout -s KILL "$delay" "$P" protect --key "$key" -j 2 "$small" "$sdst" >/dev/null 2>&1; exit $?) 2>/dev/null
  rc=$?
  set -e
  if [ "$rc" -eq 0 ]; then
    run_ps 0 verify --key "$key" "$sdst" && pass "not killed after ${delay}s: DST complete"
  else
    [ ! -e "$sdst" ] && pass "SIGKILL after ${delay}s: DST absent" || fail "SIGKILL after ${delay}s: DST exists"
  fi
  rm -rf "$sdst" "$TMP"/sdst.tmp-*
done
snapshot "$small" > "$TMP/small.after"
diff -q "$TMP/small.before" "$TMP/small.after" >/dev/null && pass "small SRC unchanged by every crash" || fail "a crash changed SRC"
# After all that, a normal run still works.
run_ps 0 protect --key "$key" -j 2 "$small" "$sdst" && run_ps 0 verify --key "$key" "$sdst" && pass "protect after crashes"
finish

#!/usr/bin/env bash
# Scanning never modifies the tree: same bytes, same mtimes, same file list,
# and no SQLite -journal / -wal / -shm file appears beside a database.
. "$(dirname "$0")/lib.sh"

tree="$TMP/tree"
fixture_copy "$tree"
snapshot() {
  (cd "$tree" && find . -printf '%p %y %m %s %T@\n' | LC_ALL=C sort && \
   find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}
snapshot > "$TMP/before"
for fmt in text json; do
  set +e
  "$PLAINSIGHT" scan --format "$fmt" "$tree" >/dev/null 2>&1
  set -e
done
snapshot > "$TMP/after"
if diff -u "$TMP/before" "$TMP/after"; then pass "tree unchanged"; else fail "the scan changed the tree"; fi
if find "$tree" \( -name '*-journal' -o -name '*-wal' -o -name '*-shm' \) | grep -q .; then
  fail "a SQLite journal file appeared"
else
  pass "no journal files"
fi
# A read-only tree scans too (nothing needs to be written beside the data).
chmod -R a-w "$tree"
set +e
"$PLAINSIGHT" scan --format json -o "$TMP/ro.json" "$tree" 2>"$TMP/err"
rc=$?
set -e
[ "$rc" -eq 1 ] && pass "read-only tree scanned (exit 1: findings)" || fail "read-only tree: exit $rc: $(cat "$TMP/err")"
finish

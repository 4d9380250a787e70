#!/usr/bin/env bash
# Special files never hang or break a scan: a FIFO (with no writer), a
# socket, and symbolic links out of the root and in loops are skipped, and
# the real files beside them are still scanned.
. "$(dirname "$0")/lib.sh"

root="$TMP/tree"
mkdir -p "$root/logs" "$TMP/outside"
printf '2015-11-14T10:22:01Z INFO login ok user=jdoe1234@mail.com ip=10.1.2.3\n' > "$root/logs/app.log"
printf 'secret_answer\nRex\n' > "$TMP/outside/leak.csv"
mkfifo "$root/logs/pipe"
ln -s "$TMP/outside/leak.csv" "$root/logs/escape.csv"        # leaves the root: not followed
ln -s loop-b "$root/loop-a"; ln -s loop-a "$root/loop-b"      # a loop: not followed
ln -s "$TMP/outside" "$root/outside-dir"                       # a directory link: not followed
ln -s logs/app.log "$root/app-link.log"                        # inside, same file: scanned once
python3 - "$root/sock" <<'PY' || true
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])
PY

set +e
timeout 30 "$PLAINSIGHT" scan --format json -o "$TMP/report.json" "$root"
rc=$?
set -e
[ "$rc" -ne 124 ] || { fail "scan hung on a FIFO (timed out)"; finish; }
[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || fail "scan exited $rc"
$PYTHON - "$TMP/report.json" <<'PY' || fail "report content"
import json, sys
r = json.load(open(sys.argv[1]))
paths = sorted({f["path"] for f in r["findings"]})
assert paths == ["logs/app.log"], paths
assert r["errors"] == [], r["errors"]
assert r["summary"]["files_scanned"] == 1, r["summary"]
assert r["summary"]["files_skipped"] >= 4, r["summary"]
PY
pass "FIFO, socket and links skipped; the log was scanned"
finish

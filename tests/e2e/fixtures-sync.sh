#!/usr/bin/env bash
# fixtures-sync.sh - the committed fixtures/vtech must be exactly what
# fixtures/mkfixtures generates with its default arguments.
#
# Every file is compared byte for byte, except SQLite databases, which are
# compared by content (mkfixtures --dump-sqlite) so that a different libsqlite3
# version writing different page bytes for the same rows is not a failure.
# Gzip files are compared byte for byte first and, if that fails, by their
# decompressed content: another zlib build (zlib-ng, a newer deflate) may
# compress the same text to other bytes.
# A file missing on either side is a failure too.
#
# Environment: MKFIXTURES (path to the generator; unset => SKIP, exit 77),
# top_srcdir (defaults to two levels above this script).
set -u

if [ -z "${MKFIXTURES:-}" ]; then
    echo "SKIP: MKFIXTURES is not set"
    exit 77
fi
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
committed="$top_srcdir/fixtures/vtech"

if [ ! -x "$MKFIXTURES" ]; then
    echo "FAIL: generator not found or not executable: $MKFIXTURES"
    exit 1
fi
if [ ! -d "$committed" ]; then
    echo "FAIL: no committed fixtures at $committed"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fixtures-sync.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

if ! "$MKFIXTURES" --out "$tmp/vtech" 2>"$tmp/generate.err"; then
    echo "FAIL: $MKFIXTURES exited with an error:"
    cat "$tmp/generate.err"
    exit 1
fi

(cd "$committed" && find . -type f | sed "s|^\./||" | LC_ALL=C sort) >"$tmp/committed.list"
(cd "$tmp/vtech" && find . -type f | sed "s|^\./||" | LC_ALL=C sort) >"$tmp/generated.list"

status=0
while IFS= read -r f; do
    echo "FAIL: committed but not generated: fixtures/vtech/$f"
    status=1
done < <(LC_ALL=C comm -23 "$tmp/committed.list" "$tmp/generated.list")
while IFS= read -r f; do
    echo "FAIL: generated but not committed: fixtures/vtech/$f"
    status=1
done < <(LC_ALL=C comm -13 "$tmp/committed.list" "$tmp/generated.list")

checked=0
while IFS= read -r f; do
    checked=$((checked + 1))
    case $f in
    *.sqlite)
        if ! "$MKFIXTURES" --dump-sqlite "$committed/$f" >"$tmp/a.dump" ||
            ! "$MKFIXTURES" --dump-sqlite "$tmp/vtech/$f" >"$tmp/b.dump"; then
            echo "FAIL: cannot dump fixtures/vtech/$f"
            status=1
        elif ! cmp -s "$tmp/a.dump" "$tmp/b.dump"; then
            echo "FAIL: rows differ: fixtures/vtech/$f ($(cmp "$tmp/a.dump" "$tmp/b.dump" 2>&1 | head -n 1))"
            status=1
        fi
        ;;
    *.gz)
        if cmp -s "$committed/$f" "$tmp/vtech/$f"; then
            :
        elif ! gzip -dc <"$committed/$f" >"$tmp/a.raw" ||
            ! gzip -dc <"$tmp/vtech/$f" >"$tmp/b.raw"; then
            echo "FAIL: cannot decompress fixtures/vtech/$f"
            status=1
        elif ! cmp -s "$tmp/a.raw" "$tmp/b.raw"; then
            echo "FAIL: content differs: fixtures/vtech/$f ($(cmp "$tmp/a.raw" "$tmp/b.raw" 2>&1 | head -n 1))"
            status=1
        fi
        ;;
    *)
        if ! cmp -s "$committed/$f" "$tmp/vtech/$f"; then
            echo "FAIL: content differs: fixtures/vtech/$f ($(cmp "$committed/$f" "$tmp/vtech/$f" 2>&1 | head -n 1))"
            status=1
        fi
        ;;
    esac
done < <(LC_ALL=C comm -12 "$tmp/committed.list" "$tmp/generated.list")

if [ "$status" -ne 0 ]; then
    echo "fixtures/vtech is out of date: regenerate with"
    echo "  fixtures/mkfixtures --out fixtures/vtech"
    exit 1
fi
echo "PASS: $checked files in fixtures/vtech match the generator"
exit 0

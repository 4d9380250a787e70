#!/usr/bin/env bash
# bad-rules.sh - every malformed rule file in tests/rules-bad/ is refused with
# exit code 2 and exactly one stderr line, "PATH:LINE:COL: message", equal to
# what tests/rules-bad/EXPECTED says.  This is the contract a rule author sees,
# so the wording is pinned here, not only in the unit tests.
#
# Environment (set by make check): PLAINSIGHT = the CLI, top_srcdir.
set -u

: "${PLAINSIGHT:?PLAINSIGHT must name the plainsight binary}"
: "${top_srcdir:?top_srcdir must be set}"

dir="$top_srcdir/tests/rules-bad"
expected_file="$dir/EXPECTED"
if [ ! -x "$PLAINSIGHT" ]; then
    echo "bad-rules: $PLAINSIGHT is not an executable" >&2
    exit 99
fi
if [ ! -r "$expected_file" ]; then
    echo "bad-rules: cannot read $expected_file" >&2
    exit 99
fi

# A hung CLI should fail the test, not the whole make check.
run=()
if command -v timeout >/dev/null 2>&1; then
    run=(timeout 20)
fi

declare -A expected=()
while IFS=$'\t' read -r name suffix; do
    case "$name" in
        '' | '#'*) continue ;;
    esac
    expected[$name]=$suffix
done <"$expected_file"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ps-bad-rules.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

failed=0
total=0
seen=()
fail() {
    printf 'FAIL %s: %s\n' "$name" "$1"
    failed=$((failed + 1))
}

for f in "$dir"/*.yml; do
    [ -e "$f" ] || continue
    name=${f##*/}
    total=$((total + 1))
    seen+=("$name")
    if [ -z "${expected[$name]+set}" ]; then
        fail "no line for it in EXPECTED"
        continue
    fi
    suffix=${expected[$name]}
    suffix=${suffix//'{FILE}'/"$f"}

    "${run[@]}" "$PLAINSIGHT" rules list --rules "$f" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    mapfile -t lines <"$tmp/err"

    if [ "$rc" -ne 2 ]; then
        fail "exit code $rc, expected 2"
        [ -s "$tmp/err" ] && sed 's/^/    stderr: /' "$tmp/err"
        continue
    fi
    if [ "${#lines[@]}" -ne 1 ]; then
        fail "${#lines[@]} lines on stderr, expected exactly 1"
        sed 's/^/    stderr: /' "$tmp/err"
        continue
    fi
    line=${lines[0]}
    if ! [[ $line =~ ^"$f":[0-9]+:[0-9]+:\  ]]; then
        fail "stderr does not start with '$f:LINE:COL: '"
        printf '    got:      %s\n' "$line"
        continue
    fi
    if [[ $suffix == *'*' ]]; then
        want="$f${suffix%'*'}"
        if [[ $line != "$want"* ]]; then
            fail "stderr does not start with the expected text"
            printf '    expected: %s...\n    got:      %s\n' "$want" "$line"
            continue
        fi
    elif [ "$line" != "$f$suffix" ]; then
        fail "stderr differs from EXPECTED"
        printf '    expected: %s\n    got:      %s\n' "$f$suffix" "$line"
        continue
    fi
    printf 'ok   %s\n' "$name"
done

# A line in EXPECTED without its file is a test that silently stopped running.
for name in "${!expected[@]}"; do
    if [[ " ${seen[*]} " != *" $name "* ]]; then
        fail "listed in EXPECTED but $dir/$name does not exist"
    fi
done

if [ "$total" -lt 10 ]; then
    echo "bad-rules: only $total files in $dir (expected at least 10)" >&2
    exit 99
fi
if [ "$failed" -ne 0 ]; then
    echo "bad-rules: $failed of $total cases failed" >&2
    exit 1
fi
echo "bad-rules: all $total cases passed"
exit 0

#!/usr/bin/env bash
# The hostile-input suite: every case under tests/bad-inputs/ is a tree built
# to hurt a scanner (truncated databases, bombs, deep nesting, odd names,
# special files, files that change while they are read).  Each runs under a
# timeout, and its `expect` file says the exit code, the errors entries that
# must be there, and the findings that must still be reported: every case
# carries a sentinel log whose finding must survive (nothing lost).
#
# BAD_INPUTS_ONLY=NN runs only the cases whose name starts with NN;
# BAD_INPUTS_KEEP=1 keeps the work trees (their path is printed);
# BAD_INPUTS_TIMEOUT_SCALE=N multiplies every timeout (valgrind, sanitizers);
# BAD_INPUTS_RSS_SCALE=N every peak-memory bound (ASan's shadow memory).
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/bad-inputs/lib.sh"

if [ "${BAD_INPUTS_KEEP:-}" = 1 ]; then
  trap - EXIT
  echo "work trees kept under $TMP"
fi

ran=0 xfail=0 skipped=0
for c in "$BAD_INPUTS"/[0-9]*/; do
  c=${c%/}
  name=$(basename "$c")
  case "$name" in "${BAD_INPUTS_ONLY:-}"*) ;; *) continue ;; esac
  work="$TMP/cases/$name"
  mkdir -p "$work"

  t0=$(date +%s)
  set +e
  why=$(case_prepare "$c" "$work")
  prc=$?
  set -e
  if [ "$prc" -eq 77 ]; then
    echo "skip: $name: $why"
    skipped=$((skipped + 1))
    continue
  elif [ "$prc" -ne 0 ]; then
    fail "$name: $why"
    continue
  fi

  limit=$(expect_arg "$c" timeout); limit=$(( ${limit:-60} * ${BAD_INPUTS_TIMEOUT_SCALE:-1} ))
  # shellcheck disable=SC2046  # `args` is a list of words: split it
  mapfile -t args < <(case_subst "$c" "$work" $(expect_arg "$c" args))
  target=$(expect_arg "$c" target)
  if [ -n "$target" ]; then
    target=$(case_subst "$c" "$work" "$target")
  else
    target="$work/tree"
  fi
  wrap=()
  if expect_has "$c" max-rss-kb; then
    if [ -x /usr/bin/time ]; then
      wrap=(/usr/bin/time -v -o "$work/time.txt")
    else
      echo "note: $name: /usr/bin/time missing, peak memory not measured"
    fi
  fi

  # A helper that changes the tree while it is scanned (its own session,
  # so that it and its children are stopped together by its id).
  helper=
  if [ -f "$c/during.sh" ]; then
    rm -f "$work/ready"
    setsid bash "$c/during.sh" "$work/tree" "$work" > "$work/during.out" 2>&1 &
    helper=$!
    if expect_has "$c" wait-ready; then
      for _ in $(seq 1 300); do
        [ -e "$work/ready" ] && break
        sleep 0.1
      done
      [ -e "$work/ready" ] || fail "$name: during.sh never became ready: $(tail -n 3 "$work/during.out")"
    fi
  fi

  set +e
  timeout -k 5 "$limit" "${wrap[@]}" "$PLAINSIGHT" scan --format json -o "$work/report.json" \
    "${args[@]}" "$target" > "$work/stdout" 2> "$work/stderr"
  rc=$?
  for fmt in $(expect_arg "$c" formats); do
    timeout -k 5 "$limit" "$PLAINSIGHT" scan --format "$fmt" -o "$work/report.$fmt" \
      "${args[@]}" "$target" > /dev/null 2>> "$work/stderr"
  done
  set -e
  if [ -n "$helper" ]; then
    kill -- -"$helper" 2>/dev/null || true
    wait "$helper" 2>/dev/null || true
  fi

  ran=$((ran + 1))
  took="$(( $(date +%s) - t0 ))s"
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    problems="hung: killed after ${limit}s"
  elif [ "$rc" -ge 128 ]; then
    problems="crashed: killed by signal $((rc - 128)); stderr: $(head -c 300 "$work/stderr")"
  else
    set +e
    problems=$("$PYTHON" "$BAD_INPUTS/check.py" "$c/expect" "$work" "$rc" 2>&1)
    set -e
  fi
  known=$({ grep '^known-failure:' "$c/expect" || true; } | head -n 1 | cut -d: -f2- | sed 's/^ *//')
  if [ -z "$problems" ]; then
    if [ -n "$known" ]; then
      echo "XPASS: $name (marked known-failure: $known): remove the marker"
    else
      pass "$name ($took)"
    fi
  elif [ -n "$known" ]; then
    xfail=$((xfail + 1))
    echo "XFAIL: $name ($took): $known"
    printf '%s\n' "$problems" | sed "s/^/    /"
  else
    fail "$name ($took):"
    printf '%s\n' "$problems" | sed "s/^/    /" >&2
  fi
  # Trees of 100,000 files or a 10 GB apparent size need not pile up.
  if [ "${BAD_INPUTS_KEEP:-}" != 1 ]; then
    chmod -R u+rwX "$work" 2>/dev/null || true
    rm -rf "$work"
  fi
done

echo "$ran case(s) run, $skipped skipped, $xfail known failure(s)"
[ "$ran" -gt 0 ] || fail "no case ran"
finish

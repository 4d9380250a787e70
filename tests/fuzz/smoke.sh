#!/bin/sh
# smoke.sh - run every libFuzzer harness for a short while (`make fuzz-smoke`).
#
#   smoke.sh SRCDIR FUZZDIR NAME...
#
# For each NAME, tests/fuzz/corpus/NAME (under SRCDIR) is copied into a
# fresh temporary directory, so that the inputs the fuzzer adds never land
# in the source tree, and FUZZDIR/fuzz_NAME runs on the copy for
# FUZZ_SECONDS (default 30) with SRCDIR/tests/fuzz/NAME.dict when there is
# one.  A crash, a leak, a timeout (10 s for one input) or running out of
# memory (2 GiB) fails the run; the temporary directory is then kept, with
# the fuzzer's log and the reproducer (crash-<sha1>, leak-<sha1>, ...), and
# its path printed.  Otherwise it is removed.  Exit 0 when every harness
# ran clean, 1 otherwise.
set -u

if [ $# -lt 3 ]; then
  echo "usage: smoke.sh SRCDIR FUZZDIR NAME..." >&2
  exit 2
fi
srcdir=$1
fuzzdir=$2
shift 2
seconds=${FUZZ_SECONDS:-30}
case $seconds in
  ''|*[!0-9]*) echo "smoke.sh: FUZZ_SECONDS must be a whole number of seconds" >&2; exit 2 ;;
esac

# UBSan recovers by default; a report must stop the fuzzer like a crash does.
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export UBSAN_OPTIONS

# run_fuzzer FUZZER WORKDIR DICT: one time-boxed run on WORKDIR/corpus.
run_fuzzer() {
  if [ -f "$3" ]; then
    set -- "$1" "$2" -dict="$3"
  else
    set -- "$1" "$2"
  fi
  f=$1
  w=$2
  shift 2
  "$f" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$w/" "$@" "$w/corpus"
}

failed=0
for name in "$@"; do
  fuzzer=$fuzzdir/fuzz_$name
  seeds=$srcdir/tests/fuzz/corpus/$name
  dict=$srcdir/tests/fuzz/$name.dict
  if [ ! -x "$fuzzer" ] || [ ! -d "$seeds" ]; then
    echo "fuzz_$name: FAILED: missing $fuzzer or $seeds" >&2
    failed=1
    continue
  fi
  work=$(mktemp -d "${TMPDIR:-/tmp}/plainsight-fuzz-$name.XXXXXX") || exit 1
  mkdir "$work/corpus"
  cp "$seeds"/* "$work/corpus/"
  before=$(find "$work/corpus" -type f | wc -l)
  run_fuzzer "$fuzzer" "$work" "$dict" >"$work/log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
  after=$(find "$work/corpus" -type f | wc -l)
  if [ "$rc" -eq 0 ]; then
    echo "fuzz_$name: ok: ${execs:-?} execs in ${seconds}s, corpus $before -> $after inputs"
    rm -rf "$work"
  else
    echo "fuzz_$name: FAILED (exit $rc) after ${execs:-?} execs; log and reproducer kept in $work" >&2
    grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz: broken contract|.*runtime error)' "$work/log" | head -n 5 >&2
    for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
      [ -e "$a" ] && echo "  reproducer: $a" >&2
    done
    failed=1
  fi
done
exit "$failed"

# lib.sh - build a bad-input case's tree (sourced by tests/e2e/bad-inputs.sh
# and tests/e2e/privacy.sh, after tests/e2e/lib.sh).
#
# A case is a directory tests/bad-inputs/NN-name/ holding an `expect` file
# and its input: committed files under input/, a make.sh that writes them,
# or both.  See README.md in this directory.

BAD_INPUTS="$top_srcdir/tests/bad-inputs"

# The sentinel every case carries: a known finding that must survive
# whatever the hostile file beside it does to the scan ("nothing lost").
SENTINEL_EMAIL="sentinel.kid17@mail.com"
SENTINEL_LINE="2015-11-14T10:22:01Z INFO login ok user=$SENTINEL_EMAIL ip=10.1.2.3"

# expect_has CASE DIRECTIVE: does the case's expect file carry DIRECTIVE?
expect_has() {
  grep -q "^$2\( \|:\|\$\)" "$1/expect"
}

# expect_arg CASE DIRECTIVE: the argument of the last DIRECTIVE line.
expect_arg() {
  { grep "^$2 " "$1/expect" || true; } | tail -n 1 | cut -d' ' -f2-
}

# case_prepare CASE WORK: build the case's tree in WORK/tree.
# Returns 77 (with the reason on stdout) when the case cannot run here.
case_prepare() {
  local c=$1 work=$2 rc=0
  mkdir -p "$work/tree"
  umask 077  # no mode findings: exit codes then say what the case is about
  if [ -d "$c/input" ]; then
    cp -R "$c/input/." "$work/tree/"
  fi
  if expect_has "$c" no-sentinel; then :; else
    mkdir -p "$work/tree/ok"
    printf '%s\n' "$SENTINEL_LINE" > "$work/tree/ok/app.log"
  fi
  if [ -f "$c/make.sh" ]; then
    (cd "$work" && bash -e "$c/make.sh" "$work/tree" "$work") > "$work/make.out" 2>&1 || rc=$?
    if [ "$rc" -eq 77 ]; then
      tail -n 1 "$work/make.out"
      return 77
    fi
    if [ "$rc" -ne 0 ]; then
      echo "make.sh failed ($rc): $(tail -n 3 "$work/make.out")"
      return 1
    fi
  fi
  return 0
}

# case_values CASE WORK: the raw values planted in a case, one per line:
# the sentinel's, the committed values file's and what make.sh listed in
# WORK/values.
case_values() {
  local c=$1 work=$2
  if expect_has "$c" no-sentinel; then :; else
    printf '%s\n' "$SENTINEL_EMAIL"
  fi
  [ -f "$c/values" ] && cat "$c/values"
  [ -f "$work/values" ] && cat "$work/values"
  return 0
}

# case_subst WORDS...: expand @CASE@, @WORK@ and @TREE@ in scan arguments.
case_subst() {
  local c=$1 work=$2; shift 2
  local a
  for a in "$@"; do
    a=${a//@CASE@/$c}
    a=${a//@WORK@/$work}
    a=${a//@TREE@/$work/tree}
    printf '%s\n' "$a"
  done
}

#!/bin/sh
# valgrind-wrap.sh - run the plainsight CLI under valgrind (`make check-valgrind`).
#
# The end-to-end scripts run "$PLAINSIGHT"; check-valgrind points it here,
# and this runs the real binary, $PLAINSIGHT_REAL, under memcheck.  Any
# memory error or leak makes the run exit 99, which no e2e script expects,
# so the script fails; otherwise the CLI's own exit code comes through.
# valgrind is quiet (-q) unless it finds something, so scripts that compare
# stderr see the CLI's alone.
: "${PLAINSIGHT_REAL:?PLAINSIGHT_REAL must name the plainsight binary (make check-valgrind sets it)}"
exec valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,possible \
  --track-fds=no -q "$PLAINSIGHT_REAL" "$@"

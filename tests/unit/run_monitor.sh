#!/bin/bash
# run_monitor.sh: run the monitor unit tests (each prints PASS/FAIL lines); one not built is a FAIL.
. "$(dirname "$0")/../lib.sh"
for src in tests/unit/mon_*.c; do
    t="$B/tests/unit/$(basename "$src" .c)"
    if [ ! -x "$t" ]; then
        echo "FAIL $(basename "$t"): $t not built (make B=$B tests-build)"
        continue
    fi
    "$t" || echo "FAIL $(basename "$t"): exited with status $?"
done

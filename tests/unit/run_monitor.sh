#!/bin/bash
# run_monitor.sh: run the monitor unit tests (each prints PASS/FAIL lines).
. "$(dirname "$0")/../lib.sh"
for t in "$B"/tests/unit/mon_*; do
    [ -x "$t" ] || continue
    "$t" || echo "FAIL $(basename "$t"): exited with status $?"
done

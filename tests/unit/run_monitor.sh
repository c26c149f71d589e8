#!/bin/bash
# run_monitor.sh: run the monitor unit tests (each prints PASS/FAIL lines).
cd "$(dirname "$0")/../.." || exit 2
B=${B:-build}
for t in "$B"/tests/unit/mon_*; do
    [ -x "$t" ] || continue
    "$t" || echo "FAIL $(basename "$t"): exited with status $?"
done

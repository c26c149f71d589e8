#!/bin/bash
# run_common.sh: run the unit test of common/ (code built into both the monitor and the kernel).
cd "$(dirname "$0")/../.." || exit 2
B=${B:-build}
t="$B/tests/unit/common_elf"
if [ ! -x "$t" ]; then
    echo "FAIL common_elf: $t not built (make B=$B tests-build)"
    exit 0
fi
"$t" || echo "FAIL common_elf: exited with status $?"

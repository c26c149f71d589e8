#!/bin/bash
# run_common.sh: run the unit test of common/ (code built into both the monitor and the kernel).
. "$(dirname "$0")/../lib.sh"
t="$B/tests/unit/common_elf"
need_built common_elf "$t"
"$t" || echo "FAIL common_elf: exited with status $?"

#!/bin/bash
# run.sh: the CPU tier: the differential tester with a fixed seed, one PASS/FAIL/SKIP line per
# instruction form (and per sequence group). Longer runs: difftest --seed N --seconds S.
cd "$(dirname "$0")/../.." || exit 2
B=${B:-build}
exe=$B/tests/cpu/difftest
if [ ! -x "$exe" ]; then
    echo "FAIL difftest: $exe not built"
    exit 0
fi
"$exe" --seed 1 --count "${DIFFTEST_COUNT:-300}" 2>&1

#!/bin/bash
# run_sys.sh: the soft CPU's system tests; one PASS/FAIL/SKIP line per test.
cd "$(dirname "$0")/../.." || exit 2
B=${B:-build}
exe=$B/tests/cpu/systest
if [ ! -x "$exe" ]; then
    echo "FAIL systest: $exe not built"
    exit 0
fi
"$exe" "$B/guest/bootstrap.bin"

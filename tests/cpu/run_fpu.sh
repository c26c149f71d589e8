#!/bin/bash
# run_fpu.sh: x87/SSE special values, host CPU vs soft CPU; one "PASS name" / "FAIL name: why"
# line per instruction group (built by tests/cpu/fpu.mk).
cd "$(dirname "$0")/../.." || exit 2
B=${B:-build}
bin=$B/tests/cpu/fputest
if [ ! -x "$bin" ]; then
    echo "FAIL fputest: $bin not built (make B=$B tests-build)"
    exit 0
fi
exec "$bin"

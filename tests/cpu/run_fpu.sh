#!/bin/bash
# run_fpu.sh: x87/SSE special values, host CPU vs soft CPU; one "PASS name" / "FAIL name: why"
# line per instruction group (built by tests/cpu/fpu.mk).
. "$(dirname "$0")/../lib.sh"
bin=$B/tests/cpu/fputest
need_built fputest "$bin"
exec "$bin"

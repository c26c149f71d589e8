#!/bin/bash
# run_sys.sh: the soft CPU's system tests; one PASS/FAIL/SKIP line per test.
. "$(dirname "$0")/../lib.sh"
exe=$B/tests/cpu/systest
need_built systest "$exe"
"$exe" "$B/guest/bootstrap.bin"

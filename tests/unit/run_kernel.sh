#!/bin/bash
# run_kernel.sh: runs the shim kernel's host-side unit tests; prints "PASS name" / "FAIL name: why".
. "$(dirname "$0")/../lib.sh"
status=0
for t in kern_vma kern_usercopy kern_elf kern_script kern_cfi; do
    bin="$B/tests/unit/$t"
    if [ ! -x "$bin" ]; then
        echo "FAIL $t: $bin not built (make B=$B tests-build)"
        status=1
        continue
    fi
    args=()
    # kern_cfi also reads a static link's .eh_frame (no .eh_frame_hdr) when the check corpus is built
    [ $t = kern_cfi ] && [ -f "$B/tests/check/uaf_cxx.cxxs" ] && args=("$B/tests/check/uaf_cxx.cxxs")
    out=$("$bin" "${args[@]}" 2>&1)
    rc=$?
    printf '%s\n' "$out" | grep -E '^(PASS|FAIL) '
    if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL '; then
        echo "FAIL $t: exited with status $rc: $(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
    fi
    [ $rc -ne 0 ] && status=1
done
exit $status

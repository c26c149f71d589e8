#!/bin/bash
# run.sh: run every test tier (tests/*/run*.sh) and print the "N passed, M failed" total.
# Each tier script prints one line per test: "PASS name", "FAIL name: why", "SKIP name: why".
# Usage: tests/run.sh [tier...]   (default: unit cpu programs check gdb errors hcfuzz fuzz)
. "$(dirname "$0")/lib.sh"
export B
tiers=("$@")
[ ${#tiers[@]} -eq 0 ] && tiers=(unit cpu programs check gdb errors hcfuzz fuzz)
pass=0 fail=0 skip=0
failed=()
for t in "${tiers[@]}"; do
    for s in tests/$t/run*.sh; do
        [ -f "$s" ] || continue
        echo "== $s"
        start=$(date +%s)
        while IFS= read -r line; do
            echo "$line"
            case "$line" in
            PASS\ *) pass=$((pass + 1)) ;;
            FAIL\ *) fail=$((fail + 1)); failed+=("$line") ;;
            SKIP\ *) skip=$((skip + 1)) ;;
            esac
        done < <(bash "$s" 2>&1; rc=$?; [ $rc -ne 0 ] && echo "FAIL $s: exited with status $rc")
        echo "== $s: $(( $(date +%s) - start )) s"
    done
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "== failures:"
    printf '%s\n' "${failed[@]}"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]

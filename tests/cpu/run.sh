#!/bin/bash
# run.sh: the CPU tier: the differential tester with a fixed seed, one PASS/FAIL/SKIP line per
# instruction form (and per sequence group), on the soft CPU with every block translated on its
# first run (BVM_SOFT_JIT_HOT=1; programs translate a block on its 8th), then once more,
# shorter, with translation off (the interpreter alone) as one line; and random instruction bytes.
# Longer runs: difftest --seed N --seconds S.
. "$(dirname "$0")/../lib.sh"
exe=$B/tests/cpu/difftest
need_built difftest "$exe"
BVM_SOFT_JIT_HOT=1 "$exe" --seed 1 --count "${DIFFTEST_COUNT:-300}" 2>&1
# Random instruction bytes (tests/cpu/difftest_fuzz.c), as nobody in a scratch directory: a fixed
# seed, then one that changes every day (printed: rerun with difftest --fuzz N --seed S).
unpriv_copy "$exe"
# The fixed seed's blocks are translated on their first run, the daily one's interpreted.
unprivileged env BVM_SOFT_JIT_HOT=1 "$UNPRIV/difftest" --fuzz "${DIFFTEST_FUZZ:-6000}" --seed 1 2>&1
unprivileged "$UNPRIV/difftest" --fuzz "${DIFFTEST_FUZZ:-6000}" --seed "$(date +%Y%j)" 2>&1
out=$(BVM_SOFT_JIT=0 "$exe" --seed 2 --count 60 --seqs 500 2>&1)
fails=$(grep '^FAIL' <<<"$out")
if [ -z "$fails" ]; then
    echo "PASS difftest-interpreter-only: $(tail -n 2 <<<"$out" | grep -o '[0-9]* cases') agree with the host"
else
    echo "FAIL difftest-interpreter-only: $(grep -c '^FAIL' <<<"$out") forms disagree"
    sed 's/^FAIL /  interpreter-only: /' <<<"$fails"
fi

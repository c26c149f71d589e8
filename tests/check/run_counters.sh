#!/bin/bash
# run_counters.sh: the cost of the checker's malloc/free path, by counters (buffervm --stats on the
# soft CPU, never a timing): per iteration of bench/mallocbench.c (a malloc and a free, or a
# realloc), taken as the difference of two runs 20,000 iterations apart so that start-up cancels:
#   - no VM exit (the shim kernel serves the call: a trap, never the monitor);
#   - fewer than 0.1 blocks started by the soft CPU's engine: translated code chains through the
#     syscall trap, the kernel's work and the return to the program (the program's first touch of
#     the fresh alias page fills the soft TLB in place); it was 8.7 before the chaining, and 0.73
#     while the INVLPG of a freed alias page met a code page in the engine's hashed page set every
#     few hundred frees (unlinking every block); 0.01 now;
#   - fewer than 2,000 guest instructions (about 1,450 now: a guard against a slower path).
. "$(dirname "$0")/../lib.sh"
BVM=$B/buffervm
P=$B/tests/check/mallocbench
mkdir -p "$(dirname "$P")"
gcc -O2 -o "$P" bench/mallocbench.c || { echo "FAIL check-counters: mallocbench does not build"; exit 0; }

# stat KEY N: the counter KEY of a run of N iterations
stat() {
    "$BVM" check --backend soft --stats "$P" "$2" 2>&1 >/dev/null | sed -n "s/.*stats:.* $1 \([0-9]*\).*/\1/p"
}
# per KEY: KEY per iteration, to 2 places
per() {
    local a b
    a=$(stat "$1" 1000) b=$(stat "$1" 21000)
    [ -n "$a" ] && [ -n "$b" ] && echo "($b - $a) / 20000" | bc -l | xargs printf "%.2f"
}

check() { # NAME VALUE LIMIT: VALUE below LIMIT
    if [ -n "$2" ] && [ "$(echo "$2 < $3" | bc -l)" = 1 ]; then
        echo "PASS check-counters $1: $2 per malloc/free (limit $3)"
    else
        echo "FAIL check-counters $1: '${2:-no figure}' per malloc/free (limit $3)"
    fi
}
check "VM exits" "$(per exits)" 0.01
check "engine dispatches" "$(per dispatches)" 0.1
check "guest instructions" "$(per instructions)" 2000

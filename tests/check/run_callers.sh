#!/bin/bash
# run_callers.sh: --num-callers. deep_callers.c overflows a block 30 calls deep (dive, 30 times,
# below main): with --num-callers=40 the access stack is those 30 frames and main, the allocation's
# malloc, the 30 and main; with 5, five frames each; by default 12. Each build (dynamic, static
# glibc, static musl) on soft, and the dynamic one under valgrind's memcheck with the same options,
# which must agree with the expectation (the oracle for it).
. "$(dirname "$0")/../lib.sh"
BVM=$(realpath "$B/buffervm")
T=$(mktemp -d /tmp/bvm-callers.XXXXXX)
trap 'rm -rf "$T"' EXIT

# frames TEXT HEADER: the function names of the stack after the first line matching HEADER.
frames() {
    awk -v h="$2" 'index($0, h) { on = 1; next } on && /^==[0-9]+== +(at|by) / {
        sub(/^==[0-9]+== +(at|by) 0x[0-9A-Fa-f]+: /, ""); sub(/ .*/, ""); print; next } on { exit }' <<<"$1" |
        tr '\n' ' '
}

# expect NAME ACCESS ALLOC: the two stacks of the run's report, as "dive*N main" spelled out
seq_of() { local s="" i; for ((i = 0; i < $1; i++)); do s+="dive "; done; echo "$s$2"; }

check() { # check NAME N TEXT: the stacks for --num-callers=N (0: the default)
    local name=$1 n=$2 out=$3 want_acc want_alloc got_acc got_alloc
    case $n in
    40) want_acc="$(seq_of 30 "main ")" want_alloc="malloc $(seq_of 30 "main ")" ;;
    5) want_acc="$(seq_of 5 "")" want_alloc="malloc $(seq_of 4 "")" ;;
    0) want_acc="$(seq_of 12 "")" want_alloc="malloc $(seq_of 11 "")" ;;
    esac
    got_acc=$(frames "$out" "Invalid write of size 1")
    got_alloc=$(frames "$out" "bytes after a block of size 24 alloc'd")
    if [ "$got_acc" = "$want_acc" ] && [ "$got_alloc" = "$want_alloc" ]; then
        echo "PASS check-callers $name --num-callers=${n/#0/default}"
    else
        echo "FAIL check-callers $name --num-callers=${n/#0/default}: access '$got_acc' (want '$want_acc'), alloc '$got_alloc'"
    fi
}

for b in dyn glibc musl; do
    P=$(realpath "$B/tests/check/deep_callers.$b")
    [ -x "$P" ] || { echo "FAIL check-callers $b: $P not built"; continue; }
    for n in 40 5 0; do
        opt=(); [ "$n" = 0 ] || opt=(--num-callers=$n)
        check "$b [soft]" "$n" "$(cd "$T" && "$BVM" check --backend soft "${opt[@]}" "$P" 2>&1 >/dev/null)"
    done
done
if command -v valgrind >/dev/null; then
    D=$(realpath "$B/tests/check/deep_callers.dyn")
    for n in 40 5 0; do
        opt=(); [ "$n" = 0 ] || opt=(--num-callers=$n)
        check "dyn [memcheck]" "$n" "$(cd "$T" && valgrind "${opt[@]}" "$D" 2>&1 >/dev/null)"
    done
else
    echo "SKIP check-callers memcheck: no valgrind"
fi

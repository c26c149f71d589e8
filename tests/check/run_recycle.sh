#!/bin/bash
# run_recycle.sh: alias space recycling. recycle/alias_churn.c makes and frees 300,000 blocks (2.4 GB
# of alias pages, a page and a guard page each) while 64 live ones move about, with buffervm check
# given 256 MiB of alias space (BVM_CHECK_ALIAS_MIB): it only gets through by recycling, and a
# pointer it kept to its first freed block must still fault at the end (that block's chunk is never
# reused: an error "Invalid write of size 1" at the line of the write, the only one). Each build
# (dynamic, static glibc, static musl) on soft; its output must be the native run's.
. "$(dirname "$0")/../lib.sh"
BVM=$(realpath "$B/buffervm")
SRC=tests/check/recycle/alias_churn.c
T=$(mktemp -d /tmp/bvm-recycle.XXXXXX)
trap 'rm -rf "$T"' EXIT
line=$(grep -n 'stale\[0\] = ' "$SRC" | cut -d: -f1)
gcc -O1 -g -o "$T/dyn" "$SRC" && gcc -static -O1 -g -o "$T/glibc" "$SRC" && musl-gcc -static -O1 -g -o "$T/musl" "$SRC" ||
    { echo "FAIL check-recycle: alias_churn.c does not build"; exit 0; }
for b in dyn glibc musl; do
    native=$("$T/$b")
    out=$(cd "$T" && BVM_CHECK_ALIAS_MIB=256 "$BVM" check --backend soft "$T/$b" 2>"$T/err")
    st=$?
    errs=$(grep -c '^==[0-9]*== Invalid' "$T/err")
    if [ "$out" = "$native" ] && [ $st = 99 ] && [ "$errs" = 1 ] &&
        grep -A1 '^==[0-9]*== Invalid write of size 1$' "$T/err" | grep -q "main (alias_churn.c:$line)" &&
        grep -q 'ERROR SUMMARY: 1 errors from 1 contexts' "$T/err"; then
        echo "PASS check-recycle $b [soft]"
    else
        echo "FAIL check-recycle $b [soft]: status $st, stdout '$out' (native '$native'), $errs errors: $(grep -m 4 . "$T/err" | tr '\n' '|' | cut -c 1-300)"
    fi
done

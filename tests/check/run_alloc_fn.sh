#!/bin/bash
# run_alloc_fn.sh: --alloc-fn by address, for a stripped static program (no symbols to find its
# allocator by): uaf_read_small.glibc, stripped, runs unchecked with one line naming it; told where
# malloc and free are (the addresses nm gives for the unstripped build), the use after free is found.
# (own_alloc.c covers --alloc-fn by name.)
. "$(dirname "$0")/../lib.sh"
BVM=$(realpath "$B/buffervm")
P=$B/tests/check/uaf_read_small.glibc
[ -x "$P" ] || { echo "FAIL check-alloc-fn: $P not built"; exit 0; }
T=$(mktemp -d /tmp/bvm-allocfn.XXXXXX)
trap 'rm -rf "$T"' EXIT
strip -o "$T/prog" "$P"
addr() { nm "$P" | awk -v s="$1" '$3 == s { print "0x" $1 }'; }
native=$(cd "$T" && ./prog 2>/dev/null; echo "status $?")

err=$(cd "$T" && "$BVM" check --backend soft ./prog 2>&1 >/dev/null; echo "status $?")
if [[ $err == *"heap checking is off for $T/prog: no allocator found"* && $err == *"${native##*$'\n'}" ]]; then
    echo "PASS check-alloc-fn stripped, unchecked"
else
    echo "FAIL check-alloc-fn stripped, unchecked: $(tr '\n' '|' <<<"$err" | cut -c 1-300)"
fi

m=$(addr malloc) f=$(addr free)
err=$(cd "$T" && "$BVM" check --backend soft --alloc-fn=malloc="$m" --alloc-fn=free="$f" ./prog 2>&1 >/dev/null; echo "status $?")
if [ -n "$m" ] && [ -n "$f" ] && [[ $err == *"Invalid read of size 4"* && $err == *"is 8 bytes inside a block of size 40 free'd"* &&
    $err == *"status 99" ]]; then
    echo "PASS check-alloc-fn stripped, by address (malloc=$m free=$f)"
else
    echo "FAIL check-alloc-fn stripped, by address (malloc=$m free=$f): $(tr '\n' '|' <<<"$err" | cut -c 1-300)"
fi

# a bad option is one clear line and the usage status
err=$("$BVM" check --alloc-fn=mallocx=0x10 ./prog 2>&1); st=$?
if [ $st = 125 ] && [ "$(wc -l <<<"$err")" = 1 ] && [[ $err == *"bad --alloc-fn"* ]]; then
    echo "PASS check-alloc-fn bad option"
else
    echo "FAIL check-alloc-fn bad option: status $st: $err"
fi

#!/bin/bash
# check.sh: print buffervm check's cost (quoted in the README): each workload natively, under
# buffervm (soft, no checking), under buffervm check (soft) and under valgrind's memcheck, with the
# wall clock (best of 3), the ratio to native and the peak RSS of the run; kvm rows where hardware
# KVM exists. The programs are dynamic (memcheck cannot check static ones) and built -O2 -g. Last,
# the VM exits per allocation under check (buffervm --stats): the malloc/free path should take none.
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
BVM=$B/buffervm
mkdir -p "$B/bench"
if { ! command -v valgrind >/dev/null || [ ! -x /usr/bin/time ]; } && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind time >/dev/null 2>&1
fi
[ -x /usr/bin/time ] || { echo "check.sh: GNU time is needed (apt-get install time)"; exit 1; }
command -v valgrind >/dev/null || { echo "check.sh: valgrind is needed (apt-get install valgrind)"; exit 1; }
[ -x "$BVM" ] || { echo "check.sh: $BVM not built (make)"; exit 1; }
for p in intloop mallocbench readbench; do
    gcc -O2 -g -o "$B/bench/$p.dyn" "bench/$p.c" || exit 1
done
f=$B/bench/data20m
[ -s "$f" ] || yes "BufferVM benchmark data" | head -c 20000000 >"$f"

# run CMD...: "SECS KB": wall clock and peak RSS (KiB) of the best of 3 runs
run() {
    local best= rss= t m
    for _ in 1 2 3; do
        /usr/bin/time -o "$B/bench/time" -f '%e %M' "$@" >/dev/null 2>"$B/bench/err" || {
            cat "$B/bench/err" >&2
            return 1
        }
        read -r t m <"$B/bench/time"
        if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t rss=$m; fi
    done
    echo "$best $rss"
}

hw_kvm() { [ -c /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ]; }

# row NAME NATIVE_SECS CMD...: one table row
row() {
    local name=$1 nat=$2 r t m
    shift 2
    if r=$(run "$@"); then
        read -r t m <<<"$r"
        printf '  %-22s %7.2fs  %6.1fx native  %7.1f MiB peak RSS\n' "$name" "$t" "$(echo "$t / $nat" | bc -l)" \
            "$(echo "$m / 1024" | bc -l)"
    else
        printf '  %-22s failed\n' "$name"
    fi
}

workload() {
    local title=$1 r nat m
    shift
    echo "$title (wall clock, best of 3)"
    r=$(run "$@") || { echo "  native failed"; return; }
    read -r nat m <<<"$r"
    printf '  %-22s %7.2fs  %6s          %7.1f MiB peak RSS\n' native "$nat" "" "$(echo "$m / 1024" | bc -l)"
    row "buffervm (soft)" "$nat" "$BVM" --backend soft "$@"
    row "buffervm check (soft)" "$nat" "$BVM" check --backend soft "$@"
    row "valgrind memcheck" "$nat" valgrind -q --leak-check=full "$@"
    if hw_kvm; then
        row "buffervm (kvm)" "$nat" "$BVM" --backend kvm "$@"
        row "buffervm check (kvm)" "$nat" "$BVM" check --backend kvm "$@"
    else
        echo "  kvm rows skipped: no hardware /dev/kvm here"
    fi
}

workload "malloc-heavy: 1M malloc/free/realloc" "$B/bench/mallocbench.dyn" 1000000
workload "CPU-bound: integer loop, 20M iterations" "$B/bench/intloop.dyn" 20000000
workload "syscall-heavy: 5 x 20 MB in 512-byte reads (200k read calls)" "$B/bench/readbench.dyn" "$f" 5
if [ -x /usr/bin/python3 ]; then # Debian's (a version manager's shim would hide it from memcheck)
    workload "python3: 200k small objects (str, list, dict)" /usr/bin/python3 -c \
        'd = {}; [d.setdefault(i % 5000, []).append(str(i) * 3) for i in range(200000)]; print(len(d))'
fi

# Counters under check (--stats), per mallocbench iteration (a malloc and a free, or a realloc):
# VM exits (the kernel serves malloc and free itself: a trap, no exit), guest instructions (the
# kernel's work per call) and soft TLB misses (page walks)
stat() { "$BVM" check --backend soft --stats "$B/bench/mallocbench.dyn" "$2" 2>&1 >/dev/null | sed -n "s/.* $1 \([0-9]*\).*/\1/p"; }
per() { echo "($(stat "$1" 101000) - $(stat "$1" 1000)) / 100000" | bc -l | xargs printf "%.${2}f"; }
echo "per mallocbench iteration under check (soft): $(per exits 4) VM exits, $(per instructions 0) guest instructions," \
    "$(per misses 2) soft TLB misses"

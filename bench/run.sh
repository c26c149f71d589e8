#!/bin/bash
# run.sh: print BufferVM's performance figures (quoted in the README): each workload natively,
# under buffervm --backend soft, under qemu-x86_64 (Debian's qemu-user) and under kvm where
# hardware KVM exists, with ratios to native, plus the soft CPU's guest instructions per second.
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
BVM=$B/buffervm
mkdir -p "$B/bench"
if ! command -v qemu-x86_64 >/dev/null && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user >/dev/null 2>&1
fi
for p in peakrss hello intloop mallocbench fpbench sigbench forkbench mapbench threadbench; do
    gcc -static -O2 -o "$B/bench/$p" "bench/$p.c" -lm || exit 1
done
f=$B/bench/data20m
[ -s "$f" ] || yes "BufferVM benchmark data" | head -c 20000000 >"$f"

# secs CMD...: wall-clock seconds, best of 3 runs
secs() {
    local best= s e t
    for _ in 1 2 3; do
        s=$(date +%s.%N); "$@" >/dev/null 2>"$B/bench/err" || { cat "$B/bench/err" >&2; return 1; }; e=$(date +%s.%N)
        t=$(echo "$e - $s" | bc -l)
        if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
    done
    printf '%.3f' "$best"
}

hw_kvm() { [ -c /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ]; }

# workload TITLE CMD...: one table row per runner
workload() {
    local title=$1; shift
    echo "$title (wall clock, best of 3)"
    local nat t insns line
    nat=$(secs "$@") || { echo "  native failed"; return; }
    printf '  %-12s %8ss\n' native "$nat"
    if t=$(secs "$BVM" --backend soft "$@"); then
        line=$(printf '  %-12s %8ss  %6.1fx native' soft "$t" "$(echo "$t / $nat" | bc -l)")
        # one stats line per process: the rate is only meaningful for a single process
        insns=$("$BVM" --backend soft --stats "$@" 2>&1 >/dev/null | sed -n 's/.*instructions \([0-9]*\).*/\1/p')
        [ "$(wc -l <<<"$insns")" = 1 ] || insns=
        [ -n "$insns" ] && line+=$(printf '  %.0f M guest instructions/s' "$(echo "$insns / $t / 1000000" | bc -l)")
        echo "$line"
    else
        echo "  soft         failed"
    fi
    if command -v qemu-x86_64 >/dev/null && t=$(secs env ${QEMU_ENV:+"$QEMU_ENV"} qemu-x86_64 "$@"); then
        printf '  %-12s %8ss  %6.1fx native\n' qemu-x86_64 "$t" "$(echo "$t / $nat" | bc -l)"
    else
        echo "  qemu-x86_64  not installed (apt-get install qemu-user)"
    fi
    if hw_kvm && t=$(secs "$BVM" --backend kvm "$@"); then
        printf '  %-12s %8ss  %6.1fx native\n' kvm "$t" "$(echo "$t / $nat" | bc -l)"
    else
        echo "  kvm          skipped: no hardware /dev/kvm here (see bench/kvm_nested.sh)"
    fi
}

workload "start-up: a static hello world" "$B/bench/hello"
echo "start-up: peak RSS of the static hello world"
rss=$B/bench/peakrss
printf '  %-12s %8s KiB\n' native "$("$rss" "$B/bench/hello")" soft "$("$rss" "$BVM" --backend soft "$B/bench/hello")"
command -v qemu-x86_64 >/dev/null && printf '  %-12s %8s KiB\n' qemu-x86_64 "$("$rss" qemu-x86_64 "$B/bench/hello")"
workload "CPU-bound: integer loop, 20M iterations" "$B/bench/intloop" "${N:-20000000}"
workload "malloc-heavy: 2M malloc/free/realloc" "$B/bench/mallocbench" 2000000
workload "floating point: n-body, 200k steps" "$B/bench/fpbench" 200000
[ -x /bin/busybox ] && workload "busybox sha256sum of a 20 MB file" /bin/busybox sha256sum "$f"
workload "signals: 100k raise() round trips into a handler and back" "$B/bench/sigbench" 100000
workload "processes: 200 fork+exit+wait with a 64 MiB heap" "$B/bench/forkbench" fork 200 64
# qemu-user runs a program's execve natively; the qemu row's child execs qemu-x86_64 /bin/true,
# as binfmt_misc would, so that /bin/true is emulated there too
QEMU_ENV=FORKBENCH_EXEC_VIA=$(command -v qemu-x86_64) \
    workload "processes: 200 fork+exec of /bin/true+wait" "$B/bench/forkbench" spawn 200
workload "processes: 1 GiB through a pipe from a child" "$B/bench/forkbench" pipe 1024
workload "threads: 100k futex ping-pong rounds between two threads" "$B/bench/threadbench" pingpong 100000
workload "threads: 4 threads take one mutex 1M times in all" "$B/bench/threadbench" mutex 1000000
workload "threads: 2000 pthread_create+join" "$B/bench/threadbench" create 2000
workload "threads: 2 CPU-bound threads, 200M iterations each" "$B/bench/threadbench" spin2 200000000
# A compile job: gcc's compiler proper (cc1, one process: qemu-user would run the children of
# the gcc driver natively) at -O2 on one of our own sources, preprocessed here first.
cc1=$(gcc -print-prog-name=cc1)
if [ -x "$cc1" ] && gcc -E -Iinclude -Isoftcpu softcpu/mmu.c -o "$B/bench/compile.i"; then
    workload "compile: gcc's cc1 -O2 of softcpu/mmu.c, preprocessed (2200 lines)" \
        "$cc1" -fpreprocessed "$B/bench/compile.i" -quiet -O2 -o /dev/null
fi
workload "memory: 20 x (map 1 GiB of /dev/zero and a 20 MB file privately, touch a page of each)" \
    "$B/bench/mapbench" 1024 "$f" 20

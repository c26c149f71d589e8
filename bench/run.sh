#!/bin/bash
# run.sh: print BufferVM's performance figures (quoted in the README): the soft CPU's speed on
# an integer loop against native (and kvm when /dev/kvm works), with instructions per second.
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
BVM=$B/buffervm
mkdir -p "$B/bench"
gcc -static -O2 -o "$B/bench/intloop" bench/intloop.c || exit 1
N=${N:-20000000}

# secs CMD...: wall-clock seconds of one run (best of 3)
secs() {
    local best=
    for _ in 1 2 3; do
        local s e
        s=$(date +%s.%N); "$@" >/dev/null 2>"$B/bench/err" || { cat "$B/bench/err"; return 1; }; e=$(date +%s.%N)
        local t; t=$(echo "$e - $s" | bc -l)
        if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
    done
    printf '%.3f' "$best"
}

echo "integer loop, $N iterations (best of 3 runs)"
native=$(secs "$B/bench/intloop" "$N")
printf '  %-8s %8ss\n' native "$native"
for be in soft kvm; do
    if [ "$be" = kvm ] && { [ ! -c /dev/kvm ] || [ -d /sys/module/kvm_pvm ]; }; then
        echo "  kvm      skipped: no hardware /dev/kvm here (see bench/kvm_nested.sh)"; continue
    fi
    t=$(secs "$BVM" --backend "$be" "$B/bench/intloop" "$N") || { echo "  $be failed"; continue; }
    line="  $(printf '%-8s %8ss  %6.1fx native' "$be" "$t" "$(echo "$t / $native" | bc -l)")"
    if [ "$be" = soft ]; then
        insns=$("$BVM" --backend soft --stats "$B/bench/intloop" "$N" 2>&1 >/dev/null | sed -n 's/.*instructions \([0-9]*\).*/\1/p')
        [ -n "$insns" ] && line+="  $(printf '%.0f M instructions/s' "$(echo "$insns / $t / 1000000" | bc -l)")"
    fi
    echo "$line"
done

# A busybox workload: sha256sum of a 20 MB file (skipped without a static /bin/busybox).
if [ -x /bin/busybox ]; then
    f=$B/bench/data20m
    [ -s "$f" ] || yes "BufferVM benchmark data" | head -c 20000000 > "$f"
    echo "busybox sha256sum, 20 MB file (best of 3 runs)"
    nat=$(secs /bin/busybox sha256sum "$f")
    printf '  %-8s %8ss\n' native "$nat"
    if t=$(secs "$BVM" --backend soft /bin/busybox sha256sum "$f"); then
        printf '  %-8s %8ss  %6.1fx native\n' soft "$t" "$(echo "$t / $nat" | bc -l)"
    else
        echo "  soft     failed"
    fi
fi

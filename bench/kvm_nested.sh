#!/bin/bash
# kvm_nested.sh: benchmark native vs --backend kvm vs --backend soft inside the nested test VM (QEMU TCG,
# emulated AMD SVM): a CPU-bound loop and a hostcall-heavy one, with ratios and exits per hostcall;
# signals, forks, and buffervm check's malloc path (exits per malloc/free).
# The nested VM's SVM is emulated by QEMU, so the times are NOT hardware figures; what the run shows is
# structural: kvm adds no per-instruction work (no extra exits, instruction count 0, kvm/native near 1
# once startup is subtracted) and each hostcall costs exactly one exit.
# Usage: bench/kvm_nested.sh [--cpu MODEL]
#        (env: B, BENCH_CPU_N, BENCH_SMALL_N, BENCH_WRITES_N, BENCH_SIGS_N, BENCH_FORKS_N, BENCH_MALLOC_N,
#         BENCH_REPS)
#        bench/kvm_nested.sh --inside BVM DIR   (what runs inside the VM)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
CPU_N=${BENCH_CPU_N:-200000000}
WRITES_N=${BENCH_WRITES_N:-20000}
SIGS_N=${BENCH_SIGS_N:-20000}
FORKS_N=${BENCH_FORKS_N:-50}
REPS=${BENCH_REPS:-3}
MALLOC_N=${BENCH_MALLOC_N:-50000}
SMALL_N=${BENCH_SMALL_N:-$((CPU_N / 20))}

# ms CMD...: best wall time in milliseconds over REPS runs (1 run for soft, the slow one); output dropped.
ms() {
    local best= s e t r reps=$REPS
    [[ " $* " == *" --backend soft "* ]] && reps=1
    for ((r = 0; r < reps; r++)); do
        s=$(date +%s%N)
        "$@" >/dev/null 2>&1 || { echo "FAILED($?)"; return; }
        e=$(date +%s%N)
        t=$(((e - s) / 1000000))
        [ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
    done
    echo "$best"
}
# sub A B: A - B, or "-" when either is not a number (a failed run).
sub() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^-?[0-9]+$/ && b ~ /^-?[0-9]+$/) print a - b; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0 && a ~ /^-?[0-9]+$/) printf "%.2f", a / b; else print "-" }'; }
# stat FIELD CMD...: a number from buffervm --stats ("exits N, hostcalls N, instructions N").
stat() {
    local f=$1; shift
    "$@" 2>&1 >/dev/null | sed -n "s/.*stats:.* $f \([0-9]*\).*/\1/p" | tail -n 1
}

inside() {
    local bvm=$1 dir=$2 row w
    local cpu=$dir/cpuloop writes=$dir/writes sigs=$dir/sigbench forks=$dir/forkbench
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), kvm_amd npt=$(cat /sys/module/kvm_amd/parameters/npt 2>/dev/null)"
    printf '%-22s %10s %10s %10s %11s %11s\n' workload native_ms kvm_ms soft_ms kvm/native soft/native
    declare -A T
    # The soft CPU under TCG is far slower, so it runs the loop on SMALL_N iterations only (cpuloop_s).
    for row in "startup:$cpu 0" "cpuloop:$cpu $CPU_N" "cpuloop_s:$cpu $SMALL_N" "writes0:$writes 0" \
        "writes:$writes $WRITES_N" "sigs0:$sigs 0" "sigs:$sigs $SIGS_N" "forks0:$forks fork 0 16" \
        "forks:$forks fork $FORKS_N 16"; do
        w=${row%%:*}
        read -ra argv <<<"${row#*:}"
        T[$w.n]=$(ms "${argv[@]}")
        T[$w.k]=$(ms "$bvm" --backend kvm "${argv[@]}")
        if [ "$w" = cpuloop ]; then T[$w.s]=skipped; else T[$w.s]=$(ms "$bvm" --backend soft "${argv[@]}"); fi
        printf '%-22s %10s %10s %10s %11s %11s\n' "$w ${argv[1]}" "${T[$w.n]}" "${T[$w.k]}" "${T[$w.s]}" \
            "$(ratio "${T[$w.k]}" "${T[$w.n]}")" "$(ratio "${T[$w.s]}" "${T[$w.n]}")"
    done
    # Subtracting the fixed cost of starting a VM leaves the cost of the work itself.
    local kn sn nn ns
    kn=$(sub "${T[cpuloop.k]}" "${T[startup.k]}") nn=$(sub "${T[cpuloop.n]}" "${T[startup.n]}")
    sn=$(sub "${T[cpuloop_s.s]}" "${T[startup.s]}") ns=$(sub "${T[cpuloop_s.n]}" "${T[startup.n]}")
    echo "cpuloop minus startup: $CPU_N iterations: native $nn ms, kvm $kn ms, kvm/native $(ratio "$kn" "$nn");" \
        "$SMALL_N iterations: native $ns ms, soft $sn ms, soft/native $(ratio "$sn" "$ns")"
    local e0 e1 h0 h1 i1 we0 we1 wh0 wh1
    e0=$(stat exits "$bvm" --stats --backend kvm "$cpu" 0)
    e1=$(stat exits "$bvm" --stats --backend kvm "$cpu" "$CPU_N")
    h0=$(stat hostcalls "$bvm" --stats --backend kvm "$cpu" 0)
    h1=$(stat hostcalls "$bvm" --stats --backend kvm "$cpu" "$CPU_N")
    i1=$(stat instructions "$bvm" --stats --backend kvm "$cpu" "$CPU_N")
    echo "kvm cpuloop: exits $e0 -> $e1, hostcalls $h0 -> $h1 for 0 -> $CPU_N iterations;" \
        "instructions counted by the monitor: $i1 (kvm does no per-instruction work)"
    echo "soft cpuloop: instructions counted by the soft CPU: $(stat instructions "$bvm" --stats --backend soft "$cpu" 0)" \
        "-> $(stat instructions "$bvm" --stats --backend soft "$cpu" "$SMALL_N") for 0 -> $SMALL_N iterations"
    we0=$(stat exits "$bvm" --stats --backend kvm "$writes" 0)
    we1=$(stat exits "$bvm" --stats --backend kvm "$writes" "$WRITES_N")
    wh0=$(stat hostcalls "$bvm" --stats --backend kvm "$writes" 0)
    wh1=$(stat hostcalls "$bvm" --stats --backend kvm "$writes" "$WRITES_N")
    echo "kvm writes: exits $we0 -> $we1, hostcalls $wh0 -> $wh1 for 0 -> $WRITES_N writes;" \
        "per write: $(ratio "$(sub "$we1" "$we0")" "$WRITES_N") exits, $(ratio "$(sub "$wh1" "$wh0")" "$WRITES_N") hostcalls;" \
        "exits per hostcall overall $(ratio "$we1" "$wh1")"
    local k=$((WRITES_N / 1000))
    echo "per write: native $(ratio "$(sub "${T[writes.n]}" "${T[writes0.n]}")" "$k") us," \
        "kvm $(ratio "$(sub "${T[writes.k]}" "${T[writes0.k]}")" "$k") us," \
        "soft $(ratio "$(sub "${T[writes.s]}" "${T[writes0.s]}")" "$k") us"
    k=$((SIGS_N / 1000))
    echo "per signal round trip (raise, handler, sigreturn): native $(ratio "$(sub "${T[sigs.n]}" "${T[sigs0.n]}")" "$k") us," \
        "kvm $(ratio "$(sub "${T[sigs.k]}" "${T[sigs0.k]}")" "$k") us," \
        "soft $(ratio "$(sub "${T[sigs.s]}" "${T[sigs0.s]}")" "$k") us"
    echo "per fork+exit+wait (16 MiB heap; on kvm the child builds a new VM): native $(ratio "$(sub "${T[forks.n]}" "${T[forks0.n]}")" "$FORKS_N") ms," \
        "kvm $(ratio "$(sub "${T[forks.k]}" "${T[forks0.k]}")" "$FORKS_N") ms," \
        "soft $(ratio "$(sub "${T[forks.s]}" "${T[forks0.s]}")" "$FORKS_N") ms"
    check_rows "$bvm" "$dir/mallocbench"
}

# check_rows BVM MALLOCBENCH: buffervm check on kvm: VM exits and hostcalls per malloc/free
# iteration (the goal: none; a call is a trap the shim kernel serves), and the time per iteration
# natively, under kvm, under check on kvm (here, where SVM is emulated: an upper bound, not a
# hardware figure).
check_rows() {
    local bvm=$1 mb=$2 n=$MALLOC_N e0 e1 h0 h1 t k c n0 k0 c0
    e0=$(stat exits "$bvm" check --stats --backend kvm "$mb" 0)
    e1=$(stat exits "$bvm" check --stats --backend kvm "$mb" "$n")
    h0=$(stat hostcalls "$bvm" check --stats --backend kvm "$mb" 0)
    h1=$(stat hostcalls "$bvm" check --stats --backend kvm "$mb" "$n")
    echo "kvm check mallocbench: exits $e0 -> $e1, hostcalls $h0 -> $h1 for 0 -> $n iterations (a malloc and a" \
        "free, or a realloc); per iteration: $(ratio "$(sub "$e1" "$e0")" "$n") exits, $(ratio "$(sub "$h1" "$h0")" "$n") hostcalls"
    n0=$(ms "$mb" 0) t=$(ms "$mb" "$n") k0=$(ms "$bvm" --backend kvm "$mb" 0) k=$(ms "$bvm" --backend kvm "$mb" "$n")
    c0=$(ms "$bvm" check --backend kvm "$mb" 0) c=$(ms "$bvm" check --backend kvm "$mb" "$n")
    local per=$((n / 1000))
    echo "per mallocbench iteration: native $(ratio "$(sub "$t" "$n0")" "$per") us, kvm $(ratio "$(sub "$k" "$k0")" "$per") us," \
        "check on kvm $(ratio "$(sub "$c" "$c0")" "$per") us"
}

if [ "${1:-}" = --inside ]; then
    inside "$2" "$3"
    exit 0
fi

cpu_model=EPYC
[ "${1:-}" = --cpu ] && cpu_model=$2
[ -x "$B/buffervm" ] || { echo "kvm_nested: $B/buffervm not built (make B=$B)" >&2; exit 1; }
out=$B/bench/kvm_nested
mkdir -p "$out"
for p in cpuloop writes; do
    gcc -static -O2 -o "$out/$p" "bench/kvm_nested/$p.c" || { echo "kvm_nested: building $p failed" >&2; exit 1; }
done
for p in sigbench forkbench mallocbench; do
    gcc -static -O2 -o "$out/$p" "bench/$p.c" || { echo "kvm_nested: building $p failed" >&2; exit 1; }
done
# shellcheck source=tests/kvm/vm.sh
. tests/kvm/vm.sh
kvm_prepare || { echo "kvm_nested: $KVM_WHY" >&2; exit 1; }
bvm=$(realpath "$B/buffervm") dir=$(realpath "$out")
cmd="BENCH_MALLOC_N=$MALLOC_N BENCH_CPU_N=$CPU_N BENCH_SMALL_N=$SMALL_N BENCH_WRITES_N=$WRITES_N BENCH_SIGS_N=$SIGS_N BENCH_FORKS_N=$FORKS_N BENCH_REPS=$REPS bash bench/kvm_nested.sh --inside $(printf %q "$bvm") $(printf %q "$dir")"
kvm_initramfs "$KVM_DIR/initrd-bench.gz" "$(pwd -P)" "$cmd" "$(dirname "$bvm")" "$dir" || { echo "kvm_nested: $KVM_WHY" >&2; exit 1; }
echo "== nested benchmark under qemu -accel tcg -cpu $cpu_model (SVM emulated by QEMU: not hardware figures)"
ended=
while IFS= read -r l; do
    case "$l" in
    "@@ "*) echo "${l#@@ }" ;;
    "@@FATAL "*) echo "kvm_nested: VM setup failed: ${l#@@FATAL }" >&2; exit 1 ;;
    "@@END "*) ended=1 ;;
    esac
done < <(kvm_boot "$cpu_model" "$KVM_DIR/initrd-bench.gz")
[ -n "$ended" ] || { echo "kvm_nested: no end marker; see $KVM_DIR/console-$cpu_model.log" >&2; exit 1; }

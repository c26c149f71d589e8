#!/bin/bash
# run.sh: the kvm tier: the shared program tests (tests/programs/cases) on --backend kvm inside a nested
# VM (QEMU TCG with AMD SVM, kvm_amd) under each CPU model, plus the same list on soft here, with parity.
# Prints "PASS/FAIL/SKIP" lines for tests/run.sh. Anything that keeps the kvm run from happening (no
# qemu, no /dev/kvm in the VM, no boot, no end marker) is a FAIL: a skipped kvm run never looks like a pass.
# The gdb tier (tests/gdb/run.sh; NAME gdb or gdb-*: it alone) and the heap checker's tier
# (tests/check/run.sh, and run_formats.sh) run in the VM too, on kvm, after the program tests,
# and a subset of the program tests under `buffervm check` (run_check.sh: the whole list runs on soft
# in make test); their "check ..." and "[kvm check]" lines stay out of the parity (on kvm a bug that
# stays inside its block's page may go unreported: those cases differ from soft by design).
# Usage: tests/kvm/run.sh [--cpu MODEL]... [--bvm PATH] [--progs DIR] [NAME...]
#   env: B (build dir), KVM_VM_TIMEOUT (s per boot), KVM_CPUS (default "EPYC qemu64"),
#        KVM_JOBS (VMs at once, default 2), KVM_CHECK (0: leave the checker's tier out; all: its
#        whole corpus, else a subset),
#        KVM_CHECK_PROGS (its corpus, default $B/tests/check)
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/kvm/vm.sh
. tests/kvm/vm.sh
read -ra cpus <<<"${KVM_CPUS:-EPYC qemu64}"
prog_args --cpu "$@"
[ ${#opt_values[@]} -gt 0 ] && cpus=("${opt_values[@]}")
[ -x "$BVM" ] || { echo "FAIL kvm-setup: $BVM not built"; exit 0; }
[ -d "$PROGS" ] || { echo "FAIL kvm-setup: $PROGS not built"; exit 0; }
BVM=$(realpath "$BVM") PROGS=$(realpath "$PROGS") REPO=$(pwd -P)
CHECK_PROGS=$(realpath -m "${KVM_CHECK_PROGS:-$B/tests/check}")

# The soft side runs here, on the other core, while the VMs boot one after another.
SOFT_OUT=$(mktemp /tmp/bvm-kvm-soft.XXXXXX)
trap 'rm -f "$SOFT_OUT" "$SOFT_OUT.end"' EXIT
soft_t0=$(kvm_now)
{
    for t in run run_tree; do
        bash tests/programs/$t.sh --backend soft --bvm "$BVM" --progs "$PROGS" "${only[@]}"
    done >"$SOFT_OUT" 2>&1
    kvm_now >"$SOFT_OUT.end" # its own end: the VMs may still be running
} &
soft_pid=$!

if ! kvm_prepare; then
    echo "FAIL kvm-setup: kvm tests skipped: $KVM_WHY"
    wait "$soft_pid"
    exit 0
fi
t0=$(kvm_now)
args="--backend kvm --bvm $(printf %q "$BVM") --progs $(printf %q "$PROGS")"
for n in "${only[@]}"; do args+=" $(printf %q "$n")"; done
cmd="bash tests/programs/run.sh $args; bash tests/programs/run_tree.sh $args"
if [ "${KVM_CHECK:-1}" != 0 ]; then
    # the NAMEs go along: a program test's name selects no check case, a check case's (or a glob) no program
    cargs="--backend kvm --no-valgrind --bvm $(printf %q "$BVM") --progs $(printf %q "$CHECK_PROGS")"
    # without NAMEs a representative subset (the VM's one CPU runs the whole corpus in 10 minutes,
    # which with the program tests would not fit a boot's time on a busy CI machine): every
    # dynamic C program, and static glibc, static musl and C++ samples; KVM_CHECK=all: everything
    if [ ${#only[@]} -gt 0 ]; then
        for n in "${only[@]}"; do cargs+=" $(printf %q "$n")"; done
    elif [ "${KVM_CHECK:-1}" != all ]; then
        cargs+=" '*.dyn' uaf_read_small.glibc ovf_write10000.glibc double_free.musl leak_strdup.musl"
        cargs+=" uaf_cxx.cxx uaf_cxx.cxxs mismatch_new_free.cxx clean_new_forms.cxx"
    fi
    cmd+="; bash tests/check/run.sh $cargs"
    # the reports for tools (XML against valgrind's in the VM, JSON, SARIF, suppressions, children)
    if [ ${#only[@]} -eq 0 ] || printf '%s\n' "${only[@]}" | grep -q '^check-formats$'; then
        cmd+="; bash tests/check/run_formats.sh --backend kvm --bvm $(printf %q "$BVM") --progs $(printf %q "$CHECK_PROGS")"
    fi
    # program tests under check: processes, vfork's shared heap, threads, Debian programs
    # (KVM_CHECK=all: all of them)
    pargs=$args
    if [ ${#only[@]} -eq 0 ] && [ "${KVM_CHECK:-1}" != all ]; then
        pargs+=" hello-glibc hello-musl proc-fork-dyn proc-share-dyn vfork-heap-dyn dash-commands threads-dyn"
        pargs+=" dyn-sort dyn-tar-cf dyn-python3 sig-basic-dyn-glibc"
    fi
    cmd+="; bash tests/programs/run_check.sh $pargs"
fi
# the gdb stub (tests/gdb/run.sh: each scenario against gdb on the native program, in the VM too)
GDB_PROGS=$(realpath -m "$B/tests/gdb")
if [ ${#only[@]} -eq 0 ] || printf '%s\n' "${only[@]}" | grep -q '^gdb'; then
    gargs=()
    for n in "${only[@]}"; do [[ $n == gdb* && $n != gdb ]] && gargs+=("$(printf %q "$n")"); done
    cmd+="; BVM=$(printf %q "$BVM") GDB_PROGS=$(printf %q "$GDB_PROGS") bash tests/gdb/run.sh --backend kvm ${gargs[*]}"
fi
if ! kvm_initramfs "$KVM_DIR/initrd.gz" "$REPO" "$cmd" "$(dirname "$BVM")" "$PROGS" "$CHECK_PROGS" "$GDB_PROGS"; then
    echo "FAIL kvm-setup: initramfs: $KVM_WHY"
    wait "$soft_pid"
    exit 0
fi
kvm_stage initramfs "$(kvm_secs "$t0" "$(kvm_now)")"

# passed_names FILE BACKEND: the names of the program tests that passed on BACKEND, sorted (the
# checker's "check ..." cases are not among them: see the top).
passed_names() { sed -n "/^PASS check /d; s/^PASS \(.*\) \[$2\]\$/\1/p" "$1" | sort; }

# run_model CPU: boot under CPU, relay the program test lines tagged [kvm/CPU], judge the markers.
run_model() {
    local cpu=$1 t0 tready= tend= fatal= endline= l line res=$KVM_DIR/results-$1.txt
    : >"$res"
    t0=$(kvm_now)
    while IFS= read -r l; do
        case "$l" in
        "@@READY"*)
            tready=$(kvm_now)
            kvm_stage "boot [$cpu]" "$(kvm_secs "$t0" "$tready")"
            echo "info [$cpu]: ${l#@@READY }"
            ;;
        "@@INFO "*) echo "info [$cpu]: ${l#@@INFO }" ;;
        "@@FATAL "*) fatal=${l#@@FATAL } ;;
        "@@END "*) tend=$(kvm_now); endline=${l#@@END } ;;
        "@@ "*)
            line=${l#@@ }
            case "$line" in
            PASS\ * | FAIL\ *)
                echo "$line" >>"$res"
                line=${line/ \[kvm check\]/ [kvm/$cpu check]}
                line=${line/ \[kvm gdb\]/ [kvm/$cpu gdb]}
                echo "${line/ \[kvm\]/ [kvm/$cpu]}"
                ;;
            SKIP\ *) echo "$line [kvm/$cpu]" ;;
            *) echo "  [$cpu] $line" ;;
            esac
            ;;
        esac
    done < <(kvm_boot "$cpu" "$KVM_DIR/initrd.gz")
    local console="$KVM_DIR/console-$cpu.log"
    if [ -n "$fatal" ]; then
        echo "FAIL kvm-vm [$cpu]: $fatal"
    elif [ -z "$tready" ]; then
        echo "FAIL kvm-vm [$cpu]: the VM did not come up; console tail: $(tail -n 5 "$console" | tr '\n' '|')"
    elif [ -z "$tend" ]; then
        echo "FAIL kvm-vm [$cpu]: no end marker (killed after ${KVM_VM_TIMEOUT} s?); console tail: $(tail -n 3 "$console" | tr '\n' '|')"
    elif ! grep -q '^PASS ' "$res"; then
        echo "FAIL kvm-vm [$cpu]: no program test passed on kvm ($endline)"
    else
        echo "PASS kvm-vm [$cpu]"
    fi
    [ -n "$tend" ] && kvm_stage "tests [$cpu]" "$(kvm_secs "$tready" "$tend")"
}

# One VM per CPU model, all at once by default (QEMU TCG keeps one core busy per VM; this machine has
# two): each line is written whole, so the streams interleave by line. KVM_JOBS=1 boots one at a time.
if [ "${KVM_JOBS:-2}" -gt 1 ]; then
    pids=()
    for cpu in "${cpus[@]}"; do
        run_model "$cpu" &
        pids+=($!)
    done
    wait "${pids[@]}"
else
    for cpu in "${cpus[@]}"; do
        run_model "$cpu"
    done
fi

wait "$soft_pid"
kvm_stage "soft (on the host, alongside the VMs)" "$(kvm_secs "$soft_t0" "$(cat "$SOFT_OUT.end")")"
grep -E '^(FAIL|SKIP) ' "$SOFT_OUT" | sed 's/^/  soft: /'
soft_n=$(passed_names "$SOFT_OUT" soft | wc -l)
for cpu in "${cpus[@]}"; do
    res=$KVM_DIR/results-$cpu.txt
    kvm_n=$(passed_names "$res" kvm | wc -l)
    if [ "$soft_n" -gt 0 ] && [ "$kvm_n" -eq "$soft_n" ] && cmp -s <(passed_names "$res" kvm) <(passed_names "$SOFT_OUT" soft); then
        echo "PASS kvm-soft-parity [$cpu]: kvm $kvm_n passed, soft $soft_n passed, the same tests"
    else
        echo "FAIL kvm-soft-parity [$cpu]: kvm $kvm_n passed, soft $soft_n passed; only on one side:" \
            "$(comm -3 <(passed_names "$res" kvm) <(passed_names "$SOFT_OUT" soft) | tr -d '\t' | tr '\n' ' ')"
    fi
done
sed 's/^/stages: /' "$KVM_STAGES"

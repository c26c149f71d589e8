#!/bin/bash
# run.sh: the hostile-kernel hostcall fuzzer: buffervm boots hcfuzz.elf (tests/hcfuzz/hcfuzz_main.c), a
# shim kernel that makes random hostcalls (invalid numbers, bad and edge addresses and lengths, host
# fds), maps files into the file window and checks the answers to requests aimed at it, then in most
# runs does one last thing the monitor must answer by stopping the VM. As nobody, in a scratch
# directory, the host's file-size limit at 16 MiB, each run under a time-out.
# A run passes when buffervm ends as that run must: status 0 after "hcfuzz: done"; or, after the last
# act, status 125 with one "buffervm: vm:" or "buffervm: kernel panic: ... kernel trap" line, or the
# program's SIGBUS for a page past its file's end (on kvm a bad window access is that SIGBUS too).
# Never: "internal error" (buffervm crashed), "hcfuzz: FAIL" (an answer broke the fuzzer's model of
# the window or of the call), a time-out (a hang), anything else.
# Seeds: 1 and today's (date +%Y%j); each seed is 9 runs (the last act 0..8, 64M and 3200M of RAM
# alternately) of HCFUZZ_STEPS steps (default 25000). Rerun a failure with the command it prints.
. "$(dirname "$0")/../lib.sh"
ELF=$B/tests/hcfuzz/hcfuzz.elf
need_built hostcall-fuzz "$ELF"
need_built hostcall-fuzz "$B/buffervm"
if ! unpriv_copy "$B/buffervm" || ! unpriv_copy "$ELF"; then
    echo "FAIL hostcall-fuzz: cannot make a scratch directory"
    exit 0
fi
if [ "$(unprivileged id -u)" = 0 ]; then
    echo "SKIP hostcall-fuzz: cannot run as an unprivileged user (root without setpriv)"
    exit 0
fi
STEPS=${HCFUZZ_STEPS:-25000}

# check_run DIR BACKEND FINAL: why the run in DIR did not end as it must (nothing when it did).
check_run() {
    local d=$1 backend=$2 final=$3 st err msgs expect want_st line
    st=$(cat "$d/status" 2>/dev/null)
    err=$(grep -a -o -e 'buffervm: .*' -e 'hcfuzz: done.*' -e 'hcfuzz: FAIL.*' -e 'hcfuzz: final.*' "$d/err" |
        grep -av -e '^buffervm: backend' -e '^buffervm: sandbox')
    msgs=$(grep -ac '^buffervm: ' <<<"$err")
    # 124: the time-out's SIGTERM ended it; 137: its SIGKILL did (the fuzzer takes the SIGTERM event
    # and goes on, as a kernel that ignores it would)
    if [ "$st" = 124 ] || [ "$st" = 137 ]; then echo "timed out (a hang)"; return; fi
    if grep -aq 'internal error' "$d/err"; then
        grep -a -o 'buffervm: internal error.*' "$d/err" | head -n 1
        return
    fi
    grep -a -m 1 'hcfuzz: FAIL' <<<"$err" && return
    if ! grep -aq 'hcfuzz: done' <<<"$err"; then
        echo "status $st before the end of the steps: $(tail -n 2 <<<"$err" | tr '\n' ' ')"
        return
    fi
    if [ "$final" = 0 ]; then
        [ "$st" = 0 ] && [ "$msgs" = 0 ] || echo "status $st: $(tail -n 2 <<<"$err")"
        return
    fi
    expect=$(grep -a -o 'hcfuzz: final .*; expect [a-z]*' <<<"$err" | sed 's/.*; expect //')
    if [ "$backend" = kvm ] && [ "$expect" = vm ] && [ "$st" = 135 ]; then expect=sigbus; fi
    case "$expect" in
    vm) want_st=125 line='^buffervm: vm: ' ;;
    panic) want_st=125 line='^buffervm: kernel panic: .*kernel trap' ;;
    sigbus) want_st=135 line='^buffervm: program killed by signal 7' ;;
    *) echo "no last act announced (status $st)"; return ;;
    esac
    [ "$st" = "$want_st" ] && [ "$msgs" = 1 ] && grep -aq "$line" <<<"$err" && return
    echo "the last act (expect $expect) ended with status $st: $(tail -n 2 <<<"$err" | tr '\n' ' ')"
}

# fuzz_seed BACKEND SEED: its 9 runs; one PASS line, or a FAIL line for each run that failed.
fuzz_seed() {
    local backend=$1 seed=$2 i mem run d why fails=0 sums=()
    for i in 0 1 2 3 4 5 6 7 8; do
        mem=64M policy=
        [ $((i % 2)) = 1 ] && mem=3200M
        run=$((seed * 10 + i))
        d=$UNPRIV/work/$backend-$run # logs here, the fuzzer in $d/s (it may chmod its directory)
        [ $((i % 3)) = 2 ] && policy="--sandbox --rw $d" # every third run through the sandbox policy
        unprivileged sh -c "ulimit -f 16384; mkdir '$d' '$d/s' && cd '$d/s' &&
            timeout -k 5 60 '$UNPRIV/buffervm' --backend $backend --verbose --mem $mem \
            $policy --kernel '$UNPRIV/hcfuzz.elf' /bin/true $run $STEPS $i >>'$d/out' 2>>'$d/err' </dev/null
            echo \$? >'$d/status'"
        why=$(check_run "$d" "$backend" "$i")
        if [ -n "$why" ]; then
            echo "FAIL hostcall-fuzz-$backend-seed-$seed-run-$i: ${why:0:300} (rerun as nobody, in an empty" \
                "directory inside one of its own: buffervm --backend $backend --verbose --mem $mem" \
                "--kernel $ELF /bin/true $run $STEPS $i v)"
            fails=$((fails + 1))
        else
            sums+=("$(grep -a -o 'hcfuzz: done.*' "$d/err" |
                grep -o '[0-9]* random hostcalls\|[0-9]* window checks')")
        fi
        rm -rf "$d"
    done
    [ $fails = 0 ] || return
    local calls checks
    calls=$(printf '%s\n' "${sums[@]}" | awk '/random/ {s += $1} END {print s}')
    checks=$(printf '%s\n' "${sums[@]}" | awk '/window/ {s += $1} END {print s}')
    echo "PASS hostcall-fuzz-$backend-seed-$seed (9 runs of $STEPS steps: $calls random hostcalls," \
        "$checks window checks)"
}

for backend in soft kvm; do
    if [ $backend = kvm ] && ! unprivileged test -r /dev/kvm -a -w /dev/kvm 2>/dev/null; then
        echo "SKIP hostcall-fuzz-kvm: /dev/kvm is not usable here as an unprivileged user"
        continue
    fi
    for seed in 1 "$(date +%Y%j)"; do
        fuzz_seed $backend "$seed"
    done
done

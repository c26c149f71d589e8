#!/bin/bash
# run.sh: buffervm --gdb, driven by Debian's gdb in batch mode. Each scenario (tests/gdb/*.gdb) runs
# twice from the program's first instruction: in gdb on the native program (starti) and in gdb
# attached to buffervm's stub (target remote); the two transcripts, addresses and process ids
# aside, and the program's outputs must be the same. Then what has no native twin: gdb's
# interrupt (Ctrl-C) while the program computes and while it waits in read, detach, gdb going
# away (the program runs on, or dies with --gdb-detach=kill), and bad --gdb values.
# Usage: tests/gdb/run.sh [--backend soft|kvm] [NAME...]   (tests/kvm/run.sh passes kvm)
. "$(dirname "$0")/../lib.sh"
BVM=${BVM:-$B/buffervm}
D=${GDB_PROGS:-$B/tests/gdb}
backend=soft
[ "$1" = --backend ] && backend=$2 && shift 2
only=("$@")
command -v gdb >/dev/null || { echo "FAIL gdb: gdb is not installed (apt-get install gdb)"; exit 0; }
need_built gdb "$D/target.glibc"
tmp=$(mktemp -d /tmp/bvm-gdb.XXXXXX)
trap 'rm -rf "$tmp"; kill $(jobs -p) 2>/dev/null' EXIT

wanted() {
    [ ${#only[@]} -eq 0 ] && return 0
    local n
    for n in "${only[@]}"; do [ "$n" = "$1" ] && return 0; done
    return 1
}

gdbx() { timeout 120 gdb -q -batch -nx -ex 'set debuginfod enabled off' -ex 'set confirm off' "$@" 2>&1; }

# The transcript from the marker on, with what differs between a native process and buffervm's
# (addresses, the process id, gdb's words for its own ptrace and thread-library work) made equal.
normalise() {
    sed -n '/^==BEGIN==$/,$p' | grep -E "${KEEP:-.}" | sed -E -e 's/0x[0-9a-f]+/ADDR/g' -e 's/\((process [0-9]+|Remote target)\)/(TARGET)/' \
        -e 's/Hardware (read |access \(read\/write\) )?watchpoint/Watchpoint/' \
        -e 's/^(process [0-9]+|Remote target) is executing new program/TARGET is executing new program/' \
        -e 's/^(\[Detaching after fork from child process) [0-9]+\]/\1 PID]/' -e 's/^(\*| ) +([0-9]+) +Thread .*/\1 \2 Thread/' -e 's/^\$[0-9]+ = [0-9]+$/& /' |
        grep -v -e '^\[Thread debugging' -e '^Using host libthread_db' -e 'does not support file transfer' \
            -e '^Reading symbols' -e '^\[Thread .* exited\]$' -e '^warning: Unable to find libthread_db' -e '^\[Inferior 1 (TARGET) killed\]'
}

# start_stub OUT ARGS...: buffervm with its stub on a unix socket ($tmp/sock), the program's output
# into OUT; waits for the socket (its pid in $stub).
start_stub() {
    local out=$1
    shift
    rm -f "$tmp/sock"
    "$BVM" --backend "$backend" --gdb "unix:$tmp/sock" "$@" > "$out" 2>&1 &
    stub=$!
    for _ in $(seq 100); do
        [ -S "$tmp/sock" ] && return 0
        sleep 0.1
    done
    return 1
}

# The exit status the native session's transcript reports (gdb prints codes in octal).
exit_status() {
    local l
    l=$(grep -E '^\[Inferior 1 \(TARGET\) exited|^Program terminated with signal' | tail -1)
    case "$l" in
    *"exited normally"*) echo 0 ;;
    *"exited with code "*) l=${l##*code }; echo $((8#${l%]})) ;;
    *SIGSEGV*) echo 139 ;;
    *) echo "?" ;;
    esac
}

# stub_wait: waits (30 s at most, then kills it) for the buffervm started last ($stub): its status.
stub_wait() {
    timeout 30 tail --pid=$stub -f /dev/null || kill -9 $stub
    wait $stub 2>/dev/null
}

# scenario NAME PROG ARGS...: the scenario's transcripts and outputs compared (env KEEP: a regular
# expression of the transcript lines compared, default all).
scenario() {
    local name=$1 prog=$2 script=tests/gdb/$1.gdb
    shift 2
    local t="gdb-$name.${prog##*.}"
    wanted "$t" || return 0
    gdbx -ex "starti $* > $tmp/native.out 2>&1" -ex 'echo ==BEGIN==\n' -x "$script" "$prog" | normalise > "$tmp/native.gdb"
    if [[ $name == *watch ]] && ! grep -qE '^(Old value|Value) = ' "$tmp/native.gdb"; then
        # (a kernel that gives ptrace no debug registers, as some virtual machines' do: the native
        # program runs past every watchpoint, and there is nothing to compare with)
        echo "SKIP $t: native gdb stopped at no watchpoint on this host's kernel"
        return
    fi
    if ! start_stub "$tmp/bvm.out" "$prog" "$@"; then
        echo "FAIL $t: the stub's socket never appeared"
        return
    fi
    gdbx -ex "target remote $tmp/sock" -ex 'echo ==BEGIN==\n' -x "$script" "$prog" | normalise > "$tmp/bvm.gdb"
    stub_wait
    local rc=$? want
    want=$(exit_status < "$tmp/native.gdb")
    if ! diff -u "$tmp/native.gdb" "$tmp/bvm.gdb" > "$tmp/diff"; then
        echo "FAIL $t: gdb's transcript differs from native:"
        sed 's/^/    /' "$tmp/diff" | head -40
    elif ! cmp -s "$tmp/native.out" "$tmp/bvm.out"; then
        echo "FAIL $t: the program's output differs from native"
        diff "$tmp/native.out" "$tmp/bvm.out" | head -10 | sed 's/^/    /'
    elif [ "$rc" -ne "$want" ]; then
        echo "FAIL $t: buffervm exited $rc, the program natively $want"
    elif ! grep -q 'exited\|terminated' "$tmp/bvm.gdb"; then
        echo "FAIL $t: the program did not end under gdb"
    else
        echo "PASS $t"
    fi
}

# Every case, its lines tagged with the backend (tests/kvm/run.sh keeps them out of its parity count).
all_cases() {
    for p in "$D/target.glibc" "$D/target.dyn"; do
        [ -x "$p" ] || continue
        scenario break "$p" 2>/dev/null # (bash's word on a job's signal is not ours)
        scenario step "$p" 2>/dev/null
        scenario watch "$p" 2>/dev/null
        scenario rwatch "$p" 2>/dev/null
        scenario signal "$p" fault 2>/dev/null
    done
    [ -x "$D/target.dyn" ] && scenario dyn "$D/target.dyn" 2>/dev/null
    [ -x "$D/forks.glibc" ] && scenario forks "$D/forks.glibc" 2>/dev/null
    for p in "$D/execs.glibc" "$D/execs.dyn"; do
        [ -x "$p" ] && scenario execs "$p" 2>/dev/null
    done
    KEEP='^==BEGIN|hit Breakpoint|^\$[0-9]+ = |^\* ?[0-9]+ |^  [0-9]+ |exited|terminated' scenario threads "$D/threads.dyn" 2>/dev/null

    . tests/gdb/stub_cases.sh 2>/dev/null
}
all_cases | sed -u "s/^\(PASS\|FAIL\|SKIP\) [^ :]*/& [$backend gdb]/"

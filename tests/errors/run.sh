#!/bin/bash
# run.sh: bad input to buffervm itself: each case must print exactly one clear line naming the
# problem on stderr and exit with the env/timeout-style status (125/126/127), never crash.
. "$(dirname "$0")/../lib.sh"
BVM=$(realpath "$B/buffervm")
HELLO=$(realpath "$B/tests/programs/hello.glibc")
T=$(mktemp -d /tmp/bvm-err.XXXXXX)
trap 'rm -rf "$T" ${UNPRIV:+"$UNPRIV"}' EXIT

printf 'just text\n' >"$T/text"; chmod +x "$T/text"
printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000\002\000\003\000' >"$T/elf32"; chmod +x "$T/elf32"
head -c 100 "$HELLO" >"$T/trunc_hdr"; chmod +x "$T/trunc_hdr"
printf '\177ELF' >"$T/magic_only"; chmod +x "$T/magic_only"
# a big-endian x86-64 header: e_machine 62 stored big-endian reads as 15872
python3 - "$HELLO" "$T/bigendian" <<'PY'
import sys; d=bytearray(open(sys.argv[1],'rb').read()); d[5]=2; d[18:20]=(62).to_bytes(2,'big'); open(sys.argv[2],'wb').write(d)
PY
chmod +x "$T/bigendian"
head -c 3000 "$HELLO" >"$T/trunc_seg"; chmod +x "$T/trunc_seg"
cp "$HELLO" "$T/noexec"; chmod -x "$T/noexec"
mkdir "$T/dir"
: >"$T/empty"; chmod +x "$T/empty"
# an x86-64 ELF header claiming machine 183 (aarch64)
python3 - "$HELLO" "$T/arm" <<'PY'
import sys; d=bytearray(open(sys.argv[1],'rb').read()); d[18:20]=(183).to_bytes(2,'little'); open(sys.argv[2],'wb').write(d)
PY
chmod +x "$T/arm"
# a dynamically linked executable whose PT_INTERP names a missing file (bash: 127, "required file not found")
python3 - /usr/bin/true "$T/badinterp" <<'PY'
import sys; d=bytearray(open(sys.argv[1],'rb').read()); i=d.find(b'/lib64/ld-linux-x86-64.so.2')
d[i:i+27]=b'/lib64/ld-nonexistent-x.so\0'; open(sys.argv[2],'wb').write(d)
PY
chmod +x "$T/badinterp"
# "#!" scripts are the kernel's to check: a missing interpreter is 127, an unusable #! line 126
printf '#!/nonexistent/interp -x\n' >"$T/badscript"; chmod +x "$T/badscript"
printf '#!   \n' >"$T/blankscript"; chmod +x "$T/blankscript"

# check NAME STATUS PATTERN CMD...: exit status and a single stderr line matching PATTERN
check() {
    local name=$1 want=$2 pat=$3; shift 3
    "$@" >"$T/out" 2>"$T/err" </dev/null
    local got=$?
    local lines; lines=$(wc -l <"$T/err")
    if [ "$got" != "$want" ]; then
        echo "FAIL $name: status $got, want $want: $(head -c 300 "$T/err")"
    elif [ "$lines" != 1 ] || ! grep -qiE -e "$pat" "$T/err"; then
        echo "FAIL $name: want one line matching /$pat/, got: $(head -c 300 "$T/err")"
    elif [ -s "$T/out" ]; then
        echo "FAIL $name: printed to stdout"
    else
        echo "PASS $name"
    fi
}

check missing-file       127 "no such file"          "$BVM" "$T/does-not-exist"
check not-on-path        127 "command not found"     "$BVM" no-such-command-bvm
check not-elf            126 "not an ELF"            "$BVM" "$T/text"
check empty-file         126 "not an ELF"            "$BVM" "$T/empty"
check elf32              126 "32-bit"                "$BVM" "$T/elf32"
check magic-only         126 "truncated"             "$BVM" "$T/magic_only"
check big-endian         126 "not an x86-64.*big-endian" "$BVM" "$T/bigendian"
check interp-too-long    126 "interpreter.*file name too long" "$BVM" "$(realpath "$B/tests/programs/interp_too_long.elf")"
check wrong-machine      126 "not an x86-64"         "$BVM" "$T/arm"
check truncated-header   126 "truncated"             "$BVM" "$T/trunc_hdr"
check truncated-segment  126 "truncated"             "$BVM" "$T/trunc_seg"
check not-executable     126 "permission denied"     "$BVM" "$T/noexec"
check directory          126 "is a directory"        "$BVM" "$T/dir"
check missing-interp     127 "required file not found" "$BVM" "$T/badinterp"
check script-no-interp   127 "interpreter /nonexistent/interp: no such file" "$BVM" "$T/badscript"
check script-blank-line  126 "exec format error"     "$BVM" "$T/blankscript"
check too-little-memory  126 "too little memory"     "$BVM" --mem 16M "$HELLO"
check bad-option         125 "unknown option"        "$BVM" --no-such-option "$HELLO"
check bad-backend        125 "unknown backend"       "$BVM" --backend xyz "$HELLO"
check no-program         125 "no program"            "$BVM"
check bad-kernel         125 "kernel"                "$BVM" --kernel "$T/text" "$HELLO"
check bad-timeout        125 "bad --timeout value '0'" "$BVM" --timeout 0 "$HELLO"
check bad-cpu-time       125 "bad --cpu-time value '1s'" "$BVM" --cpu-time 1s "$HELLO"
check bad-max-procs      125 "bad --max-procs value '-3'" "$BVM" --max-procs -3 "$HELLO"
check bad-max-files      125 "bad --max-files value '99999999999'" "$BVM" --max-files 99999999999 "$HELLO"
check bad-max-file-size  125 "bad --max-file-size size '5X'" "$BVM" --max-file-size 5X "$HELLO"
check limit-no-value     125 "option --timeout needs an argument" "$BVM" --timeout
check bad-leak-kinds     125 "bad --show-leak-kinds value 'definite,bogus'" "$BVM" check --show-leak-kinds=definite,bogus "$HELLO"
check bad-error-kinds    125 "bad --errors-for-leak-kinds value ''" "$BVM" check --errors-for-leak-kinds= "$HELLO"

# --verbose describes a fatal fault in one line (what, address, RIP, bytes, disassembly);
# without it buffervm adds nothing to the program's stderr.
NULLD=$(realpath "$B/tests/programs/nullderef.glibc")
{ "$BVM" --verbose --backend soft "$NULLD" >/dev/null 2>"$T/err"; } 2>/dev/null
st=$?
if [ $st = 139 ] && grep -q "Segmentation fault: #PF at address 0x0, rip 0x" "$T/err" && grep -q "mov" "$T/err"; then
    echo "PASS verbose-fault-line"
else
    echo "FAIL verbose-fault-line: status $st: $(head -c 300 "$T/err")"
fi

# SIGTERM to buffervm ends the run as the signal would end the program (status 143 in a shell).
LOOP=$(realpath "$B/tests/programs/spin.glibc")
"$BVM" --backend soft "$LOOP" >/dev/null 2>"$T/err" &
pid=$!
sleep 0.5
kill -TERM $pid
wait $pid
st=$?
if [ $st = 143 ] && [ ! -s "$T/err" ]; then echo "PASS sigterm-stops-run"; else echo "FAIL sigterm-stops-run: status $st $(head -c 200 "$T/err")"; fi
# Under --verbose the one line says which signal ended it (no fault record to describe).
"$BVM" --backend soft --verbose "$LOOP" >/dev/null 2>"$T/err" &
pid=$!
sleep 0.5
kill -TERM $pid
wait $pid
st=$?
if [ $st = 143 ] && [ "$(grep -v '^buffervm: backend\|^shim kernel' "$T/err")" = "buffervm: program killed by signal 15 (Terminated)" ]; then
    echo "PASS sigterm-verbose-line"
else
    echo "FAIL sigterm-verbose-line: status $st: $(head -c 300 "$T/err")"
fi

# --trace-hostcalls: one line per hostcall into --trace-file, nothing added to the program's output;
# the program's one write of "hostcall-trace\n" is the one write hostcall, of 15 bytes.
out=$("$BVM" --backend soft --trace-hostcalls --trace-file "$T/hc" /bin/busybox echo hostcall-trace 2>"$T/err")
if [ "$out" = hostcall-trace ] && [ ! -s "$T/err" ] && [ "$(grep -c '^hostcall write = ' "$T/hc")" = 1 ] &&
    grep -qx 'hostcall write = 15' "$T/hc" && grep -qx 'hostcall exit = 0' "$T/hc" && ! grep -qv '^hostcall ' "$T/hc"; then
    echo "PASS trace-hostcalls"
else
    echo "FAIL trace-hostcalls: out '$out': $(head -c 300 "$T/hc" "$T/err")"
fi

# --trace-syscalls' signal lines are strace's: the same "--- SIG {siginfo} ---" and "+++ killed +++"
# lines for the same programs (the pid and the mapping addresses that move between runs, 0x7e... or
# 0x7f... natively, left out).
if command -v strace >/dev/null; then
    for p in sig_basic.glibc sig_fault.musl; do
        norm() { grep -E '^(---|\+\+\+) ' | sed -e 's/si_pid=[0-9]*/si_pid=N/' -E -e 's/0x[0-9a-f]{9,}/ADDR/g'; }
        prog=$(realpath "$B/tests/programs/$p")
        (cd "$T" && strace -qq -e trace=none "$prog" 2>&1 >/dev/null | norm >"$T/strace.out")
        { (cd "$T" && "$BVM" --backend soft --trace-syscalls --trace-file "$T/bvm.trace" "$prog" >/dev/null 2>&1); } 2>/dev/null
        norm <"$T/bvm.trace" >"$T/bvm.out"
        if [ -s "$T/strace.out" ] && cmp -s "$T/strace.out" "$T/bvm.out"; then
            echo "PASS trace-signals-as-strace-$p ($(wc -l <"$T/bvm.out") lines)"
        else
            echo "FAIL trace-signals-as-strace-$p: $(diff "$T/strace.out" "$T/bvm.out" | head -4 | tr '\n' ' ')"
        fi
    done
else
    echo "SKIP trace-signals-as-strace: strace not installed"
fi

# With threads, each --trace-syscalls line names its thread as strace -f does ("[pid TID] "): the
# exit(7) of threads.c's exit mode is the second thread's, and the first thread's lines are its pid's.
TH=$(realpath "$B/tests/programs/threads.musl")
{ (cd "$T" && "$BVM" --backend soft --trace-syscalls --trace-file "$T/th.trace" "$TH" exit >/dev/null 2>&1); } 2>/dev/null
ids=$(sed -n 's/^\[pid \([0-9]*\)\] .*/\1/p' "$T/th.trace" | sort -u | wc -l)
first=$(sed -n 's/^\[pid \([0-9]*\)\] .*/\1/p' "$T/th.trace" | head -n 1)
exiter=$(sed -n 's/^\[pid \([0-9]*\)\] exit_group(7).*/\1/p' "$T/th.trace")
if [ "$ids" = 2 ] && [ -n "$exiter" ] && [ "$exiter" != "$first" ]; then echo "PASS trace-threads-named"
else echo "FAIL trace-threads-named: $ids ids, first $first, exit_group by '$exiter': $(grep exit "$T/th.trace" | head -3 | tr '\n' ' ')"; fi

# munmap frees the page tables it empties: rounds of far-apart mappings end with equal free memory.
PT=$(realpath "$B/tests/programs/ptloop.glibc")
out=$(cd "$T" && "$BVM" --backend soft "$PT" 2>&1)
counts=$(printf '%s\n' "$out" | sed -n 's/^round [0-9]*: freeram //p' | sort -u | wc -l)
rounds=$(printf '%s\n' "$out" | grep -c '^round ')
if [ "$rounds" = 8 ] && [ "$counts" = 1 ]; then echo "PASS munmap-frees-page-tables"; else
    echo "FAIL munmap-frees-page-tables: $rounds rounds, $counts distinct free counts: $(printf '%s' "$out" | tail -n 2 | tr '\n' ' ')"; fi

# Another process truncates a file under a MAP_SHARED mapping: touching the lost page kills the
# program with SIGBUS, as natively; the monitor survives the SIGBUS it takes on that page itself.
BUS=$(realpath "$B/tests/programs/shared_bus.glibc")
external_bus() {
    rm -f "$T/bus.dat" "$T/ready"
    (cd "$T" && exec "$@" "$BUS" external >"$T/ready" 2>/dev/null) &
    local pid=$! i
    for i in $(seq 200); do grep -q ready "$T/ready" 2>/dev/null && break; sleep 0.1; done
    truncate -s 4096 "$T/bus.dat"
    { wait $pid; } 2>/dev/null
    echo $?
}
native=$(external_bus)
soft=$(external_bus "$BVM" --backend soft)
if [ "$native" = 135 ] && [ "$soft" = 135 ]; then echo "PASS truncated-under-shared-mapping"; else
    echo "FAIL truncated-under-shared-mapping: status native $native, soft $soft (want 135)"; fi

# execve frees every page of the old image, and a failed one its copied strings: each of 20
# images (heap, anonymous and MAP_SHARED memory dirtied, dynamic and static) sees the same
# number of free pages.
for loop in execloop.glibc execloop.dyn; do
    prog=$(realpath "$B/tests/programs/$loop")
    out=$(cd "$T" && "$BVM" --backend soft "$prog" 20 2>&1)
    counts=$(printf '%s\n' "$out" | sed -n 's/^image [0-9]*: freeram //p' | sort -u | wc -l)
    images=$(printf '%s\n' "$out" | grep -c '^image ')
    if [ "$images" = 21 ] && [ "$counts" = 1 ]; then echo "PASS exec-frees-old-image-$loop"; else
        echo "FAIL exec-frees-old-image-$loop: $images images, $counts distinct free counts: $(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"; fi
done

# Random bytes executed as code never crash or hang the monitor: each run ends with the guest's
# own fault (described under --verbose) or a named VM failure (status 125), within the limit. As
# nobody in a scratch directory: the bytes make system calls too.
unpriv_copy "$B/buffervm" && unpriv_copy "$B/tests/programs/fuzzcode.glibc"
bad=""
for s in $(seq 1 60); do
    { unprivileged sh -c "exec timeout 20 '$UNPRIV/buffervm' --verbose --backend soft '$UNPRIV/fuzzcode.glibc' $s \
        >/dev/null 2>'$UNPRIV/work/err' </dev/null"; } 2>/dev/null
    st=$?
    last=$(tail -n 1 "$UNPRIV/work/err")
    case "$st:$last" in
    *"internal error"*) bad+=" seed $s (status $st: ${last:0:120})" ;;
    125:"buffervm: vm: soft CPU: "*) ;;
    1[3-5][0-9]:"buffervm: "*" at address "*) ;;
    0:* | 1:*) ;;
    *) bad+=" seed $s (status $st: ${last:0:120})" ;;
    esac
done
if [ -z "$bad" ]; then echo "PASS random-code-never-crashes-monitor"; else echo "FAIL random-code-never-crashes-monitor:$bad"; fi

# Guest RAM full (a small --mem filled by kernel copies): calls that need memory answer ENOMEM or
# succeed, never end the VM (an mremap needing page tables once panicked the guest kernel).
MF=$(realpath "$B/tests/programs/mem_full.glibc")
out=$(cd "$T" && timeout 120 "$BVM" --backend soft --mem 64M "$MF" 2>&1)
st=$?
if [ $st = 0 ] && grep -q '^filled: guest RAM is full' <<<"$out" &&
    grep -q '^full mremap far [0-9]*: Cannot allocate memory' <<<"$out"; then
    echo "PASS memory-full-gives-errno ($(grep -c ': Cannot allocate memory' <<<"$out") ENOMEM answers)"
else
    echo "FAIL memory-full-gives-errno: status $st: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
fi

# Guest RAM full from user mode stores: the program is killed by SIGKILL (Linux's OOM killer; a
# fault has no errno to give), and --verbose says why.
out=$(cd "$T" && timeout 120 "$BVM" --verbose --backend soft --mem 64M "$MF" 1024 touch 2>&1)
st=$?
if [ $st = 137 ] && grep -q 'out of memory' <<<"$out" && ! grep -q '^touched' <<<"$out"; then
    echo "PASS out-of-memory-kills"
else
    echo "FAIL out-of-memory-kills: status $st: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
fi

# Every accepted --mem boots, RAM above 3 GiB (placed from 4 GiB up) included, and that RAM is
# usable: filling 3 GiB + 64 MiB reaches its high pages.
bad=""
for m in 64M 3G 4G 5G 64G; do
    out=$("$BVM" --backend soft --mem $m "$HELLO" 2>&1) || bad+=" $m: ${out:0:100}"
done
out=$(cd "$T" && timeout 300 "$BVM" --backend soft --mem 3136M "$MF" 4096 2>&1)
st=$?
grep -q '^filled: guest RAM is full' <<<"$out" && [ $st = 0 ] || bad+=" 3136M filled: status $st $(tail -n 2 <<<"$out" | tr '\n' ' ')"
if [ -z "$bad" ]; then echo "PASS mem-sizes-boot-and-work"; else echo "FAIL mem-sizes-boot-and-work:$bad"; fi

# Resource limits are inherited from buffervm's own, as a program started by the same shell would
# have them (the open-file limit excepted: the kernel's descriptor table sets it); an unlimited
# stack lets execve take 3 MB of arguments, as on Linux (a quarter of RLIMIT_STACK, at most 6 MB).
limits() { ulimit -S -s unlimited; ulimit -S -c 1234; ulimit -S -t 5000; "$@" bash -c 'ulimit -a; ulimit -Ha' | grep -v "open files"; }
big=$(head -c 100000 /dev/zero | tr '\0' a)
args=()
for i in $(seq 30); do args+=("$big"); done
n=$(limits env) b=$(limits "$BVM" --backend soft)
st=$(ulimit -s unlimited; "$BVM" --backend soft /bin/true "${args[@]}" 2>&1; echo "status $?")
if [ "$n" = "$b" ] && [ "$st" = "status 0" ]; then echo "PASS rlimits-inherited"
else echo "FAIL rlimits-inherited: $st $(diff <(echo "$n") <(echo "$b") | tr '\n' ' ')"; fi

# Mutated ELF files (elf_fuzz.py): a clean refusal or the guest's own result, never a monitor
# crash, a kernel panic or a hang; a fixed seed, then a daily one (printed: rerun with
# tests/errors/elf_fuzz.py BUFFERVM SEED COUNT BASES...). As nobody, in a scratch directory.
P=$B/tests/programs
for f in "$B/buffervm" tests/errors/elf_fuzz.py "$P/hello.glibc" "$P/hello.musl" "$P/hello.dyn" "$P/hello.spie" \
    "$P/rawhello.raw" "$P/sig_basic.glibc"; do
    unpriv_copy "$f"
done
bases=("$UNPRIV"/hello.* "$UNPRIV/rawhello.raw" "$UNPRIV/sig_basic.glibc")
unprivileged python3 "$UNPRIV/elf_fuzz.py" "$UNPRIV/buffervm" 1 "${ELF_FUZZ:-1500}" "${bases[@]}"
unprivileged python3 "$UNPRIV/elf_fuzz.py" "$UNPRIV/buffervm" "$(date +%Y%j)" "${ELF_FUZZ:-1500}" "${bases[@]}"

# The in-guest system call fuzzer (sys_fuzz.c): child processes making random calls with hostile
# arguments, as nobody in a scratch directory, file sizes capped by the host (ulimit -f). No child's
# monitor may fail (125: a kernel panic, a VM failure) or crash ("internal error"); a seed fixed and
# a daily one (rerun: buffervm --verbose sys_fuzz.glibc SEED ROUNDS CALLS).
for f in "$P/sys_fuzz.glibc" "$P/sys_fuzz.musl"; do
    unpriv_copy "$f"
done
for run in "glibc 1" "musl 1" "glibc $(date +%Y%j)"; do
    set -- $run
    log=$UNPRIV/work/fuzz-$1-$2
    unprivileged sh -c "ulimit -f 65536; mkdir '$log.d' && cd '$log.d' &&
        timeout 600 '$UNPRIV/buffervm' --verbose '$UNPRIV/sys_fuzz.$1' $2 ${SYS_FUZZ_ROUNDS:-120} 2000 \
        >'$log.out' 2>'$log.err' </dev/null; echo \$? >'$log.status'"
    st=$(cat "$log.status")
    summary=$(grep -a -o '[0-9]* rounds of .*' "$log.out" | tail -n 1)
    # (buffervm's own lines: the fuzzed children also write random memory, strings included, to stderr)
    bad=$(grep -a -o -e 'buffervm: internal error.*' -e 'buffervm: kernel panic.*' -e 'buffervm: vm:.*' "$log.err" |
        head -n 3 | tr '\n' ' ')
    if [ "$st" = 0 ] && [ -n "$summary" ] && [ -z "$bad" ]; then
        echo "PASS syscall-fuzz-$1-seed-$2 ($summary)"
    else
        echo "FAIL syscall-fuzz-$1-seed-$2: status $st; ${summary:-no summary}; $bad"
    fi
done

# fork against the host's process limit (RLIMIT_NPROC 30, for a uid of its own so that no other
# process counts): EAGAIN, never a half-made child, fork working again once children are reaped;
# a fork bomb held by the limit ends with every process, as natively, and leaves none behind; threads
# started until the limit (EAGAIN) are all joined and one more starts.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    unpriv_copy "$P/fork_limit.glibc"
    for mode in limit bomb threads; do
        run() { (cd "$UNPRIV/work" && setpriv --reuid=64123 --regid=64123 --clear-groups --reset-env \
            bash -c "ulimit -u 30; exec timeout 120 $* '$UNPRIV/fork_limit.glibc' $mode" 2>&1; echo "status $?"); }
        n=$(run) b=$(run "'$UNPRIV/buffervm'")
        left=$(ps -u 64123 -o pid= | wc -l)
        if [ "$n" = "$b" ] && [ "$left" = 0 ] && grep -q "status 0" <<<"$b"; then echo "PASS fork-$mode-at-nproc-limit"
        else echo "FAIL fork-$mode-at-nproc-limit: $left processes left; $(diff <(echo "$n") <(echo "$b") | tr '\n' ' ')"; fi
    done
else
    echo "SKIP fork-limit: needs root and setpriv (a uid of its own for RLIMIT_NPROC)"
fi

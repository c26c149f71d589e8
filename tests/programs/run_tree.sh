#!/bin/bash
# run_tree.sh: buffervm seen from outside, as a whole process tree: where it differs from a native run
# on purpose (the first process adopts orphans unasked; killing buffervm kills every process of its
# tree, while its program ending does not: background jobs live on, as after a shell's exit), and
# `buffervm bash` on a terminal driven from the host (job control, Ctrl-C, Ctrl-Z), as natively.
# Usage: tests/programs/run_tree.sh [--backend soft|kvm]... [--bvm PATH] [--progs DIR] [NAME...]
. "$(dirname "$0")/../lib.sh"
prog_args --backend "$@"
backends=("${opt_values[@]}")
[ ${#backends[@]} -eq 0 ] && backends=(soft)
BVM=$(realpath "$BVM")
PROGS=$(realpath "$PROGS")
T=$(mktemp -d /tmp/bvm-tree.XXXXXX)
# Each test runs buffervm from a copy of its own: its processes are the host processes whose
# executable is that copy (a guest process's host one keeps buffervm's executable, not its name).
pids_of() {
    local p
    for p in /proc/[0-9]*; do [ "$(readlink "$p/exe" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"; done
}
count() { pids_of "$1" | wc -l; }
kill_all() { pids_of "$1" | xargs -r kill -KILL 2>/dev/null; }
trap 'for b in "$T"/buffervm-*; do kill_all "$b"; done; rm -rf "$T"' EXIT

# wait_count MARK OP N: up to 20 s for the count to satisfy OP N (-ge, -eq); prints the last count.
wait_count() {
    local n i
    for ((i = 0; i < 200; i++)); do
        n=$(count "$1")
        [ "$n" "$2" "$3" ] && break
        sleep 0.1
    done
    echo "$n"
}

# want NAME: the test is asked for (no NAMEs: all).
want() { [ ${#only[@]} -eq 0 ] || printf '%s\n' "${only[@]}" | grep -qx "$1"; }

for be in "${backends[@]}"; do
  if want tree-killed-with-buffervm; then
    # SIGKILL to buffervm: the shell, its two background jobs and an orphan all go
    mark="$T/buffervm-killed-$be"
    cp "$BVM" "$mark"
    "$mark" --backend "$be" /bin/busybox sh -c "sleep 60 & sleep 60 & (sleep 60 &); echo up; wait" \
        >"$T/out" 2>&1 </dev/null &
    pid=$!
    before=$(wait_count "$mark" -ge 4)
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    after=$(wait_count "$mark" -eq 0)
    if [ "$before" -ge 4 ] && [ "$after" = 0 ]; then echo "PASS tree-killed-with-buffervm [$be]"; else
        echo "FAIL tree-killed-with-buffervm [$be]: $before processes before the kill, $after left after"; fi
  fi
  if want tree-outlives-program; then
    # the program ends: its background job lives on
    mark="$T/buffervm-ended-$be"
    cp "$BVM" "$mark"
    "$mark" --backend "$be" /bin/busybox sh -c "sleep 60 & echo started" >"$T/out" 2>&1 </dev/null
    st=$?
    sleep 0.5
    left=$(count "$mark")
    kill_all "$mark"
    if [ "$st" = 0 ] && [ "$left" = 1 ] && grep -qx started "$T/out"; then echo "PASS tree-outlives-program [$be]"; else
        echo "FAIL tree-outlives-program [$be]: status $st, $left processes left (want 1): $(head -c 200 "$T/out")"; fi
  fi
  if want tree-orphan-adopted; then
    # an orphan's new parent is the first process, which can wait for it
    out=$(cd "$T" && timeout 60 "$BVM" --backend "$be" "$PROGS/proc_fork.glibc" orphan 2>&1)
    want=$'orphan adopted by the first process: 1\nthe first process reaped it: 1'
    if [ "$out" = "$want" ]; then echo "PASS tree-orphan-adopted [$be]"; else
        echo "FAIL tree-orphan-adopted [$be]: $(printf '%s' "$out" | head -c 300 | tr '\n' '|')"; fi
  fi
  if want limit-timeout; then
    # --timeout: every process of the tree ends, the status is timeout(1)'s, nothing is printed
    mark="$T/buffervm-timeout-$be"
    cp "$BVM" "$mark"
    t0=$(date +%s)
    "$mark" --backend "$be" --timeout 2 /bin/busybox sh -c "sleep 60 & (sleep 60 &); sleep 60; echo never" \
        >"$T/out" 2>&1 </dev/null
    st=$? took=$(($(date +%s) - t0))
    left=$(wait_count "$mark" -eq 0)
    if [ "$st" = 124 ] && [ "$left" = 0 ] && [ "$took" -lt 30 ] && [ ! -s "$T/out" ]; then
        echo "PASS limit-timeout [$be]"
    else
        echo "FAIL limit-timeout [$be]: status $st after $took s, $left processes left: $(head -c 200 "$T/out")"
    fi
  fi
  # The other limits against the host's own rlimits set on a native run (prlimit): the same output
  # and status. A program cannot raise them, not even as root (where Linux would let it).
  limit_same() { # NAME BVM-OPTION PRLIMIT-OPTION CMD...
    local name=$1 opt=$2 pl=$3 n b; shift 3
    want "$name" || return 0
    n=$(cd "$T" && rm -f f && timeout 120 prlimit "$pl" "$@" 2>&1; echo "status $?")
    b=$(cd "$T" && rm -f f && timeout 120 "$BVM" --backend "$be" $opt "$@" 2>&1; echo "status $?")
    if [ "$n" = "$b" ]; then echo "PASS $name [$be]"; else
        echo "FAIL $name [$be]: $(diff <(echo "$n") <(echo "$b") | head -6 | tr '\n' '|')"; fi
  }
  limit_same limit-files "--max-files 10" --nofile=10 /bin/busybox sh -c 'exec 9>/dev/null && echo 9 opened; exec 11>/dev/null && echo 11 opened'
  limit_same limit-file-size "--max-file-size 1M" --fsize=1048576 \
      /bin/busybox sh -c 'head -c 2000000 /dev/zero >f; echo "head: $?"; wc -c <f'
  limit_same limit-cpu-time "--cpu-time 1" --cpu=1:2 "$PROGS/spin.glibc"
  if want limit-no-raise; then
    out=$(timeout 60 "$BVM" --backend "$be" --max-files 10 --cpu-time 5 --max-file-size 1M /bin/bash -c \
        'ulimit -n 20; echo "n $?"; ulimit -t 50; echo "t $?"; ulimit -f 4096; echo "f $?"; ulimit -n 8 && ulimit -n' 2>/dev/null)
    if [ "$out" = $'n 1\nt 1\nf 1\n8' ]; then echo "PASS limit-no-raise [$be]"; else
        echo "FAIL limit-no-raise [$be]: $(printf '%s' "$out" | tr '\n' '|')"; fi
  fi
  if want limit-procs; then
    # --max-procs against RLIMIT_NPROC for a uid of its own (which counts just that tree natively)
    if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
      ok=1
      for mode in limit bomb; do
        n=$(cd "$T" && setpriv --reuid=64124 --regid=64124 --clear-groups bash -c \
            "ulimit -u 30; exec timeout 120 '$PROGS/fork_limit.glibc' $mode" 2>&1; echo "status $?")
        b=$(cd "$T" && timeout 120 "$BVM" --backend "$be" --max-procs 30 "$PROGS/fork_limit.glibc" $mode 2>&1; echo "status $?")
        [ "$n" = "$b" ] && grep -q "status 0" <<<"$b" || { ok=0; echo "FAIL limit-procs [$be]: $mode: $(diff <(echo "$n") <(echo "$b") | tr '\n' ' ')"; }
      done
      [ "$ok" = 1 ] && echo "PASS limit-procs [$be]"
    else
      echo "SKIP limit-procs [$be]: needs root and setpriv (a uid of its own for the native RLIMIT_NPROC)"
    fi
  fi
  if want tree-inherited-fds; then
    # descriptors past stdio buffervm is started with are the program's, as natively (read 3, write
    # 4, a pipe on 5 whose other end the host reads); under --sandbox only stdio crosses
    echo "from fd 3" >"$T/in3"
    cmd='cat <&3; echo "to fd 4" >&4; echo "to fd 5" >&5'
    native=$( { /bin/busybox sh -c "$cmd" 3<"$T/in3" 4>"$T/n4" 5>&1 | cat; } 2>&1; cat "$T/n4")
    out=$( { "$BVM" --backend "$be" /bin/busybox sh -c "$cmd" 3<"$T/in3" 4>"$T/b4" 5>&1 | cat; } 2>&1; cat "$T/b4")
    sandboxed=$("$BVM" --backend "$be" --sandbox /bin/busybox sh -c 'cat <&3 && echo read' 3<"$T/in3" 2>/dev/null)
    if [ "$out" = "$native" ] && [ -z "$sandboxed" ]; then echo "PASS tree-inherited-fds [$be]"; else
        echo "FAIL tree-inherited-fds [$be]: '$(echo "$out" | tr '\n' '|')' (native '$(echo "$native" | tr '\n' '|')'), sandboxed '$sandboxed'"; fi
  fi
  if want tree-mq-private; then
    # POSIX message queues a run leaves behind are its own: not in the host's namespace under the
    # program's names while it runs, and gone once its last process (a child outliving the first)
    # has ended; the host's list of queues is read where it can be (root: a private mqueue mount)
    mark="$T/buffervm-mq-$be"
    cp "$BVM" "$mark"
    q="bvmleft-$$-$be"
    out=$("$mark" --backend "$be" "$PROGS/mq_leave.glibc" make "$q" 2>&1)
    "$PROGS/mq_leave.glibc" probe "$q"
    seen=$?
    left=$(wait_count "$mark" -eq 0)
    listed=$(unshare -m sh -c "mount -t mqueue none /mnt && ls /mnt" 2>/dev/null) || listed=unknown
    if [ "$out" = made ] && [ "$seen" = 1 ] && [ "$left" = 0 ] && ! grep -q "$q" <<<"$listed"; then
        echo "PASS tree-mq-private [$be]"
    else
        echo "FAIL tree-mq-private [$be]: output '$out', host has /$q: $((1 - seen)), $left processes left, host list: $(grep "$q" <<<"$listed" | head -3 | tr '\n' ' ')"
    fi
  fi
  if want sandbox-policy; then
    # --sandbox --ro ro --rw rw: each attempt's result is the policy's (README, "Sandbox"): system
    # files readable if world-readable, never writable; grants as granted; the rest hidden (ENOENT)
    # whatever the spelling (.., symlinks); devices for data only; no inet sockets; unix names as
    # paths, abstract ones refused
    sb="$T/sandbox-$be"
    rm -rf "$sb" && mkdir -p "$sb/ro" "$sb/rw" "$sb/hidden" && echo data >"$sb/ro/f" && echo s >"$sb/hidden/secret"
    out=$(cd "$sb" && timeout 60 "$BVM" --backend "$be" --sandbox --ro ro --rw rw "$PROGS/sandbox_probe.glibc" 2>&1 </dev/null)
    policy=$(cat <<'EOF2'
read /etc/passwd: ok
read /etc/shadow (not world-readable): EACCES
stat /root: ENOENT
stat /var: ENOENT
create /usr/bin/bvm-probe: EROFS
write /etc/passwd: EROFS
stat /bin/sh: ok
listing / names root: 0, etc: 1
read ro/f: ok
write ro/f: EROFS
create ro/new: EROFS
unlink ro/f: EROFS
chmod ro/f: EROFS
rename ro/f to rw/f: EROFS
hard link ro/f as rw/h: EROFS
create rw/new: ok
append rw/new: ok
chmod rw/new: ok
mkdir rw/d: ok
rename rw/new to rw/d/new: ok
symlink rw/to-shadow: ok
read rw/to-shadow: EACCES
symlink rw/to-hidden: ok
read rw/to-hidden: ENOENT
create through rw/to-hidden-new: ok
write rw/to-hidden-new: ENOENT
stat hidden/new (not made): ENOENT
read rw/../hidden/secret: ENOENT
read rw/d/../../hidden/secret: ENOENT
read hidden/secret: ENOENT
listing . names hidden: 0, ro: 1
write /dev/null: ok
read /dev/urandom: ok
chmod /dev/null: EACCES
fchmod of stdin: EACCES
stat /dev/mem: ENOENT
mknod rw/null-again (a device): EPERM
read /proc/self/status: ok
listing /proc/self/fd names 0: 1
read /proc/meminfo: ok
stat /proc/1: ENOENT
kill of the parent, signal 0: ESRCH
kill of pid 1, signal 0: ESRCH
tgkill of the parent, signal 0: ESRCH
tkill of pid 1, signal 0: ESRCH
sigqueue to the parent, signal 0: ESRCH
kill of its child, signal 0: ok
tgkill of its child, signal 0: ok
tkill of its child, signal 0: ok
sigqueue to its child, signal 0: ok
read its child's /proc status: ok
read its child's /proc environ: EACCES
kill -1, signal 0 (the child): ok
kill of its own group, SIGCONT: ok
kill of the child, SIGKILL: ok
socket AF_INET: EACCES
socket AF_INET6: EACCES
socketpair AF_UNIX: ok
bind AF_UNIX rw/sock: ok
connect AF_UNIX rw/sock: ok
bind AF_UNIX hidden/sock: ENOENT
bind AF_UNIX abstract: EACCES
EOF2
)
    if [ "$out" = "$policy" ]; then
        echo "PASS sandbox-policy [$be]"
    else
        echo "FAIL sandbox-policy [$be]: $(diff <(echo "$policy") <(echo "$out") | head -8 | tr '\n' '|')"
    fi
  fi
  if want sandbox-verbose; then
    # --verbose names a refusal once (per process), with what was refused
    err=$(cd "$T" && timeout 60 "$BVM" --backend "$be" --verbose --sandbox "$PROGS/sandbox_probe.glibc" 2>&1 >/dev/null </dev/null)
    n=$(grep -c '^buffervm: sandbox: reading /etc/shadow refused: Permission denied$' <<<"$err")
    m=$(grep -c '^buffervm: sandbox: looking at a socket of family 2 (no --net) refused' <<<"$err")
    if [ "$n" = 1 ] && [ "$m" = 1 ]; then echo "PASS sandbox-verbose [$be]"; else
        echo "FAIL sandbox-verbose [$be]: shadow named $n times, inet socket $m times: $(head -c 300 <<<"$err" | tr '\n' '|')"; fi
  fi
  if want sandbox-own-paths; then
    # every spelling of the program's own /proc entries and /dev/fd under the sandbox (sandbox_paths.c):
    # each reaches the program's own file or is refused, never a descriptor of the monitor
    sb="$T/own-paths-$be"
    rm -rf "$sb" && mkdir -p "$sb"
    out=$(cd "$sb" && timeout 60 "$BVM" --backend "$be" --sandbox --rw . "$PROGS/sandbox_paths.glibc" 2>&1 </dev/null)
    if [ "$(tail -n 1 <<<"$out")" = "all own or refused" ] && ! grep -q FOREIGN <<<"$out"; then
        echo "PASS sandbox-own-paths [$be]"
    else
        echo "FAIL sandbox-own-paths [$be]: $(grep -m 3 -e FOREIGN -e . <<<"$out" | tr '\n' '|')"
    fi
  fi
  if want sandbox-landlock; then
    # the monitor itself, confined by the host's Landlock: its own open of a hidden file fails (a
    # debug hook makes it try once the rules hold), of a granted one succeeds; where the host has no
    # Landlock, --verbose says so
    sb="$T/landlock-$be"
    rm -rf "$sb" && mkdir -p "$sb/rw" "$sb/hidden" && echo s >"$sb/hidden/secret" && echo g >"$sb/rw/g"
    a=$(cd "$sb" && BUFFERVM_DEBUG_HOST_OPEN="$sb/hidden/secret" timeout 60 "$BVM" --backend "$be" --verbose --rw rw /bin/true 2>&1)
    b=$(cd "$sb" && BUFFERVM_DEBUG_HOST_OPEN="$sb/rw/g" timeout 60 "$BVM" --backend "$be" --verbose --rw rw /bin/true 2>&1)
    if grep -q "Landlock does not confine" <<<"$a"; then
        echo "SKIP sandbox-landlock [$be]: $(grep -o "Landlock does not confine.*" <<<"$a")"
    elif grep -q "own open of $sb/hidden/secret: Permission denied" <<<"$a" && grep -q "own open of $sb/rw/g: allowed" <<<"$b"; then
        echo "PASS sandbox-landlock [$be]"
    else
        echo "FAIL sandbox-landlock [$be]: $(grep -a "sandbox" <<<"$a$b" | tr '\n' '|')"
    fi
  fi
  if want sandbox-unix-names; then
    # AF_UNIX names under the sandbox (bound from the checked directory, connected through the
    # socket file's descriptor) read back as the program gave them, as natively
    sb="$T/unames-$be"
    rm -rf "$sb" && mkdir -p "$sb"
    native=$(cd "$sb" && /usr/bin/python3 "$PROGS/py_unix_names.py" "$sb" 2>&1)
    out=$(cd "$sb" && timeout 60 "$BVM" --backend "$be" --sandbox --rw "$sb" --ro "$PROGS/py_unix_names.py" \
        /usr/bin/python3 "$PROGS/py_unix_names.py" "$sb" 2>&1)
    if [ "$out" = "$native" ] && grep -q "$sb/s1" <<<"$native"; then
        echo "PASS sandbox-unix-names [$be]"
    else
        echo "FAIL sandbox-unix-names [$be]: $(diff <(echo "$native") <(echo "$out") | head -6 | tr '\n' '|')"
    fi
  fi
  if want monitor-seccomp; then
    # the monitor's own host syscalls, filtered once it is set up: a debug hook makes it call one
    # itself; an allowed one returns and the program runs on, a forbidden one stops the monitor with
    # SIGSYS and names the call. The host kernel's /proc then shows the filter on the monitor and on
    # the monitor of a forked guest process (inherited).
    bad=""
    out=$(BUFFERVM_DEBUG_HOST_SYSCALL=getppid timeout 60 "$BVM" --backend "$be" /bin/echo hi 2>&1); rc=$?
    [ $rc = 0 ] && grep -q "^hi$" <<<"$out" && grep -q "own getppid returned [0-9]" <<<"$out" || bad+="getppid rc=$rc $out|"
    for call in execve execveat ptrace mount init_module process_vm_readv unshare setns bpf kexec_load pidfd_getfd; do
        out=$(BUFFERVM_DEBUG_HOST_SYSCALL=$call timeout 60 "$BVM" --backend "$be" /bin/echo hi 2>&1); rc=$?
        [ $rc = 159 ] && grep -q "host syscall $call, which its seccomp filter forbids" <<<"$out" &&
            ! grep -q "^hi$" <<<"$out" || bad+="$call rc=$rc $(tr '\n' ' ' <<<"$out")|"
    done
    timeout 60 "$BVM" --backend "$be" /bin/busybox sh -c '/bin/busybox sleep 3 & wait' &
    top=$!
    sleep 1.5
    pids=$(pgrep -P $top) kids=$(pgrep -P "$(pgrep -P $top | head -n 1)")
    for pid in $pids $kids; do
        grep -q "^Seccomp:[[:space:]]*2" /proc/$pid/status 2>/dev/null || bad+="pid $pid has no filter|"
    done
    wait $top
    [ -n "$pids" ] && [ -n "$kids" ] || bad+="no guest processes found (pids '$pids', kids '$kids')|"
    if [ -z "$bad" ]; then echo "PASS monitor-seccomp [$be]"; else echo "FAIL monitor-seccomp [$be]: $bad"; fi
  fi
  if want tree-terminal-bash; then
    native=$(timeout 120 python3 "$PROGS/pty_jobs.py" bash 2>&1)
    out=$(timeout 120 python3 "$PROGS/pty_jobs.py" "$BVM" --backend "$be" bash 2>&1)
    if [ "$out" = "$native" ] && printf '%s\n' "$out" | grep -q '^ok ' && ! printf '%s\n' "$out" | grep -q '^FAIL'; then
        echo "PASS tree-terminal-bash [$be]"
    else
        echo "FAIL tree-terminal-bash [$be]: $(diff <(echo "$native") <(echo "$out") | head -5 | tr '\n' '|')"
    fi
  fi
done

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

#!/bin/bash
# run.sh: the libFuzzer targets (tests/fuzz/fuzz_*.c), each for FUZZ_SECS seconds (default 15) from
# its committed seed corpus (tests/fuzz/corpus/TARGET), after replaying every input that once made
# it fail (tests/fuzz/regress/TARGET: each crash found becomes one). fuzz_hostcall runs twice, the
# second time under the sandbox policy (FUZZ_SANDBOX=1). As nobody, in a scratch directory, without
# network (hostile input: the hostcall target makes real host calls). One line per run: PASS with
# the executions and the coverage reached, or FAIL with the input kept in $B/fuzz/crashes/.
# FUZZ_TARGETS="NAME..." runs only those. FUZZ_LOG=FILE appends "target seconds runs" per passing run (the README's fuzzing totals add them up).
. "$(dirname "$0")/../lib.sh"
SECS=${FUZZ_SECS:-15}
CRASHES=$(realpath -m "$B/fuzz/crashes")
read -ra TARGETS <<<"${FUZZ_TARGETS:-fuzz_prog fuzz_kernel_exec fuzz_softcpu fuzz_check_syms fuzz_gdb_stub fuzz_hostcall fuzz_hostcall:sandbox}"
for t in fuzz_prog fuzz_kernel_exec fuzz_softcpu fuzz_check_syms fuzz_gdb_stub fuzz_hostcall; do
    need_built "$t" "$B/fuzz/$t"
    unpriv_copy "$B/fuzz/$t" || { echo "FAIL $t: cannot make a scratch directory"; exit 0; }
done
if [ "$(unprivileged id -u)" = 0 ]; then
    echo "SKIP fuzz: cannot run as an unprivileged user (root without setpriv)"
    exit 0
fi

# run_target NAME: one run of a target (NAME is TARGET or TARGET:sandbox).
run_target() {
    local name=$1 t=${1%%:*} env=() d log runs cov crash
    [ "$name" != "$t" ] && env=(FUZZ_SANDBOX=1)
    d=$UNPRIV/work/${name/:/-}
    mkdir -p "$d/corpus" "$d/seeds" "$d/regress" && cp tests/fuzz/corpus/"$t"/* "$d/seeds/" &&
        { cp tests/fuzz/regress/"$t"/* "$d/regress/" 2>/dev/null || true; } && chmod -R a+rwX "$d" ||
        { echo "FAIL $name: cannot stage its corpus"; return; }
    log=$d/log
    if [ -n "$(ls "$d/regress")" ]; then # replay: each input runs once and must pass
        unprivileged env "${env[@]}" sh -c "cd '$d' && exec '$UNPRIV/$t' -close_fd_mask=3 -rss_limit_mb=4096 regress/*" \
            >"$log" 2>&1 </dev/null ||
            { echo "FAIL $name: a regression input fails again: $(grep -a -m 1 'ERROR\|runtime error\|Running' "$log")"; return; }
    fi
    unprivileged env "${env[@]}" sh -c "cd '$d' && exec timeout -k 10 $((SECS + 120)) '$UNPRIV/$t' \
        -max_total_time=$SECS -close_fd_mask=3 -timeout=10 -rss_limit_mb=4096 -max_len=8192 -print_final_stats=1 \
        -artifact_prefix='$d/' corpus seeds" >"$log" 2>&1 </dev/null
    local rc=$?
    runs=$(grep -a -o '^stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    cov=$(grep -a -o 'DONE *cov: [0-9]*' "$log" | grep -o '[0-9]*$')
    crash=$(ls "$d"/crash-* "$d"/timeout-* "$d"/oom-* "$d"/leak-* 2>/dev/null | head -n 1)
    if [ -n "$crash" ] || [ -z "$runs" ]; then
        mkdir -p "$CRASHES" && [ -n "$crash" ] && cp "$crash" "$CRASHES/$t-$(basename "$crash")"
        echo "FAIL $name: status $rc: $(grep -a -m 1 -e 'ERROR:' -e 'runtime error' -e 'deadly signal' "$log" || tail -n 1 "$log")" \
            "${crash:+(input: $CRASHES/$t-$(basename "$crash"); rerun: ${env[*]} $B/fuzz/$t FILE)}"
        return
    fi
    [ -n "${FUZZ_LOG:-}" ] && echo "$name $SECS $runs" >>"$FUZZ_LOG"
    echo "PASS $name ($runs runs in $SECS s, coverage $cov edges, 0 crashes)"
}

for name in "${TARGETS[@]}"; do
    run_target "$name"
done

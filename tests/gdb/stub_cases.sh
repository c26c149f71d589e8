# stub_cases.sh: the gdb cases without a native twin (sourced by tests/gdb/run.sh, whose helpers
# and variables it uses): gdb's interrupt, detach, gdb going away, bad --gdb values, and random
# packets against the stub.

prog=$D/target.glibc

# wait_for_line FILE PATTERN: until FILE has a line matching PATTERN (the program is where the test
# wants it), at most 60 s; then a moment for it to get into its wait or loop.
wait_for_line() {
    for _ in $(seq 600); do
        grep -q "$2" "$1" 2>/dev/null && break
        sleep 0.1
    done
    sleep 0.5
}

# gdb's Ctrl-C (SIGINT to gdb, forwarded by timeout; gdb sends the interrupt byte) while the program
# waits in read: the stop is SIGINT in read, and after continuing the program reads its line and
# ends as it would. (gdb runs straight from the script: a background shell function would ignore
# SIGINT.)
interrupt_read() {
    local t=gdb-interrupt-read
    wanted "$t" || return 0
    mkfifo "$tmp/in"
    rm -f "$tmp/sock"
    "$BVM" --backend "$backend" --gdb "unix:$tmp/sock" "$prog" read < "$tmp/in" > "$tmp/bvm.out" 2>&1 &
    stub=$!
    exec 7> "$tmp/in" # the program's stdin stays open, empty: its read waits
    for _ in $(seq 100); do [ -S "$tmp/sock" ] && break; sleep 0.1; done
    timeout 120 gdb -q -batch -nx -ex 'set debuginfod enabled off' -ex "target remote $tmp/sock" \
        -ex 'handle SIGUSR1 nostop noprint pass' -ex continue -ex 'bt 8' -ex 'shell echo hello >&7' -ex continue \
        "$prog" > "$tmp/bvm.gdb" 2>&1 &
    local g=$!
    wait_for_line "$tmp/bvm.out" 'waiting\|spinning'
    pkill -INT -P $g gdb # (gdb itself: timeout would pass it on to its whole group, gdb twice)
    wait $g
    exec 7>&-
    stub_wait
    local rc=$?
    if ! grep -q 'Program received signal SIGINT' "$tmp/bvm.gdb"; then
        echo "FAIL $t: no SIGINT stop:"
        sed 's/^/    /' "$tmp/bvm.gdb" | head -20
    elif ! grep -q ' in main ' "$tmp/bvm.gdb" || ! grep -q 'read' "$tmp/bvm.gdb"; then
        echo "FAIL $t: the stop is not in read called from main:"
        sed 's/^/    /' "$tmp/bvm.gdb" | head -20
    elif [ "$rc" -ne 0 ] || ! grep -q '^line hello$' "$tmp/bvm.out"; then
        echo "FAIL $t: the program did not read its line after the stop (status $rc):"
        sed 's/^/    /' "$tmp/bvm.out" | head
    else
        echo "PASS $t"
    fi
    rm -f "$tmp/in"
}

# The program computes (a loop in the guest, no syscalls): the interrupt stops it there.
interrupt_spin() {
    local t=gdb-interrupt-spin
    wanted "$t" || return 0
    need_built "$t" "$D/spin.glibc"
    start_stub "$tmp/bvm.out" "$D/spin.glibc" || { echo "FAIL $t: no socket"; return; }
    timeout 120 gdb -q -batch -nx -ex 'set debuginfod enabled off' -ex "target remote $tmp/sock" -ex continue \
        -ex 'print spins > 0' -ex 'set var stop_now = 1' -ex continue "$D/spin.glibc" > "$tmp/bvm.gdb" 2>&1 &
    local g=$!
    wait_for_line "$tmp/bvm.out" 'waiting\|spinning'
    pkill -INT -P $g gdb # (gdb itself: timeout would pass it on to its whole group, gdb twice)
    wait $g
    stub_wait
    local rc=$?
    if ! grep -q 'Program received signal SIGINT' "$tmp/bvm.gdb" || ! grep -q '= 1$' "$tmp/bvm.gdb"; then
        echo "FAIL $t: no SIGINT stop in the loop:"
        sed 's/^/    /' "$tmp/bvm.gdb" | head -20
    elif [ "$rc" -ne 0 ] || ! grep -q 'exited normally' "$tmp/bvm.gdb"; then
        echo "FAIL $t: the program did not end when told to (status $rc)"
    else
        echo "PASS $t"
    fi
}

# gdb leaves: with detach, or by dying (kill -9), without a word. The program runs on (default) or is
# killed (--gdb-detach=kill); its breakpoints are gone either way.
leave() {
    local t=gdb-$1 how=$1 want_rc=$2
    shift 2
    wanted "$t" || return 0
    rm -f "$tmp/sock"
    "$BVM" --backend "$backend" --gdb "unix:$tmp/sock" "$@" "$prog" > "$tmp/bvm.out" 2>&1 &
    stub=$!
    for _ in $(seq 100); do [ -S "$tmp/sock" ] && break; sleep 0.1; done
    if [ "$how" = detach ]; then
        gdbx -ex "target remote $tmp/sock" -ex 'break add' -ex continue -ex detach "$prog" > "$tmp/bvm.gdb"
    else
        gdbx -ex "target remote $tmp/sock" -ex 'break add' -ex continue -ex 'shell kill -9 $PPID' "$prog" \
            > "$tmp/bvm.gdb"
    fi
    stub_wait
    local rc=$?
    "$prog" > "$tmp/native.out" 2>&1
    if [ "$rc" -ne "$want_rc" ]; then
        echo "FAIL $t: buffervm exited $rc, not $want_rc"
        sed 's/^/    /' "$tmp/bvm.gdb" | head
    elif [ "$want_rc" -eq 0 ] && ! cmp -s "$tmp/native.out" "$tmp/bvm.out"; then
        echo "FAIL $t: the program's output differs from native"
    else
        echo "PASS $t"
    fi
}

# Bad --gdb values and a port in use: one line, exit status 125, and the program never runs.
bad_values() {
    local t=gdb-bad-values
    wanted "$t" || return 0
    local spec out rc
    python3 -c 'import socket,time,sys; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(1); print(s.getsockname()[1], flush=True); time.sleep(300)' > "$tmp/port" &
    local holder=$!
    for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
    for spec in "$(cat "$tmp/port")" "" nonsense 0 70000 "1.2.3:99" "unix:"; do
        out=$(timeout 20 "$BVM" --backend "$backend" --gdb "$spec" "$prog" 2>&1)
        rc=$?
        if [ "$rc" -ne 125 ] || [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ] || ! grep -q '^buffervm' <<< "$out"; then
            echo "FAIL $t: --gdb '$spec': status $rc, output: $out"
            kill $holder
            return
        fi
    done
    kill $holder
    echo "PASS $t"
}

# Random and malformed packets (tests/gdb/fuzz_rsp.py) at the stub, as an unprivileged user: the
# monitor never crashes or hangs; when the fuzzer leaves, the program runs on to its normal end.
fuzz() {
    local t=gdb-fuzz
    wanted "$t" || return 0
    unpriv_copy "$BVM" && unpriv_copy "$prog" && unpriv_copy tests/gdb/fuzz_rsp.py || { echo "FAIL $t: no scratch dir"; return; }
    local seed
    for seed in 1 2 3 4; do
        unprivileged bash -c "rm -f sock; ../buffervm --backend $backend --gdb unix:sock ../target.glibc > out 2>&1 & b=\$!
            for i in \$(seq 100); do [ -S sock ] && break; sleep 0.1; done
            timeout 60 python3 ../fuzz_rsp.py sock $seed > fuzz.log 2>&1 || { echo fuzzer failed; cat fuzz.log; }
            timeout 60 tail --pid=\$b -f /dev/null; wait \$b; echo status \$?" > "$tmp/fuzz.out" 2>&1
        if ! grep -q '^status 0$' "$tmp/fuzz.out" || ! grep -q '^total 10 scale' "$UNPRIV/work/out" 2>/dev/null; then
            echo "FAIL $t: seed $seed:"
            sed 's/^/    /' "$tmp/fuzz.out" | head
            return
        fi
    done
    echo "PASS $t"
}

# buffervm check --gdb-error: the program runs to its first heap error, whose report comes first,
# then stops at the faulting load for gdb; continuing, it stops at the next error (a double free,
# inside free called from main) and ends with check's error status.
check_error() {
    local t=gdb-check-error src=tests/gdb/heap_errors.c
    wanted "$t" || return 0
    need_built "$t" "$D/heap_errors.dyn"
    local uaf dbl
    uaf=$(grep -n 'USE_AFTER_FREE' $src | cut -d: -f1)
    dbl=$(grep -n 'DOUBLE_FREE' $src | cut -d: -f1)
    rm -f "$tmp/sock"
    "$BVM" --backend "$backend" check --gdb-error "unix:$tmp/sock" "$D/heap_errors.dyn" > "$tmp/bvm.out" 2> "$tmp/bvm.err" &
    stub=$!
    for _ in $(seq 100); do [ -S "$tmp/sock" ] && break; sleep 0.1; done
    gdbx -ex 'set remotetimeout 60' -ex "target remote $tmp/sock" -ex 'bt 1' -ex 'x/i $pc' -ex continue -ex 'bt 2' \
        -ex continue "$D/heap_errors.dyn" > "$tmp/bvm.gdb"
    stub_wait
    local rc=$?
    if ! grep -q "^#0 .*main () at $src:$uaf" "$tmp/bvm.gdb" || ! grep -q 'mov.*(%.*),' "$tmp/bvm.gdb"; then
        echo "FAIL $t: the first stop is not the load after free (line $uaf):"
        sed 's/^/    /' "$tmp/bvm.gdb" | head -20
    elif ! grep -q "^#1 .* in main () at $src:$dbl" "$tmp/bvm.gdb"; then
        echo "FAIL $t: the second stop is not the double free called at line $dbl:"
        sed 's/^/    /' "$tmp/bvm.gdb" | head -20
    elif [ "$rc" -ne 99 ] || ! grep -q 'exited with code 0143' "$tmp/bvm.gdb" || ! grep -q '^done$' "$tmp/bvm.out"; then
        echo "FAIL $t: status $rc, want check's 99 reported to gdb"
    elif ! grep -q 'Invalid read of size 1' "$tmp/bvm.err" || ! grep -q 'Invalid free' "$tmp/bvm.err" ||
        [ "$(grep -n 'Invalid read' "$tmp/bvm.err" | cut -d: -f1)" -gt "$(grep -n 'waiting for gdb' "$tmp/bvm.err" | cut -d: -f1)" ]; then
        echo "FAIL $t: the reports (the first before the wait for gdb):"
        sed 's/^/    /' "$tmp/bvm.err" | head -20
    else
        echo "PASS $t"
    fi
}

interrupt_read
interrupt_spin
check_error
leave detach 0
leave vanish 0
leave vanish-kill 137 --gdb-detach=kill
bad_values
fuzz

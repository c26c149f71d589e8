#!/bin/bash
# run.sh: program tests: run each case natively and under buffervm (soft, and kvm when
# /dev/kvm works here) and compare stdout, stderr, exit status and file effects.
# --check: under `buffervm check`, where a program without heap bugs must run as natively, the
# checker adding nothing (run_check.sh; a stripped static binary's one line saying heap checking
# is off for it is taken out first: the checker cannot find an allocator without symbols).
# Usage: tests/programs/run.sh [--check] [--backend soft|kvm]... [--bvm PATH] [--progs DIR] [NAME...]
. "$(dirname "$0")/../lib.sh"
check=() rest=()
for a in "$@"; do if [ "$a" = --check ]; then check=(check --leak-check=no); else rest+=("$a"); fi; done
prog_args --backend "${rest[@]}"
backends=("${opt_values[@]}")
BVM=$(realpath "$BVM")
PROGS=$(realpath "$PROGS")
if [ ${#backends[@]} -eq 0 ]; then
    backends=(soft)
    if [ -d /sys/module/kvm_pvm ]; then
        echo "SKIP kvm-local: kvm tests skipped: /dev/kvm here is kvm_pvm, not hardware KVM (the nested-VM suite runs them)"
    elif [ -c /dev/kvm ] && "$BVM" --backend kvm "$PROGS/exitcode.glibc" 0 >/dev/null 2>&1; then
        backends+=(kvm)
    else
        echo "SKIP kvm-local: kvm tests skipped: /dev/kvm not usable here (the nested-VM suite runs them)"
    fi
fi
TMP=$(mktemp -d /tmp/bvm-progs.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
ENV=(env -i PATH=/usr/bin:/bin HOME=/nonexistent LANG=C TESTVAR=buffervm)

# run_one DIR KIND CMD...: run in a fresh $TMP/cwd (the same path for every run, so absolute
# paths a program prints agree), record out/err/status and the files left in DIR.
run_one() {
    local dir=$1 kind=$2 cwd=$TMP/cwd; shift 2
    rm -rf "$dir" "$cwd"; mkdir -p "$dir" "$cwd"
    cp -pr "$PROGS"/inputs/* "$cwd/" 2>/dev/null
    (
        cd "$cwd" || exit 99
        # (the braces' 2>/dev/null hides the shell's own "Aborted"/"Segmentation fault" notes)
        if [ "$kind" = head ]; then
            { "${ENV[@]}" timeout -k 10 120 "$@" </dev/null 2>"$dir/err" | head -n 1 >"$dir/out"; } 2>/dev/null
            echo "${PIPESTATUS[0]}" >"$dir/status"
        else
            { "${ENV[@]}" timeout -k 10 120 "$@" </dev/null >"$dir/out" 2>"$dir/err"; } 2>/dev/null
            echo $? >"$dir/status"
        fi
    )
    record_files "$dir"
}

# run_signals DIR SPEC CMD...: as run_one, with the program in the background getting the signals
# of SPEC ("N:SIG ..."), each sent once it has printed the line "stage N" and then gone to sleep in
# the call that follows, or stopped (the process state, S or T: buffervm too sleeps in the host
# while the program waits). A run that does not end within a minute is killed.
run_signals() {
    local dir=$1 spec=$2 cwd=$TMP/cwd pid step t; shift 2
    rm -rf "$dir" "$cwd"; mkdir -p "$dir" "$cwd"
    (
        cd "$cwd" || exit 99
        "${ENV[@]}" "$@" </dev/null >"$dir/out" 2>"$dir/err" &
        pid=$!
        for step in $spec; do
            for ((t = 0; t < 300; t++)); do grep -qx "stage ${step%%:*}" "$dir/out" && break; sleep 0.1; done
            if [ "$t" = 300 ]; then
                echo "stage ${step%%:*} never came" >>"$dir/missed"
                break
            fi
            case ${step#*:} in send:* | tgsend:*) ;; *)
                for ((t = 0; t < 1500; t++)); do
                    case $(cut -d' ' -f3 /proc/$pid/stat 2>/dev/null) in S | T) break ;; esac
                    sleep 0.02
                done ;;
            esac
            case ${step#*:} in
            send:*:*) IFS=: read -r _ n sig <<<"${step#*:}"; "$PROGS/sigsend.glibc" $pid "$sig" "$n" ;;
            tgsend:*:*) IFS=: read -r _ n sig <<<"${step#*:}"; "$PROGS/sigsend.glibc" $pid "$sig" "$n" "$(cat "$cwd/tid")" ;;
            tgkill:*) "$PROGS/sigsend.glibc" $pid "${step##*:}" 0 "$(cat "$cwd/tid")" ;;
            [0-9]*) kill -n "${step#*:}" $pid ;;
            *) kill -s "${step#*:}" $pid ;;
            esac
        done
        for ((t = 0; t < 600; t++)); do kill -0 $pid || break; sleep 0.1; done
        kill -KILL $pid
        wait $pid
        echo $? >"$dir/status"
    ) 2>/dev/null
    record_files "$dir"
}

# record_files DIR: what the run left in $TMP/cwd, into DIR/files.
record_files() {
    local dir=$1 cwd=$TMP/cwd
    # files (size, mode, content), directories, symlinks, and the mtime of files older than a day
    # (set by the program, e.g. touch -d or tar xf; fresh files differ by run time and are left out)
    (cd "$cwd" && find . -mindepth 1 \( -type f -printf '%P %s %m\n' \) -o \( -type d -printf '%P/ %m\n' \) \
        -o \( -type l -printf '%P -> %l\n' \) | sort && find . -type f -exec sha256sum {} + | sort &&
        find . -type f -mmin +1440 -printf 'mtime %P %TY-%Tm-%Td %TH:%TM:%TS\n' | sort) >"$dir/files"
}

# no_allocator EXE: the checker has no allocator to take over in EXE, and says so: a file without
# even the name malloc in it (a hand-made ELF), a static one whose symbols have no malloc (it never
# allocates), or a static one without symbols (stripped: busybox).
no_allocator() {
    ! grep -q malloc "$1" && return 0
    readelf -l "$1" 2>/dev/null | grep -q 'LOAD' && ! readelf -l "$1" | grep -q 'INTERP' || return 1
    ! readelf -S "$1" | grep -q '\.symtab' || ! nm "$1" 2>/dev/null | grep -qE ' (malloc|__libc_malloc)$'
}

# drop_noheap FILE: FILE without the lines saying heap checking is off for a program that has no
# allocator to check (no_allocator): one from each such program run, its own fork children quiet.
drop_noheap() {
    local line path
    grep -q '^==[0-9]*== buffervm check: heap checking is off for ' "$1" || return 0
    while IFS= read -r line || [ -n "$line" ]; do
        path=$(sed -n 's/^==[0-9]*== buffervm check: heap checking is off for \(.*\): no allocator found .*/\1/p' <<<"$line")
        [ -n "$path" ] && no_allocator "$path" && continue
        printf '%s\n' "$line"
    done <"$1" >"$1.x"
    mv "$1.x" "$1"
}

# same A B: print the first difference between two result directories, or nothing.
same() {
    local f
    for f in status out err files missed; do
        [ -f "$1/$f" ] || [ -f "$2/$f" ] || continue
        if ! cmp -s "$1/$f" "$2/$f"; then
            echo "$f differs: $(diff -a "$1/$f" "$2/$f" | head -5 | cut -c 1-300 | tr '\n' ' ')"
            return 1
        fi
    done
}

while read -r name kind prog args; do
    [ -z "$name" ] || [ "${name#\#}" != "$name" ] && continue
    if [ ${#only[@]} -gt 0 ] && ! printf '%s\n' "${only[@]}" | grep -qx "$name"; then continue; fi
    eval "argv=($args)"
    case "$prog" in /*) exe=$prog ;; *) exe=$PROGS/$prog ;; esac
    if [ ! -x "$exe" ]; then echo "FAIL $name: $exe not built"; continue; fi
    if [ "$kind" = agree ]; then
        # soft against kvm, wherever kvm runs (here or in the nested VM); untagged, so it stays
        # out of the kvm/soft pass-list parity
        if ! printf '%s\n' "${backends[@]}" | grep -qx kvm; then echo "SKIP $name: needs the kvm backend"; continue; fi
        run_one "$TMP/a" cmp "$BVM" "${check[@]}" --backend soft "$exe" "${argv[@]}"
        run_one "$TMP/b" cmp "$BVM" "${check[@]}" --backend kvm "$exe" "${argv[@]}"
        if d=$(same "$TMP/a" "$TMP/b"); then echo "PASS $name (soft = kvm)"; else echo "FAIL $name: soft vs kvm: $d"; fi
        continue
    fi
    pre=()
    if [ "$kind" = groups ]; then
        if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then echo "SKIP $name: needs root and setpriv"; continue; fi
        pre=(setpriv --groups 4,24,100 --)
    fi
    if [ "$kind" = signals ]; then
        run_signals "$TMP/native" "$args" "$exe"
        if [ -f "$TMP/native/missed" ]; then
            echo "FAIL $name: the native run went wrong: $(cat "$TMP/native/missed")"
            continue
        fi
    else
        run_one "$TMP/native" "$kind" "${pre[@]}" "$exe" "${argv[@]}"
    fi
    for be in "${backends[@]}"; do
        if [ "$kind" = signals ]; then
            run_signals "$TMP/$be" "$args" "$BVM" "${check[@]}" --backend "$be" "$exe"
        else
            run_one "$TMP/$be" "$kind" "${pre[@]}" "$BVM" "${check[@]}" --backend "$be" "$exe" "${argv[@]}"
        fi
        [ ${#check[@]} -gt 0 ] && drop_noheap "$TMP/$be/err"
        tag=$be${check:+ check}
        if d=$(same "$TMP/native" "$TMP/$be"); then echo "PASS $name [$tag]"; else echo "FAIL $name [$tag]: $d"; fi
    done
done <tests/programs/cases

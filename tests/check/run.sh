#!/bin/bash
# run.sh: the heap checker's tier: each corpus program (tests/check/*.c, *.cc; one bug each, or
# clean) in each of its builds is run natively and under `buffervm check`, and the report is judged
# against the annotations in its source (verify.py; README.md here): stdout as native; for a buggy
# program exit status 99, the first error's kind, size, address relation, its stack's and the
# block's alloc and free stacks' lines, the leak records and summaries, the ERROR SUMMARY; for a
# clean one not a byte added to stderr and the native exit status. Dynamic builds are also run
# under valgrind's memcheck (valgrind_as_check.sh), a second oracle that checks the annotations and
# this parser; copies of its report with one detail wrong (a line off by one...) must be rejected.
# Usage: tests/check/run.sh [--backend soft|kvm|auto]... [--bvm PATH] [--progs DIR]
#                           [--no-valgrind | --valgrind-only] [--jobs N] [NAME...]
#   --backend   default: soft, and kvm too where /dev/kvm is real hardware KVM; on kvm and auto a
#               case marked "precise" (its bug stays inside the block's page) may pass unreported
#   NAME        a program (uaf_read_small), one build of it (uaf_read_small.musl), or a glob of
#               either ('uaf_*', '*.dyn'); none: all
#   env BUFFERVM_CHECK_CMD: a command run in place of "BVM check", with the same arguments (a
#       relative path is from the top of the tree), e.g. tests/check/valgrind_as_check.sh on the
#       dynamic builds to see the checks pass on right reports (VG_AS_CHECK_SKEW=1: and fail)
. "$(dirname "$0")/../lib.sh"
npass=0 nfail=0 nskip=0
# result LINE: print a result line and count it
result() {
    echo "$1"
    case "$1" in PASS\ *) npass=$((npass + 1)) ;; FAIL\ *) nfail=$((nfail + 1)) ;; SKIP\ *) nskip=$((nskip + 1)) ;; esac
}
backends=() only=() BVM=$B/buffervm PROGS=$B/tests/check valgrind=1 jobs=$(nproc)
while [ $# -gt 0 ]; do
    case "$1" in
    --backend) backends+=("$2"); shift 2 ;;
    --bvm) BVM=$2; shift 2 ;;
    --progs) PROGS=$2; shift 2 ;;
    --no-valgrind) valgrind=0; shift ;;
    --valgrind-only) valgrind=only; shift ;;
    --jobs) jobs=$2; shift 2 ;;
    *) only+=("$1"); shift ;;
    esac
done
# Debian's python3 first: a version manager's shim on PATH can cost half a second a start
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || { echo "FAIL check-setup: python3 is needed (verify.py)"; exit 0; }
[ -d "$PROGS" ] || { echo "FAIL check-setup: $PROGS not built (make B=$B check-corpus)"; exit 0; }
PROGS=$(realpath "$PROGS")
if [ -n "${BUFFERVM_CHECK_CMD:-}" ]; then
    read -ra CHECK_CMD <<<"$BUFFERVM_CHECK_CMD"
    # a relative path is taken from the top of the tree (the cases run in scratch directories)
    [[ ${CHECK_CMD[0]} == */* && ${CHECK_CMD[0]} != /* ]] && CHECK_CMD[0]=$(pwd -P)/${CHECK_CMD[0]}
    # the programs run with a clean environment (env -i): the stand-in's one knob goes through
    [ -n "${VG_AS_CHECK_SKEW:-}" ] && CHECK_CMD=(env "VG_AS_CHECK_SKEW=$VG_AS_CHECK_SKEW" "${CHECK_CMD[@]}")
    echo "note: the checker is BUFFERVM_CHECK_CMD=$BUFFERVM_CHECK_CMD"
elif [ "$valgrind" != only ]; then
    [ -x "$BVM" ] || { echo "FAIL check-setup: $BVM not built"; exit 0; }
    BVM=$(realpath "$BVM")
    CHECK_CMD=("$BVM" check)
fi
if [ "$valgrind" = only ]; then
    backends=() # the second oracle alone: the annotations and verify.py against valgrind
elif [ ${#backends[@]} -eq 0 ]; then
    backends=(soft)
    if [ -d /sys/module/kvm_pvm ]; then
        result "SKIP check-kvm-local: kvm backend skipped: /dev/kvm here is kvm_pvm, not hardware KVM (tests/kvm/run.sh runs it)"
    elif [ -c /dev/kvm ] && [ -x "$BVM" ] && "$BVM" --backend kvm "$PROGS/clean_realloc.glibc" >/dev/null 2>&1; then
        backends+=(kvm)
    else
        result "SKIP check-kvm-local: kvm backend skipped: /dev/kvm not usable here (tests/kvm/run.sh runs it)"
    fi
fi
if [ "$valgrind" != 0 ] && ! command -v valgrind >/dev/null; then
    result "SKIP check-valgrind: valgrind is not installed (apt-get install valgrind): the second oracle is not run"
    valgrind=0
fi
TMP=$(mktemp -d /tmp/bvm-check.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
ulimit -c 0 # natively the buggy programs may abort: no core files
ENV=(env -i PATH=/usr/bin:/bin HOME=/nonexistent LANG=C)
HERE=$(pwd -P)

# selected ID: is the build ID (NAME.BUILD) among the NAMEs asked for?
selected() {
    local p
    [ ${#only[@]} -eq 0 ] && return 0
    for p in "${only[@]}"; do
        # shellcheck disable=SC2053 # the NAMEs are globs
        [[ $1 == $p || ${1%.*} == $p ]] && return 0
    done
    return 1
}

# run_to DIR CMD...: run CMD in a fresh DIR/cwd, stdout, stderr and status into DIR.
run_to() {
    local dir=$1
    shift
    mkdir -p "$dir/cwd"
    # (the subshell's 2>/dev/null hides the shell's own "Aborted" notes of a native run)
    (cd "$dir/cwd" && "${ENV[@]}" timeout -k 5 60 "$@" </dev/null >"$dir/out" 2>"$dir/err") 2>/dev/null
    echo $? >"$dir/status"
    rm -rf "$dir/cwd"
}

# one_case IDX SRC ID TAG OPTS EXPECT: run build ID natively and under the checker (TAG: a backend,
# or "valgrind"), with the checker options OPTS (a string) and verify.py's --expect EXPECT (or
# ""); its result line goes to $TMP/IDX.line.
one_case() {
    local idx=$1 src=$2 id=$3 tag=$4 opts=$5 expect=$6 d=$TMP/$1 exe=$PROGS/$3 v=() o=() name line verdict
    read -ra o <<<"$opts"
    # a source's "// check-options:" go to its every run but the "// option:" ones (which replace them)
    [ -z "$opts" ] && read -ra o <<<"$(sed -n 's,^// check-options: ,,p' "$src")"
    name="check $id${opts:+ $opts}"
    grep -q '^// expect: .* precise\b' "$src" && name+=" (byte-precise)"
    [ -n "$expect" ] && v+=(--expect "$expect")
    run_to "$d/native" "$exe"
    if [ "$tag" = valgrind ]; then
        run_to "$d/run" "$HERE/tests/check/valgrind_as_check.sh" "${o[@]}" "$exe"
    else
        [ "$tag" = soft ] || v+=(--precise optional)
        run_to "$d/run" "${CHECK_CMD[@]}" --backend "$tag" "${o[@]}" "$exe"
    fi
    # on the second oracle's right report, also prove the checks can fail: each copy of it with
    # one detail wrong (a line number off by one, the access size...) must be rejected
    [ "$tag" = valgrind ] && v+=(--mutants)
    # (its stderr too, on one line: a crash of verify.py is a FAIL that says why)
    if verdict=$("$PY" tests/check/verify.py "${v[@]}" "$src" "$d/native" "$d/run" 2>&1); then
        line="PASS $name [$tag]"
        [ "$verdict" != ok ] && line+=": ${verdict#ok: }"
    else
        line="FAIL $name [$tag]: ${verdict//$'\n'/ | }"
        [ "$tag" = valgrind ] && line+=" (valgrind disagrees with the annotations or the parser)"
    fi
    rm -rf "$d"
    echo "$line" >"$TMP/$idx.tmp" && mv "$TMP/$idx.tmp" "$TMP/$idx.line"
}

# valgrind_has SRC: the installed valgrind is at least the "// valgrind-since: X.Y" of SRC (a kind
# of error memcheck reports only from that release on), and SRC has no "// valgrind: no (WHY)"
# (a program valgrind runs otherwise than Linux does); else a SKIP line says so.
vg_version=$( (valgrind --version 2>/dev/null || true) | sed -n 's/^valgrind-\([0-9]*\.[0-9]*\).*/\1/p')
valgrind_has() {
    local since why n=$(basename "${1%.*}")
    why=$(sed -n 's,^// valgrind: no (\(.*\)),\1,p' "$1")
    if [ -n "$why" ]; then
        result "SKIP check $n [valgrind]: $why"
        return 1
    fi
    since=$(sed -n 's,^// valgrind-since: \([0-9]*\.[0-9]*\).*,\1,p' "$1")
    [ -z "$since" ] && return 0
    if [ "$(printf '%s\n' "$since" "$vg_version" | sort -V | head -n 1)" = "$since" ]; then return 0; fi
    result "SKIP check $n [valgrind]: memcheck $vg_version reports this kind of error only from $since on"
    return 1
}

# The cases, in order: each build on each backend, dynamic builds under valgrind, then the
# "// option: OPTS => EXPECT" runs of a source (on its dynamic build).
cases=()
for src in tests/check/*.c tests/check/*.cc; do
    n=$(basename "${src%.*}")
    case "$src" in
    *.c) builds=(dyn glibc musl) o2=(o2dyn o2glibc o2musl) ;;
    *) builds=(cxx cxxs) o2=(o2cxx o2cxxs) ;;
    esac
    grep -q '^// build: o2' "$src" && builds+=("${o2[@]}")
    for b in "${builds[@]}"; do
        selected "$n.$b" || continue
        if [ ! -x "$PROGS/$n.$b" ]; then
            result "FAIL check $n.$b: $PROGS/$n.$b not built (make B=$B check-corpus)"
            continue
        fi
        for be in "${backends[@]}"; do cases+=("$src|$n.$b|$be||"); done
        # (not with check-options: memcheck cannot be told of a program's own allocator)
        grep -q '^// check-options: ' "$src" && continue
        case "$b" in *dyn | *cxx) [ "$valgrind" != 0 ] && valgrind_has "$src" && cases+=("$src|$n.$b|valgrind||") ;; esac
    done
    dyn=$n.${builds[0]}
    if ! selected "$dyn" || [ ! -x "$PROGS/$dyn" ]; then continue; fi
    while IFS= read -r opt; do
        opts=${opt% => *} expect=${opt#* => }
        for be in "${backends[@]}"; do cases+=("$src|$dyn|$be|$opts|$expect"); done
        grep -q '^// check-options: \|^// valgrind: no ' "$src" && continue
        [ "$valgrind" != 0 ] && cases+=("$src|$dyn|valgrind|$opts|$expect")
    done < <(sed -n 's,^// option: ,,p' "$src")
done

# Run them $jobs at a time, printing each result as soon as those before it are printed.
next=0
flush() {
    while [ -f "$TMP/$next.line" ]; do
        result "$(cat "$TMP/$next.line")"
        next=$((next + 1))
    done
}
running=0
for i in "${!cases[@]}"; do
    IFS='|' read -r src id tag opts expect <<<"${cases[$i]}"
    one_case "$i" "$src" "$id" "$tag" "$opts" "$expect" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
        flush
    fi
done
wait
flush
if [ "$next" -ne ${#cases[@]} ]; then
    result "FAIL check-runner: $((${#cases[@]} - next)) cases left no result"
fi
echo "check: $npass passed, $nfail failed, $nskip skipped"
exit 0

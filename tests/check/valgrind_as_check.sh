#!/bin/bash
# valgrind_as_check.sh: valgrind's memcheck dressed as `buffervm check`, the runner's second oracle
# and its stand-in for a checker that reports right (BUFFERVM_CHECK_CMD=tests/check/valgrind_as_check.sh).
# Takes what `buffervm check` takes after "check" (--backend B, --error-exitcode=N, --leak-check=X,
# --show-leak-kinds=SET, --errors-for-leak-kinds=SET,
# -q, PROG ARGS...) and behaves as the SPEC says buffervm check does: memcheck's report on stderr
# only when it found errors (none: not a line added), exit status --error-exitcode (99) then, the
# program's own otherwise; definitely and indirectly lost blocks are errors, possibly lost ones
# are listed but are not. Valgrind intercepts malloc only in dynamic programs.
# VG_AS_CHECK_SKEW=1 adds 1 to every FILE:LINE of the report (to see the runner fail).
opts=(--error-exitcode=99 --leak-check=full "--show-leak-kinds=definite,indirect,possible"
    "--errors-for-leak-kinds=definite,indirect")
while [ $# -gt 0 ]; do
    case "$1" in
    --backend) shift 2 ;;
    --error-exitcode=* | --leak-check=* | --show-leak-kinds=* | --errors-for-leak-kinds=*) opts+=("$1"); shift ;;
    -q) shift ;;
    --) shift; break ;;
    -*) echo "valgrind_as_check.sh: unknown option $1" >&2; exit 125 ;;
    *) break ;;
    esac
done
skew=${VG_AS_CHECK_SKEW:-0}
unset VG_AS_CHECK_SKEW # not for the program's environment
command -v valgrind >/dev/null || { echo "valgrind_as_check.sh: no valgrind" >&2; exit 125; }
log=$(mktemp /tmp/bvm-vgcheck.XXXXXX)
trap 'rm -f "$log"' EXIT
valgrind --log-file="$log" "${opts[@]}" "$@"
rc=$?
if ! grep -q '^==[0-9]*== ERROR SUMMARY: 0 errors' "$log"; then
    if [ "$skew" = 1 ]; then
        perl -pe 's/\(([^():]*):(\d+)\)$/"($1:".($2+1).")"/e' "$log" >&2
    else
        cat "$log" >&2
    fi
fi
exit $rc

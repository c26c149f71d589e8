# lib.sh: what the test scripts share. Each sources it first: . "$(dirname "$0")/../lib.sh"
# (tests/run.sh: . "$(dirname "$0")/lib.sh"); it moves to the top of the tree and sets B, the
# build directory (default build).
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
B=${B:-build}

# need_built NAME PATH: the test program PATH must be built; if it is not, the tier's one line is
# "FAIL NAME: PATH not built" and the script ends there (status 0: that line is the result).
need_built() {
    [ -x "$2" ] && return 0
    echo "FAIL $1: $2 not built (make B=$B tests-build)"
    exit 0
}

# prog_args OPT ARG...: the arguments of the program-test scripts (tests/programs/run.sh and
# tests/kvm/run.sh, which passes them on): OPT VALUE, the script's own repeatable option (values
# in the array opt_values), --bvm PATH, --progs DIR (BVM and PROGS, by default the build's), and
# the NAMEs of the cases to run (the array only; none: all).
prog_args() {
    local opt=$1
    shift
    BVM=$B/buffervm PROGS=$B/tests/programs opt_values=() only=()
    while [ $# -gt 0 ]; do
        case "$1" in
        "$opt") opt_values+=("$2"); shift 2 ;;
        --bvm) BVM=$2; shift 2 ;;
        --progs) PROGS=$2; shift 2 ;;
        *) only+=("$1"); shift ;;
        esac
    done
}

# unprivileged CMD...: runs CMD in a scratch directory, as the user nobody when we are root
# (hostile-input tests: a fuzzed guest or random code has the rights of whoever runs it), and
# without network where a new network namespace can be had (its loopback down: no packet leaves).
# Programs CMD names must be readable by nobody: unpriv_copy FILE copies FILE into $UNPRIV
# (made once per script; call it outside $(...)). It is removed at exit unless the script has an
# EXIT trap of its own, which must then remove it.
UNPRIV=
unpriv_copy() {
    if [ -z "$UNPRIV" ]; then
        UNPRIV=$(mktemp -d /tmp/bvm-unpriv.XXXXXX) && chmod 755 "$UNPRIV" && mkdir -m 777 "$UNPRIV/work" || return 1
        [ -n "$(trap -p EXIT)" ] || trap 'rm -rf "$UNPRIV"' EXIT
    fi
    cp "$1" "$UNPRIV/" && chmod 755 "$UNPRIV/$(basename "$1")"
}
unprivileged() {
    local net=()
    unshare --net true 2>/dev/null && net=(unshare --net)
    if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
        (cd "$UNPRIV/work" && "${net[@]}" setpriv --reuid=nobody --regid=nogroup --clear-groups --reset-env "$@")
    else
        (cd "$UNPRIV/work" && "$@")
    fi
}

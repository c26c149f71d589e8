#!/bin/bash
# run_formats.sh: buffervm check's reports for tools (issue 17): --xml-file, --json-file,
# --sarif-file and --log-file on corpus programs with each kind of error, read by real parsers and
# held against valgrind's XML of the same program (formats.py says what is compared); then a tree
# of processes (%p names, one report per process, the first process's exit status) and
# --trace-children=no. The SARIF schema is the official one, from the npm registry (cached in $B).
# Usage: tests/check/run_formats.sh [--backend "$BE"|kvm] [--bvm PATH] [--progs DIR]
#   (tests/kvm/run.sh runs it in the nested VM with --backend kvm; the schema is then the one the
#   soft run fetched next to the buffervm binary)
. "$(dirname "$0")/../lib.sh"
BE=soft BVM=$B/buffervm PROGS=$B/tests/check
while [ $# -gt 0 ]; do
    case "$1" in
    --backend) BE=$2; shift 2 ;;
    --bvm) BVM=$2; shift 2 ;;
    --progs) PROGS=$2; shift 2 ;;
    *) shift ;;
    esac
done
BVM=$(realpath "$BVM" 2>/dev/null) PROGS=$(realpath "$PROGS" 2>/dev/null)
PY=/usr/bin/python3
[ -x "$BVM" ] && [ -d "$PROGS" ] || { echo "FAIL check-formats [$BE check]: $B not built (make B=$B all tests-build)"; exit 0; }
HERE=$(pwd -P)
TMP=$(mktemp -d /tmp/bvm-formats.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
ENV=(env -i PATH=/usr/bin:/bin HOME=/nonexistent LANG=C)

# The SARIF 2.1.0 schema (sarif-2.1.0-rtm.5.json, as the SARIF TC published it), inside a Microsoft
# package on the npm registry; its tarball's SHA-512 is pinned.
SARIF_SCHEMA=$(dirname "$BVM")/sarif-2.1.0-rtm.5.json
if [ ! -s "$SARIF_SCHEMA" ]; then
    "$PY" - "$SARIF_SCHEMA" <<'EOF' || echo "FAIL check-formats-sarif-schema [$BE check]: cannot fetch the SARIF schema from the npm registry"
import base64, hashlib, io, sys, tarfile, urllib.request
url = "https://registry.npmjs.org/@microsoft/sarif-matcher-utils/-/sarif-matcher-utils-1.0.0-beta.0.tgz"
sri = "JZzMgMK8nvSk6IDDjdC6HKbvj7knvatzwHmGAV5HeMe6kC6LFAy/a179Zzhw8lCKFXsR9siUm1H0nmc3KjcuZQ=="
data = urllib.request.urlopen(url, timeout=60).read()
if base64.b64encode(hashlib.sha512(data).digest()).decode() != sri:
    sys.exit("integrity mismatch")
with tarfile.open(fileobj=io.BytesIO(data)) as t:
    schema = t.extractfile("package/lib/schemas/sarif-2.1.0-rtm.5.json").read()
open(sys.argv[1], "wb").write(schema)
EOF
fi

# one NAME.BUILD OPTS...: the program ($PROGS/NAME.BUILD, or an absolute path) under valgrind (XML) and under buffervm check with every
# output, plus a plain run for the text; formats.py judges. NO_VG=1: without valgrind's (the outputs
# against each other and their schemas only).
one() {
    local id=${1##*/} d=$TMP/${1##*/} exe=$PROGS/$1 verdict vg=()
    [[ $1 == /* ]] && exe=$1
    shift
    mkdir -p "$d"
    if [ -z "${NO_VG:-}" ]; then
        vg=(--valgrind "$d/vg.xml")
        (cd "$d" && "${ENV[@]}" valgrind -q --xml=yes --xml-file=vg.xml --leak-check=full \
            --show-leak-kinds=definite,indirect,possible "$@" "$exe" >/dev/null 2>&1)
    fi
    (cd "$d" && "${ENV[@]}" "$BVM" check --backend "$BE" --xml-file=bvm.xml --json-file=bvm.json \
        --sarif-file=bvm.sarif --log-file=bvm.log "$@" "$exe" >/dev/null 2>log-run.err)
    (cd "$d" && "${ENV[@]}" "$BVM" check --backend "$BE" "$@" "$exe" >/dev/null 2>plain.err)
    if verdict=$("$PY" tests/check/formats/formats.py --prog "$exe" --xml "$d/bvm.xml" "${vg[@]}" \
        --json "$d/bvm.json" --schema doc/check-report.schema.json --sarif "$d/bvm.sarif" \
        --sarif-schema "$SARIF_SCHEMA" --log "$d/bvm.log" --stderr "$d/plain.err" \
        --log-run-stderr "$d/log-run.err" 2>&1); then
        echo "PASS check-formats $id [$BE check]: ${verdict#ok: }"
    else
        verdict=${verdict//$'\n'/ | }
        echo "FAIL check-formats $id [$BE check]: ${verdict:0:800}"
    fi
}

one uaf_read_small.dyn
one ovf_write10000.dyn
one underflow_write.dyn
one realloc_freed.dyn
one free_interior.dyn
one double_free.dyn
one leak_indirect.dyn
one leak_two_callers.dyn
one mismatch_new_free.cxx
one uaf_cxx.cxx
one "$PROGS/formats/thread_error"
# memcheck 3.22's kinds (older valgrind does not report them): ours against each other and the schemas
NO_VG=1 one mismatch_sized_delete.cxx
NO_VG=1 one mismatch_align_value.cxx

# At exit glibc's __libc_freeres runs first, as under memcheck: the heap summary is memcheck's
# (a joined thread's TLS and the stdout buffer freed, not reported as lost or reachable)
for exe in "$PROGS/formats/thread_error" "$PROGS/leak_indirect.dyn" "$PROGS/clean_reachable.dyn"; do
    heap() { sed -n 's/^==[0-9]*== *\(in use at exit\|total heap usage\)/\1/p' "$1"; }
    (cd "$TMP" && "${ENV[@]}" valgrind --leak-check=full "$exe" >/dev/null 2>vg.heap)
    (cd "$TMP" && "${ENV[@]}" "$BVM" check --backend "$BE" --error-exitcode=0 --leak-check=full "$exe" >/dev/null 2>bvm.heap)
    # (a clean run prints nothing: ask for the summary with a leak kind that counts as an error)
    [ -s "$TMP/bvm.heap" ] || (cd "$TMP" && "${ENV[@]}" "$BVM" check --backend "$BE" --errors-for-leak-kinds=all \
        "$exe" >/dev/null 2>bvm.heap)
    if [ -n "$(heap "$TMP/vg.heap")" ] && [ "$(heap "$TMP/bvm.heap")" = "$(heap "$TMP/vg.heap")" ]; then
        echo "PASS check-formats-freeres ${exe##*/} [$BE check]: $(heap "$TMP/bvm.heap" | tr '\n' ';')"
    else
        echo "FAIL check-formats-freeres ${exe##*/} [$BE check]: '$(heap "$TMP/bvm.heap" | tr '\n' ';')', memcheck '$(heap "$TMP/vg.heap" | tr '\n' ';')'"
    fi
done

# (each error here is one both backends see: on kvm a bug inside its block's page may go unseen)
# A tree of processes: sh runs two buggy programs and exits 0; each process writes its own files
# (%p); the first process's exit status is the error code all the same.
d=$TMP/tree
mkdir -p "$d"
(cd "$d" && "${ENV[@]}" "$BVM" check --backend "$BE" --log-file=log.%p --xml-file=xml.%p --json-file=json.%p \
    /bin/sh -c "$PROGS/uaf_read_small.dyn; $PROGS/ovf_write10000.musl; exit 0" >/dev/null 2>err)
status=$?
logs=$(cd "$d" && ls log.* | wc -l) xmls=$(cd "$d" && ls xml.* | wc -l)
kinds=$(cd "$d" && grep -h -o '<kind>[A-Za-z_]*</kind>' xml.* | sort | tr '\n' ' ')
pids_ok=1
for x in "$d"/xml.*; do
    [ "$(sed -n 's,^<pid>\([0-9]*\)</pid>,\1,p' "$x")" = "${x##*.}" ] || pids_ok=0
    "$PY" -c "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])" "$x" || pids_ok=0
done
if [ "$status" = 99 ] && [ "$logs" = 3 ] && [ "$xmls" = 3 ] && [ "$pids_ok" = 1 ] && [ ! -s "$d/err" ] &&
    [ "$kinds" = "<kind>InvalidRead</kind> <kind>InvalidWrite</kind> " ] &&
    grep -q "Invalid read of size 4" "$d"/log.* && grep -q "Invalid write of size 1" "$d"/log.*; then
    echo "PASS check-formats-tree [$BE check]: 3 processes, a log and an XML each (named by pid), the errors in their own, exit 99"
else
    echo "FAIL check-formats-tree [$BE check]: status $status (want 99), $logs logs and $xmls XML files (want 3), pids ok $pids_ok, kinds '$kinds', stderr '$(head -c 300 "$d/err")'"
fi

# Names that are not UTF-8 (a program's file name, its symbols: the guest's) still make documents
# a strict parser reads
d=$TMP/names
mkdir -p "$d"
bad=$(printf 'ovf\351\377.dyn')
cp "$PROGS/ovf_write10000.dyn" "$d/$bad"
(cd "$d" && "${ENV[@]}" "$BVM" check --backend "$BE" --gen-suppressions=all --xml-file=x.xml --json-file=j.json \
    --sarif-file=s.sarif "./$bad" >/dev/null 2>&1)
if verdict=$(cd "$d" && "$PY" -c "import json, xml.etree.ElementTree as E
r = E.parse('x.xml').getroot()
print(r.findtext('args/argv/exe'), json.load(open('j.json'))['command'][0], json.load(open('s.sarif'))['runs'][0]['results'][0]['ruleId'])" 2>&1); then
    echo "PASS check-formats-non-utf8-names [$BE check]: ${verdict//$'\n'/ }"
else
    echo "FAIL check-formats-non-utf8-names [$BE check]: ${verdict//$'\n'/ | }"
fi

# Under --sandbox a forked child may not make its own file any more: it writes into its parent's
d=$TMP/sandboxed
mkdir -p "$d"
(cd "$d" && "${ENV[@]}" "$BVM" check --backend "$BE" --ro "$PROGS" --log-file=log.%p \
    /bin/sh -c "$PROGS/ovf_write10000.dyn; echo child-done" >out 2>err)
status=$?
if [ "$status" = 99 ] && grep -q child-done "$d/out" && [ "$(cat "$d"/log.* | grep -c 'Invalid write of size 1')" = 1 ]; then
    echo "PASS check-formats-sandboxed-child [$BE check]: the child's report in its parent's file, exit 99"
else
    echo "FAIL check-formats-sandboxed-child [$BE check]: status $status, out '$(cat "$d/out")', err '$(head -c 300 "$d/err")', logs: $(ls "$d")"
fi

# --trace-children=no: the programs sh starts run unchecked (the shell itself is checked: clean)
d=$TMP/notrace
mkdir -p "$d"
(cd "$d" && "${ENV[@]}" "$BVM" check --backend "$BE" --trace-children=no \
    /bin/sh -c "$PROGS/uaf_read_small.dyn; echo status \$?" >out 2>err)
status=$?
native=$(cd "$d" && "${ENV[@]}" /bin/sh -c "$PROGS/uaf_read_small.dyn; echo status \$?" 2>/dev/null)
if [ "$status" = 0 ] && [ "$(cat "$d/out")" = "$native" ] && ! grep -q "==" "$d/err"; then
    echo "PASS check-formats-trace-children-no [$BE check]: the exec'd program unchecked, as natively ('$(tail -1 "$d/out")')"
else
    echo "FAIL check-formats-trace-children-no [$BE check]: status $status, out '$(cat "$d/out")' (native '$native'), err '$(head -c 300 "$d/err")'"
fi

# Suppressions. entries FILE: the {...} entries printed in FILE (memcheck's --gen-suppressions text)
entries() { sed -n '/^{$/,/^}$/p' "$1"; }
d=$TMP/supp
mkdir -p "$d"
cd "$d" || exit 0
# a round trip: the entry generated for the first loss record, named and applied, hides that record
# and no other; the XML counts its use
"${ENV[@]}" "$BVM" check --backend "$BE" --gen-suppressions=all "$PROGS/leak_two_callers.dyn" >/dev/null 2>gen.err
entries gen.err | awk 'NR == 1, /^}$/' | sed 's/<insert_a_suppression_name_here>/first-caller/' >mine.supp
"${ENV[@]}" "$BVM" check --backend "$BE" --suppressions=mine.supp --xml-file=s.xml "$PROGS/leak_two_callers.dyn" >/dev/null 2>applied.err
before=$(grep -c "definitely lost in loss record" gen.err) after=$(grep -c "definitely lost in loss record" applied.err)
if [ "$(entries gen.err | grep -c '^{$')" = 2 ] && [ "$before" = 2 ] && [ "$after" = 1 ] &&
    grep -q "from_b" applied.err && ! grep -q "from_a" applied.err &&
    grep -q "suppressed: 40 bytes in 1 blocks" applied.err &&
    "$PY" -c "import sys, xml.etree.ElementTree as E; r = E.parse('s.xml').getroot(); p = r.find('suppcounts/pair'); sys.exit(not (p is not None and p.findtext('name') == 'first-caller' and p.findtext('count') == '1'))"; then
    echo "PASS check-formats-suppressions-round-trip [$BE check]: the generated entry hides its loss record, the other stays"
else
    echo "FAIL check-formats-suppressions-round-trip [$BE check]: records $before -> $after, entries '$(entries gen.err | tr '\n' ' ' | head -c 300)', after: '$(grep -E 'lost|suppressed' applied.err | tr '\n' ' ')'"
fi
# valgrind's own entries for the same bugs hide ours: nothing reported, the exit status valgrind's
for id in ovf_write10000.dyn leak_two_callers.dyn double_free.dyn mismatch_new_free.cxx; do
    "${ENV[@]}" valgrind -q --gen-suppressions=all --leak-check=full "$PROGS/$id" >/dev/null 2>vg.err
    vg=$?
    entries vg.err >vg.supp
    "${ENV[@]}" "$BVM" check --backend "$BE" --suppressions=vg.supp "$PROGS/$id" >/dev/null 2>bvm.err
    status=$?
    if [ -s vg.supp ] && [ "$status" = "$vg" ] && ! grep -q "==" bvm.err; then
        echo "PASS check-formats-valgrind-suppressions $id [$BE check]: $(grep -c '^{$' vg.supp) entries of valgrind's hide every error"
    else
        echo "FAIL check-formats-valgrind-suppressions $id [$BE check]: status $status (valgrind's $vg), '$(head -c 300 bvm.err)'"
    fi
done
# a malformed file: one line naming it and the line, buffervm's failure status
printf '{\n  name\n  Memcheck:Leak\n  bogus line\n}\n' >bad.supp
"${ENV[@]}" "$BVM" check --backend "$BE" --suppressions=bad.supp "$PROGS/clean_mixed.dyn" >/dev/null 2>bad.err
status=$?
if [ "$status" = 125 ] && [ "$(wc -l <bad.err)" = 1 ] && grep -q "bad.supp:4" bad.err; then
    echo "PASS check-formats-suppressions-bad-file [$BE check]: $(cat bad.err)"
else
    echo "FAIL check-formats-suppressions-bad-file [$BE check]: status $status, '$(cat bad.err)'"
fi
cd "$HERE" || exit 0

#!/bin/bash
# run_ctest.sh: CTest's memcheck with buffervm check as its MEMORYCHECK_COMMAND (Valgrind type), on
# the small CMake project in ctest_project/: the defects CTest reports per test (from
# Testing/<tag>/DynamicAnalysis.xml, read by python's XML parser) must be the ones it reports
# with valgrind itself as the memory checker, and the tests' statuses too (--error-exitcode=0, as
# valgrind's default).
. "$(dirname "$0")/../lib.sh"
BVM=$(realpath "$B/buffervm" 2>/dev/null)
[ -x "$BVM" ] || { echo "FAIL check-ctest: $B/buffervm not built"; exit 0; }
command -v cmake >/dev/null && command -v ctest >/dev/null || { echo "FAIL check-ctest: cmake is needed (apt-get install cmake)"; exit 0; }
command -v valgrind >/dev/null || { echo "FAIL check-ctest: valgrind is needed (the oracle)"; exit 0; }
TMP=$(mktemp -d /tmp/bvm-ctest.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# defects CHECKER OPTIONS: "test status defect=count ..." per test, one line each, sorted
defects() {
    local d=$TMP/$1
    cmake -S tests/check/ctest_project -B "$d" -DMEMORYCHECK_TYPE=Valgrind "-DMEMORYCHECK_COMMAND=$2" \
        "-DMEMORYCHECK_COMMAND_OPTIONS=$3" >"$d.log" 2>&1 && cmake --build "$d" >>"$d.log" 2>&1 &&
        (cd "$d" && ctest -T memcheck >>"$d.log" 2>&1)
    /usr/bin/python3 - "$d" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
files = glob.glob(sys.argv[1] + "/Testing/*/DynamicAnalysis.xml")
if not files:
    print("no DynamicAnalysis.xml")
    sys.exit()
for t in sorted(ET.parse(files[0]).getroot().iter("Test"), key=lambda t: t.findtext("Name") or ""):
    if t.findtext("Name"):
        print(t.findtext("Name"), t.get("Status"), *sorted(f"{d.get('type')}={d.text}" for d in t.iter("Defect")))
PY
}

ours=$(defects bvm "$BVM" "check --backend soft --error-exitcode=0 --leak-check=full")
theirs=$(defects vg "$(command -v valgrind)" "-q --tool=memcheck --leak-check=full")
n=$(echo "$ours" | grep -c "=")
if [ "$ours" = "$theirs" ] && [ "$n" = 3 ]; then
    echo "PASS check-ctest: ctest -T memcheck reports what it reports with valgrind ($(echo "$ours" | tr '\n' ';'))"
else
    echo "FAIL check-ctest: buffervm '$(echo "$ours" | tr '\n' ';')', valgrind '$(echo "$theirs" | tr '\n' ';')' ($(tail -3 "$TMP/bvm.log" | tr '\n' ' '))"
fi

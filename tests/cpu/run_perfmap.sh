#!/bin/bash
# run_perfmap.sh: BVM_SOFT_PERF_MAP=1 names each translation in perf's map of the process
# (/tmp/perf-PID.map): every line "HOSTADDR SIZE guest_{user,kernel}_RIP", the host ranges
# disjoint, and the program's own loop among them (a user block inside its .text).
. "$(dirname "$0")/../lib.sh"
BVM=$B/buffervm
P=$(realpath "$B/tests/programs/spin.glibc")
[ -x "$P" ] || { echo "FAIL perf-map: $P not built"; exit 0; }
T=$(mktemp -d /tmp/bvm-perfmap.XXXXXX)
BVM_SOFT_PERF_MAP=1 BVM_SOFT_JIT_HOT=1 "$BVM" --backend soft "$P" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -TERM $pid 2>/dev/null
wait $pid 2>/dev/null
map=/tmp/perf-$pid.map
trap 'rm -rf "$T" "$map"' EXIT
if [ ! -s "$map" ]; then
    echo "FAIL perf-map: no $map"
    exit 0
fi
python3 - "$map" "$P" <<'PY'
import re, subprocess, sys
lines = open(sys.argv[1]).read().splitlines()
text = [l.split() for l in subprocess.run(["readelf", "-SW", sys.argv[2]], capture_output=True, text=True).stdout.splitlines()]
lo, size = next((int(f[3], 16), int(f[5], 16)) for f in (t[1:] if t and t[0] == "[" else t for t in text)
                if len(f) > 5 and f[1] == ".text")
bad = [l for l in lines if not re.fullmatch(r"[0-9a-f]+ [0-9a-f]+ guest_(user|kernel)_[0-9a-f]+", l)]
spans = sorted((int(l.split()[0], 16), int(l.split()[1], 16)) for l in lines if l not in bad)
overlap = sum(1 for (a, n), (b, _) in zip(spans, spans[1:]) if a + n > b)
inside = sum(1 for l in lines if l not in bad and l.split()[2].startswith("guest_user_")
             and lo <= int(l.split()[2][11:], 16) < lo + size)
if not bad and not overlap and inside:
    print(f"PASS perf-map ({len(lines)} translations named, {inside} in the program's .text)")
else:
    print(f"FAIL perf-map: {len(bad)} malformed lines, {overlap} overlapping, {inside} in .text: {bad[:2]}")
PY

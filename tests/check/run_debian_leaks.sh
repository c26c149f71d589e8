#!/bin/bash
# run_debian_leaks.sh: Debian programs' leaks under `buffervm check` against valgrind's memcheck, the
# independent oracle: LEAK SUMMARY's definitely and indirectly lost (bytes and blocks) must be
# memcheck's (both print nothing of them when there are none: then neither may report a leak).
# Still reachable is not compared: memcheck frees libc's own buffers at exit (__libc_freeres).
. "$(dirname "$0")/../lib.sh"
BVM=$(realpath "$B/buffervm")
command -v valgrind >/dev/null || { echo "SKIP check-debian-leaks: valgrind not installed"; exit 0; }
T=$(mktemp -d /tmp/bvm-dleaks.XXXXXX)
trap 'rm -rf "$T"' EXIT
seq 1 20000 | sed 's/$/ line of text/' >"$T/lines.txt"
# summary: "definite B/N indirect B/N" from a memcheck-shaped report on stdin ("none" without one)
summary() {
    awk '/definitely lost:/ { gsub(",", "", $4); d = $4 "/" $7 } /indirectly lost:/ { gsub(",", "", $4); i = $4 "/" $7 }
         END { if (d == "" && i == "") print "none"; else print "definite " d " indirect " i }' |
        sed 's/^definite 0\/0 indirect 0\/0$/none/'
}
while IFS='|' read -r name cmd; do
    read -ra argv <<<"$cmd"
    [ -x "${argv[0]}" ] || { echo "SKIP check-debian-leaks $name: ${argv[0]} not installed"; continue; }
    b=$(cd "$T" && env -i PATH=/usr/bin:/bin LANG=C timeout 120 "$BVM" check --backend soft "${argv[@]}" 2>&1 >/dev/null </dev/null | summary)
    v=$(cd "$T" && env -i PATH=/usr/bin:/bin LANG=C timeout 300 valgrind --leak-check=full "${argv[@]}" 2>&1 >/dev/null </dev/null | summary)
    if [ "$b" = "$v" ]; then
        echo "PASS check-debian-leaks $name: $b (memcheck agrees)"
    else
        echo "FAIL check-debian-leaks $name: buffervm check: $b; memcheck: $v"
    fi
done <<'END'
tail|/usr/bin/tail -n 5 lines.txt
perl|/usr/bin/perl -e print(1)
ls|/usr/bin/ls -la /usr
python3|/usr/bin/python3 -c print(1)
find|/usr/bin/find /usr/share/doc/coreutils
tar|/usr/bin/tar cf /dev/null lines.txt
sort|/usr/bin/sort lines.txt
END

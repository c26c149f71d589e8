#!/bin/sh
# deps.sh: install the Debian packages BufferVM needs to build and test (as root), or say how.
PKGS="gcc make binutils libc6-dev libzydis-dev libseccomp-dev libdw-dev libelf-dev valgrind clang libclang-rt-dev musl-tools busybox-static python3 python3-jsonschema cmake bc strace gdb"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq $missing >/dev/null || { echo "deps: apt-get failed" >&2; exit 1; }
else
    echo "deps: missing packages; run as root:" >&2
    echo "  apt-get install -y$missing" >&2
    exit 1
fi

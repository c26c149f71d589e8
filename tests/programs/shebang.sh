#!/bin/sh -e
# shebang.sh: a "#!" script run directly: the kernel starts "/bin/sh -e" with the script's path and
# the arguments; the shell shows what it got (builtins only), then execs a real program.
echo "\$0: $0"
case $- in *e*) echo "the #! line's argument reached the shell: -e is set" ;; esac
echo "$# arguments:"
for a in "$@"; do printf '  <%s>\n' "$a"; done
exec /usr/bin/printf 'exec: <%s>\n' "$@"

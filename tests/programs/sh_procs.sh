#!/bin/busybox sh
# sh_procs.sh: a shell script's processes: pipelines, subshells, command substitution, background
# jobs and wait, exit statuses through pipes, here-documents, and a loop of short commands.
set -e
echo "pipeline: $(printf 'b\na\nc\n' | sort | tr a-z A-Z | head -n 2 | wc -l)"
x=$(echo inner; echo second)
echo "substitution: $x" | tr '\n' ' '; echo
( cd /; echo "subshell pwd: $(pwd)" )
echo "after subshell pwd: $(basename "$(pwd)")"
sleep 0.2 & bg=$!
echo "background job started: $([ "$bg" -gt 0 ] && echo yes)"
wait "$bg"; echo "waited: $?"
set +e
false | true; echo "last of pipeline: $?"
(exit 7); echo "subshell exit: $?"
sh -c 'kill -TERM $$'; echo "child killed: $?"
n=0; for i in 1 2 3 4 5 6 7 8 9 10; do n=$((n + $(echo $i))); done; echo "sum: $n"
cat <<END | wc -c
a here document
END
busybox seq 1 2000 | busybox awk '{ s += $1 } END { print "awk sum:", s }'
echo done

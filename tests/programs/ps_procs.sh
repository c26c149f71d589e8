#!/bin/sh
# ps_procs.sh: another process seen through /proc as ps, pgrep and pidof see it: a background
# sleep, once it runs its own program: its name, command line, program, parent, and its end; and
# a forked shell that runs no program of its own; the descriptors it has, as ls and lsof see them.
exec 7<"$0"
sleep 30 &
s=$!
i=0
while [ "$(cat /proc/$s/comm 2>/dev/null)" != sleep ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
echo "comm: $(cat /proc/$s/comm)"
echo "cmdline, byte for byte: $(od -An -tx1 </proc/$s/cmdline | tr -s ' \n' ' ')"
echo "stat name and parent: $(cut -d' ' -f2 /proc/$s/stat) $([ "$(cut -d' ' -f4 /proc/$s/stat)" = $$ ] && echo ok)"
echo "status: $(grep '^Name:' /proc/$s/status | tr '\t' ' ')"
echo "exe: $(readlink /proc/$s/exe)"
echo "fds: $(ls /proc/$s/fd | tr '\n' ' ')"
echo "fd 7: $(readlink /proc/$s/fd/7), $(head -c 9 /proc/$s/fd/7)"
(while :; do sleep 1; done) &
c=$!
echo "a forked shell's exe: $(readlink /proc/$c/exe) (this shell's: $(readlink /proc/$$/exe))"
kill $c
echo "ps: $(ps -o comm=,args= -p $s)"
echo "pgrep finds it: $(pgrep -x sleep | grep -c "^$s\$")"
echo "pgrep -f finds it: $(pgrep -f 'sleep 30' | grep -c "^$s\$")"
echo "pidof finds it: $(pidof sleep | tr ' ' '\n' | grep -c "^$s\$")"
kill $s
wait $s 2>/dev/null
echo "after kill: $(pgrep -x sleep | grep -c "^$s\$")"

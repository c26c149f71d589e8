# watch.gdb: a watchpoint on a global reports the old and the new value (single-stepping: the
# stub offers no hardware watchpoints yet)
handle SIGUSR1 nostop noprint pass
break main
continue
set can-use-hw-watchpoints 0
watch counter
continue
continue
continue
delete
continue

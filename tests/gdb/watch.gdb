# watch.gdb: hardware watchpoints: a write watchpoint on a global reports its old and new values
# at each change, an access watchpoint the write and then the read
handle SIGUSR1 nostop noprint pass
break main
continue
watch counter
continue
continue
continue
delete
awatch seen
continue
continue
delete
continue

# rwatch.gdb: a read watchpoint stops at the read of a global, not at its write before it
handle SIGUSR1 nostop noprint pass
break main
continue
rwatch seen
continue
print seen
delete
continue

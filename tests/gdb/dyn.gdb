# dyn.gdb: a dynamic program: a breakpoint in libc, its libraries and their symbols
handle SIGUSR1 nostop noprint pass
break write
continue
bt 2
info sharedlibrary
delete
continue

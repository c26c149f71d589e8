# signal.gdb: a signal stops the program, is delivered on continue; a fault is a stop at the
# faulting instruction, and continuing delivers it (the program dies of it)
handle SIGUSR1 stop print pass
break on_usr1
continue
continue
bt 3
print sig
delete
continue
x/i $pc
print $_siginfo.si_signo
continue

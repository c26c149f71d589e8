# break.gdb: breakpoints, backtraces with arguments and lines, printing and setting variables
handle SIGUSR1 nostop noprint pass
break add
continue
bt
info args
print counter
finish
delete
break scale
continue
print *p
print p->name
print k
up
print total
print pt
set var total = 11
down
finish
delete
continue

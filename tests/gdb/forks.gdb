# forks.gdb: gdb stays with the parent after a fork (its default); the child, which inherits the
# breakpoint's int3, runs through it (stepped over) to the same end as natively
break mark
continue
print who
continue
print who
print marks
delete
continue

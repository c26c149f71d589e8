# execs.gdb: an execve is an exec event: gdb loads the new program and its breakpoints are set again
# there, so the breakpoint on main stops in both images
break main
continue
print argc
continue
print argc
print argv[1]
delete
continue

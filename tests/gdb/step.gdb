# step.gdb: single steps onto, over and past a syscall instruction, then line steps
handle SIGUSR1 nostop noprint pass
break raw_getpid
continue
set $n = 0
while *(unsigned short *)$pc != 0x050f && $n < 64
  stepi
  set $n = $n + 1
end
print $n
x/i $pc
stepi
x/i $pc
print $rax > 1
print $rcx == $pc
stepi
stepi
next
next
print last_pid > 1
delete
continue

/* rawhello.S: raw syscalls only: write a line to stdout and exit_group(7). */
    .globl _start
    .text
_start:
    mov $1, %eax            /* write */
    mov $1, %edi
    lea msg(%rip), %rsi
    mov $msglen, %edx
    syscall
    mov $231, %eax          /* exit_group */
    mov $7, %edi
    syscall
    ud2
    .section .rodata
msg: .ascii "hello from raw syscalls\n"
    .set msglen, . - msg
    .section .note.GNU-stack,"",@progbits

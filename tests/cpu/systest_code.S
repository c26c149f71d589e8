/* systest_code.S: guest code snippets for systest.c, copied into guest memory (never run natively). */
/* Each snippet sits between NAME and NAME_end; only relative references inside it, absolute
 * addresses come from registers the test sets up. */
#define SNIP(n) .globl n, n##_end; n:
#define END(n) n##_end:

    .section .rodata, "a"
    .code64

SNIP(g_hlt)
    nop
    hlt
END(g_hlt)

/* OUT imm8/AL, OUT DX/EAX, IN imm8/AL, IN DX/AX, then HLT */
SNIP(g_hlt1)
    hlt
END(g_hlt1)

SNIP(g_io)
    mov $0x41, %al
    out %al, $0x80
    mov $0x3f8, %dx
    mov $0x12345678, %eax
    out %eax, %dx
    in $0x71, %al
    in %dx, %ax
    hlt
END(g_io)

SNIP(g_load_rbx)        /* read through %rbx */
    mov (%rbx), %rax
    hlt
END(g_load_rbx)

SNIP(g_store_rbx)       /* write 8 bytes through %rbx */
    mov %rax, (%rbx)
    hlt
END(g_store_rbx)

SNIP(g_jmp_rbx)
    jmp *%rbx
END(g_jmp_rbx)

SNIP(g_ad)              /* read then (after a HLT) write the page at %rbx */
    mov (%rbx), %rax
    hlt
    mov %rax, (%rbx)
    hlt
END(g_ad)

SNIP(g_two_loads)       /* through a 2 MiB page (%rbx) and a 1 GiB page (%rcx) */
    mov (%rbx), %rax
    mov (%rcx), %rdx
    hlt
END(g_two_loads)

SNIP(g_invlpg_loads)    /* %rbx and %rcx twice, an INVLPG of %rbx's page between (after a HLT) */
    mov (%rbx), %rax
    mov (%rcx), %rdx
    hlt
    invlpg (%rbx)
    mov (%rbx), %rax
    mov (%rcx), %rdx
    hlt
END(g_invlpg_loads)

SNIP(g_invlpg_call)     /* calls %rbx 200 times (linked blocks), HLT, INVLPG of it, again */
1:  mov $200, %ecx
2:  call *%rbx
    dec %ecx
    jnz 2b
    hlt
    invlpg (%rbx)
    jmp 1b
END(g_invlpg_call)

SNIP(g_ud2)
    ud2
END(g_ud2)

SNIP(g_int3)
    int3
    hlt
END(g_int3)

SNIP(g_int80)
    int $0x80
END(g_int80)

SNIP(g_wrmsr)           /* MSR number in %ecx, value in %edx:%eax */
    wrmsr
    hlt
END(g_wrmsr)

SNIP(g_rdmsr)
    rdmsr
    hlt
END(g_rdmsr)

SNIP(g_mov_cr4)
    mov %rax, %cr4
    hlt
END(g_mov_cr4)

SNIP(g_mov_from_cr3)
    mov %cr3, %rax
    hlt
END(g_mov_from_cr3)

SNIP(g_cli)
    cli
    hlt
END(g_cli)

SNIP(g_out80)
    out %al, $0x80
    hlt
END(g_out80)

SNIP(g_push_on_rax)     /* switch to the stack in %rax and push */
    mov %rax, %rsp
    push %rbx
    hlt
END(g_push_on_rax)

/* user: syscall, then int3 once the kernel returned with sysretq */
SNIP(g_user_syscall)
    syscall
    int3
END(g_user_syscall)

SNIP(g_kentry_sysret)   /* LSTAR target */
    hlt
    sysretq
END(g_kentry_sysret)

/* kernel: build an IRETQ frame to user code at %rbx with user stack %rcx */
SNIP(g_iret_user)
    push $0x23
    push %rcx
    push $0x202
    push $0x2b
    push %rbx
    iretq
END(g_iret_user)

/* user: POPF may not change IOPL or IF at CPL 3 */
SNIP(g_user_popf)
    push $0x3202
    popf
    pushf
    pop %rax
    int3
END(g_user_popf)

/* self-modifying code: the store rewrites the immediate of the next instruction */
SNIP(g_smc)
    movb $0x42, 1f+1(%rip)
1:  mov $0, %al
    hlt
END(g_smc)

/* 100 turns of two blocks linked to each other; at the 50th the second rewrites its own next
 * instruction's immediate (rdi: the data byte at rsi, then that immediate), through a handler
 * (stosb) or a translated store (mov): r8 sums what the instruction loads from then on, the new
 * 0x42 each turn, never the old 0 */
.macro SMC_CHAIN handler
    lea 3f+1(%rip), %rdx
1:  mov %rsi, %rdi
    cmp $50, %ecx
    cmove %rdx, %rdi
    jmp 2f
2:
.if \handler
    mov $0x42, %al
    stosb
.else
    movb $0x42, (%rdi)
.endif
3:  mov $0, %al
    movzbl %al, %eax
    add %rax, %r8
    dec %ecx
    jnz 1b
    hlt
.endm

SNIP(g_smc_chain)
    SMC_CHAIN 1
END(g_smc_chain)

/* kernel: %ecx calls of a function whose RET goes back to 2:, which adds 1 to %r8 until the
 * turn with %ecx = 50 rewrites that immediate to 2 (a store to the code of the RET's target,
 * which by then the return cache holds) */
SNIP(g_rc_smc)
1:  call 4f
2:  add $1, %r8
    cmp $50, %ecx
    jne 3f
    movb $2, 2b+3(%rip)
3:  dec %ecx
    jnz 1b
    hlt
4:  ret
END(g_rc_smc)

SNIP(g_smc_chain_mov)
    SMC_CHAIN 0
END(g_smc_chain_mov)

SNIP(g_mov_al_1)
    mov $1, %al
    hlt
END(g_mov_al_1)

SNIP(g_spin)
1:  jmp 1b
END(g_spin)

SNIP(g_vmmcall)         /* SVM's: #UD without EFER.SVME, as here */
    .byte 0x0f, 0x01, 0xd9
    hlt
END(g_vmmcall)

SNIP(g_outs)            /* string port I/O: not implemented (the kernel uses none) */
    outsb
    hlt
END(g_outs)

SNIP(g_lock_nop)
    .byte 0xf0, 0x90
END(g_lock_nop)

SNIP(g_too_long)        /* 15 prefixes + opcode = 16 bytes */
    .byte 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66
    nop
END(g_too_long)

/* counters: load/add/store/dec/jnz loop over one data word at %rbx */
SNIP(g_loop)
    mov $200000, %ecx
1:  mov (%rbx), %rax
    add $1, %rax
    mov %rax, (%rbx)
    dec %ecx
    jnz 1b
    hlt
END(g_loop)

/* SWAPGS and PUSH m64 (GS-relative and plain) in a loop, so that the block is translated: the
 * sums of what was pushed in r8 and r9, GS_BASE read back in r10 */
SNIP(g_swaploop)
    mov $101, %ecx
1:  swapgs
    push %gs:0
    pop %rax
    add %rax, %r8
    push 16(%rsi)
    pop %rax
    add %rax, %r9
    dec %ecx
    jnz 1b
    mov $0xc0000101, %ecx
    rdmsr
    mov %eax, %r10d
    hlt
END(g_swaploop)

/* CPUID from the table, SWAPGS, RDMSR, SGDT, STR, RDTSC, LRETQ, MOV to DS */
SNIP(g_sysmix)
    mov $0x80000008, %eax
    cpuid
    mov %eax, %r8d
    mov $0x12345, %eax
    cpuid
    or %ebx, %eax
    or %ecx, %eax
    or %edx, %eax
    mov %eax, %r9d
    swapgs
    mov $0xc0000101, %ecx
    rdmsr
    mov %eax, %r10d
    sgdt (%rsi)
    str %eax
    mov %eax, %r11d
    rdtsc
    shl $32, %rdx
    or %rdx, %rax
    mov %rax, %r12
    rdtsc
    shl $32, %rdx
    or %rdx, %rax
    mov %rax, %r13
    lea 1f(%rip), %rax
    push $0x10
    push %rax
    lretq
1:  mov $0x23, %ax
    mov %ax, %ds
    mov %ds, %r14d
    mov $0x30, %ax
    mov %ax, %es
    hlt
END(g_sysmix)

/* user: set RFLAGS.AC, then a misaligned 4-byte read */
SNIP(g_user_ac)
    push $0x40202
    popf
    movb 1(%rbx), %al
    mov 1(%rbx), %eax
    int3
END(g_user_ac)

/* user: AC set, a 16-byte SSE load that may be unaligned: at a 16-byte boundary none, at an
 * 8-byte one #AC (as on hardware), at g_user_ac16_fault */
SNIP(g_user_ac16)
    push $0x40202
    popf
    movdqu 16(%rbx), %xmm0
.globl g_user_ac16_fault
g_user_ac16_fault:
    movdqu 8(%rbx), %xmm0
    int3
END(g_user_ac16)

/* real mode: 16-bit addressing through DS, INT through the IVT and IRET back */
    .code16
SNIP(g_real)
    mov $0x10, %ax
    mov %ax, %ds
    movw $0xbeef, 0x20(%bx,%si)
    mov 0x20(%bx,%si), %cx
    int $0x21
    hlt
END(g_real)

SNIP(g_real_isr)        /* the INT 0x21 handler */
    mov $0x77, %dl
    iret
END(g_real_isr)

/* 32-bit protected mode: a #UD delivered through an 8-byte interrupt gate */
    .code32
SNIP(g_prot32)
    mov $0x5678, %eax
    ud2
END(g_prot32)
    .code64

/* TF single-step: set TF with POPF, run two instructions, each traps */
SNIP(g_tf)
    pushfq
    orq $0x100, (%rsp)
    popfq
    nop
    nop
    hlt
END(g_tf)

/* kernel: 8-byte loads walking %rbx up to the not-present page NOTP, in two linked blocks (neither
 * loops to its own start). The first block's load writes %rdx whole (its first use there, so its
 * translation need not load it; the second block of g_home_fault_a leaves another value in the
 * host register a home of %rdx would take); in g_home_fault_b the second writes %rsi whole and then faults
 * loading 8(%rbx). At the #PF the registers must be as if every instruction before the fault
 * had run, whatever the translation kept in host registers. */
SNIP(g_home_fault_a)
1:  mov (%rbx), %rdx
    add %rdx, %rdx
    jmp 2f
2:  add $8, %rbx
    mov %rbx, %rcx
    jmp 1b
END(g_home_fault_a)

SNIP(g_home_fault_b)
1:  mov (%rbx), %rdx
    add %rdx, %rdx
    jmp 2f
2:  lea 1(%rdx), %rsi
    add %rsi, %rsi
    mov 8(%rbx), %rax
    add $8, %rbx
    jmp 1b
END(g_home_fault_b)

/* kernel: %ecx turns of two linked blocks. The first moves %rsp down 16 (SUB, no access through it) and
 * leaves through a link; in the second, after a translated LEA, PUSHFQ runs by its handler, which
 * reads %rsp from struct cpu, and a translated POP takes the value back. A translation that passes
 * %rsp in a host register from block to block must store it before the handler's call. */
SNIP(g_global_sp)
1:  sub $16, %rsp
    dec %ecx
    jmp 2f
2:  lea 1(%rdx), %rdx
    pushfq
    pop %rax
    jnz 1b
    hlt
END(g_global_sp)

/* kernel: four linked blocks, where the flags pass from block to block in RFLAGS or parked,
 * whatever the translation does: the first and second read the carry with ADC first thing (the
 * first's comes from the fourth's CMP, the second's from the first's ADD), the third writes them
 * first, the fourth loads through %rbx first: at the #PF there (%rbx = NOTP) RFLAGS must be what
 * the third's SUB left. */
SNIP(g_flag_links)
1:  adc $0, %r10
    add %rdx, %rcx
    jmp 2f
2:  adc $0, %r8
    jmp 3f
3:  sub $1, %r9
    jnz 4f
    hlt
4:  mov (%rbx), %rax
    cmp %rax, %rcx
    lea 8(%rbx), %rbx
    jmp 1b
END(g_flag_links)

/* kernel, rsi a table of quadwords: a superblock (engine.c superblock) of three blocks, whose two
 * Jccs within it leave to 2f (1 in 8 turns) and 3f (1 in 8); r9 is written whole after the first,
 * so that exit must not store the home it has there (3f gives its host register to other guest
 * registers on every turn); 2f reads the table until the #PF at NOTP */
SNIP(g_superblock)
1:  add $1, %rax
    test $7, %al
    jz 2f
    mov %rax, %r9
    add %r9, %r9
    add %r9, %rbx
    test $3, %al
    jz 3f
    add (%rsi,%rax,8), %r8
    add %r9, %r8
    jmp 3f
.globl g_superblock_d
g_superblock_d:
2:  add (%rsi,%rax,8), %r10
3:  add %rcx, %rdx
    add %rdi, %rbp
    add %rcx, %rdi
    add %rdx, %rbp
    jmp 1b
END(g_superblock)

/* kernel: a superblock of two blocks whose Jcc within it loops back to its start (1 turn in 4),
 * its last one too, until rax = rdx */
SNIP(g_superblock_loop)
1:  add $1, %rax
    test $3, %al
    jz 1b
    add %rax, %rbx
    cmp %rdx, %rax
    jb 1b
    hlt
END(g_superblock_loop)

/* kernel: loops whose load faults at rax = 512 (rsi = SUPER, NOTP above it) while the flags in
 * RFLAGS are dead (a full writer follows), so that the side exit computes them again from what
 * the instruction that wrote them left: a sub of a constant (32 bits), an add of a register, a
 * compare, a logic operation whose source was memory, and an add to the anchor of a run of
 * accesses (the run's lookup misses at NOTP, then the first access's own) */
#define REDO(n, ...) SNIP(n) 1: add $1, %rax; __VA_ARGS__; mov (%rsi,%rax,8), %r9; add %r9, %r8; jmp 1b; END(n)
REDO(g_redo_sub, sub $3, %ecx)
REDO(g_redo_add, add %rdx, %rcx)
REDO(g_redo_cmp, cmp %rdx, %rax)
REDO(g_redo_xor, xor -8(%rsi,%rax,8), %rdi)
SNIP(g_redo_run)
1:  add $16, %rbx
    mov %rax, (%rbx)
    mov %rax, 8(%rbx)
    add $1, %rax
    jmp 1b
END(g_redo_run)

/* kernel: two linked blocks that go round for ever, the flags in RFLAGS from one to the other */
SNIP(g_flag_spin)
1:  add $1, %rax
    jmp 2f
2:  adc $0, %rbx
    jmp 1b
END(g_flag_spin)

/* kernel: one block that loops back to itself for ever, its top reading the flags its end wrote */
SNIP(g_flag_loop)
1:  adc $0, %rbx
    add $1, %rax
    jmp 1b
END(g_flag_loop)

/* 100 turns of two linked blocks; at the 50th the second sets TF (POPF): the single-step trap
 * comes after the instruction that follows, at g_tf_chain_trap, whatever ran translated before */
SNIP(g_tf_chain)
1:  pushfq
    pop %rax
    mov %rax, %rbx
    or $0x100, %rbx
    cmp $50, %ecx
    cmove %rbx, %rax
    jmp 2f
2:  push %rax
    popfq
    inc %r8
.globl g_tf_chain_trap
g_tf_chain_trap:
    dec %ecx
    jnz 1b
    hlt
END(g_tf_chain)

/* kernel: DR0 = %rbx, DR7 = %rcx, then a 4-byte store (g_dr_store) or load (g_dr_load) at 2(%rbx),
 * a NOP, HLT; the store or load is 3 bytes at offset 6 */
SNIP(g_dr_store)
    mov %rbx, %dr0
    mov %rcx, %dr7
    mov %eax, 2(%rbx)
    nop
    hlt
END(g_dr_store)

SNIP(g_dr_load)
    mov %rbx, %dr0
    mov %rcx, %dr7
    mov 2(%rbx), %eax
    nop
    hlt
END(g_dr_load)

/* user: TF set by POPFQ, then SYSCALL (with TF set at its start; FMASK clears it) */
SNIP(g_user_tf_syscall)
    pushfq
    orq $0x100, (%rsp)
    popfq
    syscall
    int3
END(g_user_tf_syscall)

/* user: 20,000 rounds of an indirect call through memory (%r15: its pointer's place), an
 * indirect jump through a register and a system call; the called function counts in %rbx */
SNIP(g_user_chain)
    lea 3f(%rip), %rax
    mov %rax, (%r15)
    lea 2f(%rip), %r14
    mov $20000, %r12d
1:  call *(%r15)
    jmp *%r14
    ud2
2:  syscall
    dec %r12d
    jnz 1b
    int3
3:  add $1, %rbx
    ret
END(g_user_chain)

/* LSTAR target: count the system call at KDATA (RCX and R11 kept), back by SYSRETQ */
SNIP(g_kentry_count)
    movabs $0x40000, %rax
    addq $1, (%rax)
    sysretq
END(g_kentry_count)

    .section .note.GNU-stack, "", @progbits

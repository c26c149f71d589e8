/* systest_bounds_code.S: user-mode snippets for the byte-bounds tests (systest_bounds.c).
 * Each does its access first (at the snippet's start: a fault's RIP) and ends with UD2, whose #UD
 * says it completed. The address is in %rbx (or %rsi/%rdi/%rsp), the value in %rax or %xmm0. */
#define SNIP(n) .globl n, n##_end; n:
#define END(n) n##_end:

    .section .rodata, "a"
    .code64

SNIP(g_b_ld8)
    movzbl (%rbx), %eax
    ud2
END(g_b_ld8)

SNIP(g_b_ld16)
    movzwl (%rbx), %eax
    ud2
END(g_b_ld16)

SNIP(g_b_ld32)
    mov (%rbx), %eax
    ud2
END(g_b_ld32)

SNIP(g_b_ld64)
    mov (%rbx), %rax
    ud2
END(g_b_ld64)

SNIP(g_b_ld128)         /* movdqu: any alignment */
    movdqu (%rbx), %xmm0
    ud2
END(g_b_ld128)

SNIP(g_b_ldq64)          /* an 8-byte vector load (MOVQ xmm, m64) */
    movq (%rbx), %xmm0
    movq %xmm0, %rax       /* the test reads loads of 8 bytes from rax */
    ud2
END(g_b_ldq64)

SNIP(g_b_ldhpd)          /* glibc's strcmp-sse2 reads the upper half of a 16-byte window so */
    movhpd (%rbx), %xmm0
    punpckhqdq %xmm0, %xmm0
    movq %xmm0, %rax
    ud2
END(g_b_ldhpd)

SNIP(g_b_lda128)        /* movdqa: 16-aligned */
    movdqa (%rbx), %xmm0
    ud2
END(g_b_lda128)

SNIP(g_b_st8)
    mov %al, (%rbx)
    ud2
END(g_b_st8)

SNIP(g_b_st16)
    mov %ax, (%rbx)
    ud2
END(g_b_st16)

SNIP(g_b_st32)
    mov %eax, (%rbx)
    ud2
END(g_b_st32)

SNIP(g_b_st64)
    mov %rax, (%rbx)
    ud2
END(g_b_st64)

SNIP(g_b_st128)
    movdqu %xmm0, (%rbx)
    ud2
END(g_b_st128)

SNIP(g_b_add)           /* read-modify-write: faults as a write */
    add %rax, (%rbx)
    ud2
END(g_b_add)

SNIP(g_b_cmpxchg)
    lock cmpxchg %rcx, (%rbx)
    ud2
END(g_b_cmpxchg)

SNIP(g_b_push)
    push %rax
    ud2
END(g_b_push)

SNIP(g_b_pop)
    pop %rax
    ud2
END(g_b_pop)

SNIP(g_b_movsb)
    rep movsb
    ud2
END(g_b_movsb)

SNIP(g_b_movsq)
    rep movsq
    ud2
END(g_b_movsq)

SNIP(g_b_stosq)
    rep stosq
    ud2
END(g_b_stosq)

SNIP(g_b_cmpsb)
    repe cmpsb
    ud2
END(g_b_cmpsb)

SNIP(g_b_scasb)
    repne scasb
    ud2
END(g_b_scasb)

SNIP(g_b_lodsq)
    rep lodsq
    ud2
END(g_b_lodsq)

SNIP(g_b_fxsave)
    fxsave (%rbx)
    ud2
END(g_b_fxsave)

/* %ecx rounds of loads and stores within bounds: a qword at (%rbx), a byte at 7(%rbx), 16 bytes
 * at (%rdx) */
SNIP(g_b_loop)
1:  mov (%rbx), %rax
    add $1, %rax
    mov %rax, (%rbx)
    movb %al, 7(%rbx)
    movdqu (%rdx), %xmm0
    movdqu %xmm0, (%rdx)
    dec %ecx
    jnz 1b
    ud2
END(g_b_loop)

    .section .note.GNU-stack, "", @progbits

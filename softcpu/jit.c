/* jit.c: translates a decoded block into host code (see jit.h): the block's frame, exits,
 * links to other blocks, calls to interpreter handlers; what is decided before emitting is in
 * jit_plan.c, memory operands through the TLB in jit_mem.c, the instructions themselves in
 * jit_insn.c (integer) and jit_sse.c (SSE).
 *
 * Guest registers live in struct cpu (host rbp points at it). Guest rsp has r12 in every block
 * (JIT_GLOBALS), and the block's other most used ones a home register for the whole block (r10,
 * r11, r13, r8); re-encoded instructions name homes directly;
 * the others are loaded into host rax..rbx around each instruction: guest rax..rbx keep their own
 * numbers, so implicit operands (rdx:rax, cl) and the high-byte registers work unchanged, and
 * other guest registers borrow a free one. A memory operand's linear address is computed into
 * rsi, looked up in the soft TLB (rdi and rcx as scratch) and replaced by [rsi + rdi], rdi the
 * page's addend. Guest flags are the host's RFLAGS from the first flag-writing instruction on; a
 * lookup parks them with lahf/seto in r9, where they stay until something reads them (j_park),
 * and linked blocks pass them on parked, or in RFLAGS along a link forward (emit_exit_linked),
 * each block's entries putting them where its first instruction wants them. Every exit leaves
 * struct cpu exact: registers are stored after each instruction, flags on the way out, and the
 * counts linked blocks keep in r14 and r15 (instructions, memory accesses) whenever the code
 * returns to C. A stretch of stack or struct accesses at known offsets from one register shares
 * one lookup (jit_stack.c). Flags a later instruction overwrites before anything reads them are
 * not parked before a lookup when each side exit until then can compute them again (jit_redo.c).
 * A superblock (engine.c) has Jccs within it: each leaves when taken
 * through an exit after the straight line (jctx.taken), having done fewer than n instructions
 * (jctx.done), and goes on when not.
 */
#include "jit_int.h"

#include <stddef.h>

#include "engine.h"
#include "fastops.h"


/* ---- small emitters ---- */



/* Linked blocks keep two counts in registers rather than in struct cpu, so that a transition
 * adds to no memory (three adds to the same words at each one had made a chain of store-to-load
 * latencies through every block): r14 the instructions of the blocks left through links and
 * loops, r15 the memory accesses. Both are zero at the C entry and go into the stats wherever
 * the code returns to C or calls a handler (which may longjmp out). */
#define H_NINSN H_R14
#define H_NMEM H_R15

void j_count_insns(struct jbuf *e, int v) /* lea r14, [r14 + v] */
{
    if (v)
        emit_rm64(e, 0x8d, H_NINSN, H_NINSN, H_NONE, 0, v);
}

void j_count_mem(struct jbuf *e, unsigned v) /* lea r15, [r15 + v] */
{
    if (v)
        emit_rm64(e, 0x8d, H_NMEM, H_NMEM, H_NONE, 0, (int32_t)v);
}

static void emit_counts_zero(struct jbuf *e)
{
    eb(e, 0x45), eb(e, 0x31), eb(e, 0xf6); /* xor r14d, r14d */
    eb(e, 0x45), eb(e, 0x31), eb(e, 0xff); /* xor r15d, r15d */
}

/* The counts into the stats, and zero again. Clobbers RFLAGS. */
static void emit_counts_flush(struct jbuf *e)
{
    emit_rm64(e, 0x01, H_NINSN, H_BP, H_NONE, 0, OFF(stats.insns_executed)); /* add [..], r14 */
    emit_rm64(e, 0x01, H_NINSN, H_BP, H_NONE, 0, OFF(stats.insns_jit));
    emit_rm64(e, 0x01, H_NMEM, H_BP, H_NONE, 0, OFF(stats.mem_accesses));     /* add [..], r15 */
    emit_counts_zero(e);
}

/* host h = guest register g (from its home register or from struct cpu) */
void j_get_reg(struct jctx *x, int h, unsigned g)
{
    if (x->home[g] == h)
        return;
    if (x->home[g] >= 0)
        emit_rr(&x->e, 0x89, x->home[g], h);
    else
        emit_load(&x->e, h, OFF_R(g));
}

void j_put_reg(struct jctx *x, int h, unsigned g)
{
    if (x->home[g] == h)
        return;
    if (x->home[g] >= 0)
        emit_rr(&x->e, 0x89, h, x->home[g]);
    else
        emit_store(&x->e, h, OFF_R(g));
}

void j_flags_save(struct jbuf *e) /* lahf; seto al; mov r9d, eax */
{
    eb(e, 0x9f);
    eb(e, 0x0f), eb(e, 0x90), eb(e, 0xc0);
    eb(e, 0x41), eb(e, 0x89), eb(e, 0xc1);
}

void j_flags_restore(struct jbuf *e) /* mov eax, r9d; add al, 0x7f; sahf */
{
    eb(e, 0x44), eb(e, 0x89), eb(e, 0xc8);
    eb(e, 0x04), eb(e, 0x7f);
    eb(e, 0x9e);
}

void j_park(struct jctx *x)
{
    if (x->fhost && !x->fparked)
        j_flags_save(&x->e);
    x->fparked = x->fhost;
}

void j_unpark(struct jctx *x)
{
    if (x->fparked)
        j_flags_restore(&x->e);
    x->fparked = false;
}

/* The guest flags from RFLAGS into struct cpu, as LAHF and SETO give them (lazy op LF_HOST,
 * flags.c reads them): PUSHF, microcoded, had made a third of a linked exit's time, and the
 * next translated block takes them back with SAHF. Clobbers rax. */
static void emit_flags_to_state(struct jbuf *e)
{
    eb(e, 0x9f);                                                      /* lahf */
    eb(e, 0x0f), eb(e, 0x90), eb(e, 0xc0);                            /* seto al */
    emit_rm32(e, 0x89, H_AX, OFF(lf.res));                            /* mov [lf.res], eax */
    eb(e, 0xc6), emit_mem(e, 0, H_BP, H_NONE, 0, OFF(lf.op)), eb(e, LF_HOST); /* mov byte [lf.op] */
}

/* Flags parked in r9 into struct cpu (a link not taken: back to the engine). */
static void parked_to_state(struct jbuf *e)
{
    emit_rm32(e, 0x89, H_R9, OFF(lf.res));                            /* mov [lf.res], r9d */
    eb(e, 0xc6), emit_mem(e, 0, H_BP, H_NONE, 0, OFF(lf.op)), eb(e, LF_HOST); /* mov byte [lf.op] */
}

/* The same from wherever they are (fhost): RFLAGS, or r9 when parked. The state is unchanged:
 * an exit's code, after which the straight path may go on. */
static void flags_to_state(struct jctx *x)
{
    struct jbuf *e = &x->e;
    if (x->fparked)
        parked_to_state(e);
    else
        emit_flags_to_state(e);
}

void j_writeback_homes(struct jctx *x, unsigned regs)
{
    for (unsigned g = 0; g < 16; g++)
        if (x->home[g] >= 0 && (regs >> g & 1))
            emit_store(&x->e, x->home[g], OFF_R(g));
}

void j_reload_homes(struct jctx *x, unsigned regs)
{
    for (unsigned g = 0; g < 16; g++)
        if (x->home[g] >= 0 && (regs >> g & 1))
            emit_load(&x->e, x->home[g], OFF_R(g));
}

/* fn(cpu, arg) through the C ABI (the prologue keeps rsp 16-aligned); clobbers the
 * caller-saved registers, r10 and r11 among them: homes must be written back first. */
void j_ccall(struct jctx *x, const void *fn, const void *arg)
{
    emit_rr(&x->e, 0x89, H_BP, H_DI);    /* mov rdi, rbp */
    emit_movi(&x->e, H_SI, (uintptr_t)arg);
    emit_movi(&x->e, H_AX, (uintptr_t)fn);
    eb(&x->e, 0xff), eb(&x->e, 0xd0);    /* call rax */
}

static uint64_t jit_flags_arith(struct cpu *c, const void *unused)
{
    return (flags_get(c) & F_ARITH) | 2;
}

/* The guest flags from struct cpu into RFLAGS, or into r9 as j_flags_save leaves them (to_r9):
 * straight from cpu->rflags when they are not lazy, else computed by flags_get (homes_live: the
 * home registers must survive the call, and those in wb may differ from struct cpu). Clobbers
 * rax, rdx (and what a call does). */
static void load_flags(struct jctx *x, bool homes_live, unsigned wb, bool to_r9)
{
    struct jbuf *e = &x->e;
    eb(e, 0x0f), eb(e, 0xb6), emit_mem(e, H_AX, H_BP, H_NONE, 0, OFF(lf.op)); /* movzx eax, lf.op */
    eb(e, 0x83), eb(e, 0xf8), eb(e, LF_HOST);                               /* cmp eax, LF_HOST */
    uint8_t *not_host = emit_jcc32(e, 0x5);
    emit_rm32(e, 0x8b, H_AX, OFF(lf.res)); /* as emit_flags_to_state left them */
    uint8_t *host = emit_jmp32(e);
    patch32(e, not_host, e->p);
    eb(e, 0x85), eb(e, 0xc0);                                               /* test eax, eax */
    uint8_t *lazy = emit_jcc32(e, 0x5);
    emit_rm32(e, 0x8b, H_AX, OFF(rflags));
    uint8_t *done = emit_jmp32(e);
    patch32(e, lazy, e->p);
    if (homes_live)
        j_writeback_homes(x, wb);
    j_ccall(x, (const void *)jit_flags_arith, NULL);
    if (homes_live)
        j_reload_homes(x, HOMES_ALL);
    patch32(e, done, e->p);
    /* RFLAGS' arithmetic bits in eax: AH = SF ZF AF PF CF at their places, AL = OF */
    eb(e, 0x89), eb(e, 0xc2);               /* mov edx, eax */
    eb(e, 0xc1), eb(e, 0xea), eb(e, 11);    /* shr edx, 11 */
    eb(e, 0x83), eb(e, 0xe2), eb(e, 1);     /* and edx, 1 */
    eb(e, 0xc1), eb(e, 0xe0), eb(e, 8);     /* shl eax, 8 */
    eb(e, 0x09), eb(e, 0xd0);               /* or eax, edx */
    patch32(e, host, e->p);
    if (to_r9) {
        eb(e, 0x41), eb(e, 0x89), eb(e, 0xc1); /* mov r9d, eax */
        return;
    }
    eb(e, 0x04), eb(e, 0x7f);               /* add al, 0x7f: OF */
    eb(e, 0x9e);                            /* sahf: the rest (POPF, microcoded, was slow) */
}

/* The guest flags from struct cpu into RFLAGS (after a handler left them lazy), before
 * instruction k. */
static void emit_flags_from_state(struct jctx *x, unsigned k)
{
    load_flags(x, true, x->wb[k], false);
    x->fhost = true;
    x->fparked = false;
}

/* The guest flags parked in r9, wherever they are: where linked blocks expect them (at the
 * block's end). */
static void flags_to_r9(struct jctx *x)
{
    if (x->fhost) {
        j_park(x);
        return;
    }
    load_flags(x, true, x->wb[x->done], true);
    x->fhost = x->fparked = true;
}


/* The flags where the block's first instruction wants them (x->start): a loop back to the top. */
void j_sync_top(struct jctx *x)
{
    if (x->start == START_PARKED)
        flags_to_r9(x);
    else if (x->start == START_HOST && !x->fhost)
        emit_flags_from_state(x, x->done);
    else if (x->start == START_HOST)
        j_unpark(x);
}

/* jump to the shared epilogue that stores the flags (fhost) or leaves them alone */
void j_to_epilogue(struct jctx *x, bool fhost)
{
    uint8_t *at = emit_jmp32(&x->e);
    if (fhost && x->n_epi_flags < sizeof x->epi_flags_at / sizeof *x->epi_flags_at)
        x->epi_flags_at[x->n_epi_flags++] = at;
    else if (!fhost && x->n_epi_plain < sizeof x->epi_plain_at / sizeof *x->epi_plain_at)
        x->epi_plain_at[x->n_epi_plain++] = at;
    else
        x->e.full = true;
}

/* Leave with the block's run over: next RIP, counters, return n (the engine counts n
 * instructions; r14 takes off those not done when a Jcc within the block leaves). */
void j_exit_rdx(struct jctx *x)
{
    j_writeback_homes(x, x->wb[x->done]);
    emit_store(&x->e, H_DX, OFF(rip));
    j_count_mem(&x->e, x->mem);
    j_count_insns(&x->e, (int)x->done - (int)x->n);
    if (x->fparked)
        parked_to_state(&x->e);
    emit_movi(&x->e, H_AX, x->n);
    j_to_epilogue(x, x->fhost && !x->fparked);
}

void j_exit_rip(struct jctx *x, uint64_t rip)
{
    emit_movi(&x->e, H_DX, rip);
    j_exit_rdx(x);
}

/* What ends a chain of linked blocks: a stop or an exit requested (one word), or (with tf) TF;
 * the jumps taken then go in out. A patched jump needs no TF check: TF is clear where the engine
 * enters translated code (its loop single-steps otherwise), and every handler that can set it
 * (POPF, IRET, SYSRET) ends its block, which returns to the engine or (after SYSRET) goes on
 * through a link's checks, which have it. */
static void emit_chain_checks(struct jbuf *e, uint8_t *out[2], bool tf)
{
    _Static_assert(offsetof(struct cpu, exiting) == offsetof(struct cpu, stop_requested) + 4, "one word");
    eb(e, 0x48), eb(e, 0x83), emit_mem(e, 7, H_BP, H_NONE, 0, OFF(stop_requested)), eb(e, 0); /* cmp qword, 0 */
    out[0] = emit_jcc32(e, 0x5);
    out[1] = NULL;
    if (tf) {
        eb(e, 0xf7), emit_mem(e, 0, H_BP, H_NONE, 0, OFF(rflags)), en(e, F_TF, 4); /* test dword [rflags], TF */
        out[1] = emit_jcc32(e, 0x5);
    }
}

/* The engine's current block = this one (clobbers rcx, rdx): before anything C reads it, a
 * return to the engine or a handler (which may fault, or invalidate the block that runs);
 * chained blocks do not store it at each entry. */
static void emit_set_cur_block(struct jctx *x)
{
    emit_movi(&x->e, H_CX, (uintptr_t)x->block);
    emit_movi(&x->e, H_DX, (uintptr_t)x->env->cur_block);
    emit_rm64(&x->e, 0x89, H_CX, H_DX, H_NONE, 0, 0); /* mov [rdx], rcx */
}

/* With rcx at a struct jit_link: into its block if the link is current (set, the block still
 * valid, no TLB flush since, no stop or exit requested, TF clear), else on at the five jumps put
 * in miss, which the caller patches. Flags are parked, homes in struct cpu already but the
 * global ones (the epilogue stores those); counted: this block's instructions and the host MXCSR
 * are done already (a constant exit's). A return
 * cache entry (rc) needs no test of the block's valid flag: the engine clears the entries of a
 * block it invalidates. TF needs testing only after a handler that may have set it (a link's
 * own checks, reached from any block; a SYSRET's lookup): a RET or an indirect branch runs in
 * translated code, which TF clear entered and no TF-setting handler continues (see
 * emit_chain_checks). */
static void emit_enter_link(struct jctx *x, uint8_t *miss[5], bool counted, bool rc, bool tf)
{
    struct jbuf *e = &x->e;
    emit_rm64(e, 0x8b, H_DI, H_CX, H_NONE, 0, offsetof(struct jit_link, entry)); /* mov rdi, entry */
    emit_rr(e, 0x85, H_DI, H_DI);                                               /* test rdi, rdi */
    miss[0] = emit_jcc32(e, 0x4);                                               /* jz */
    miss[1] = NULL;
    if (!rc) {
        emit_rm64(e, 0x8b, H_AX, H_CX, H_NONE, 0, offsetof(struct jit_link, valid));
        eb(e, 0x80), emit_mem(e, 7, H_AX, H_NONE, 0, 0), eb(e, 0);              /* cmp byte [rax], 0 */
        miss[1] = emit_jcc32(e, 0x4);                                           /* je: invalidated */
    }
    eb(e, 0x8b), emit_mem(e, H_AX, H_CX, H_NONE, 0, offsetof(struct jit_link, epoch)); /* mov eax, epoch */
    emit_rm32(e, 0x3b, H_AX, OFF(link_epoch));                                  /* cmp eax, [link_epoch] */
    miss[2] = emit_jcc32(e, 0x5);
    emit_chain_checks(e, &miss[3], tf);
    if (!counted)
        j_count_insns(e, x->n);
    if (x->sse_fp && !counted)
        jit_mxcsr_host(e);
    eb(e, 0xff), eb(e, 0xe7);                                                   /* jmp rdi */
}

void jit_patch(struct jit_link *l, const void *fast)
{
    int32_t rel = (int32_t)((const uint8_t *)fast - (l->patch + 4));
    memcpy(l->patch, &rel, 4);
}

void jit_unpatch(struct jit_link *l) { jit_patch(l, l->slow); }

/* Leave through constant exit `link` to rip: into the linked block when the link is current,
 * else back to the engine, which links it once it has found the successor. The straight path
 * ends in the jump jit_patch sets; its checks are in the cold part (emit_link_checks). Flags in
 * RFLAGS stay there when rip is past this block's start (host_flags): the patched jump goes to
 * the successor's fast_host, which may skip the test for a stop. Every cycle of linked blocks
 * has a link to a block at or before its own start (RIPs cannot rise all the way round), and
 * that link parks the flags and jumps to a fast entry that tests. */
static void emit_exit_linked(struct jctx *x, uint64_t rip, unsigned link)
{
    struct jbuf *e = &x->e;
    struct jit_link *l = &x->code->link[link];
    l->rip = rip;
    l->host_flags = x->fhost && !x->fparked && rip > x->ins[0].rip;
    if (!l->host_flags)
        flags_to_r9(x);
    j_writeback_homes(x, x->wb[x->done] & ~JIT_GLOBALS);
    j_count_mem(e, x->mem);
    j_count_insns(e, (int)x->done);
    if (x->sse_fp)
        jit_mxcsr_host(e);
    l->patch = emit_jmp32(e); /* to the checks, until jit_patch */
}

/* Constant exit `link`'s way when its jump is not patched: into the linked block when the
 * link is current, else back to the engine. */
static void emit_link_checks(struct jctx *x, unsigned link)
{
    struct jbuf *e = &x->e;
    struct jit_link *l = &x->code->link[link];
    uint8_t *unl[5];
    l->slow = e->p;
    patch32(e, l->patch, e->p);
    if (l->host_flags)
        j_flags_save(e);
    emit_movi(e, H_CX, (uintptr_t)l);
    emit_enter_link(x, unl, true, false, true);
    for (unsigned k = 0; k < 5; k++)
        patch32(e, unl[k], e->p);
    emit_rm64(e, 0x8d, H_NINSN, H_NINSN, H_NONE, 0, -(int32_t)x->n); /* not this way: the engine counts n */
    parked_to_state(e);
    emit_movi(e, H_DX, l->rip); /* the engine's (a linked block does not read it) */
    emit_store(e, H_DX, OFF(rip));
    emit_movi(e, H_AX, x->n | (link + 1) << 16);
    j_to_epilogue(x, false);
}

/* Into the translated block at rdx when the return cache of the privilege `user` (jit.h) has a
 * current entry for it (and, with irq_check, no interrupt waits), else back to the engine, which
 * enters the block it finds, with n instructions done and rip = rdx. Flags and homes are in
 * struct cpu already but the global ones (JIT_GLOBALS). */
static void emit_cached_link(struct jctx *x, unsigned user, bool irq_check, bool tf)
{
    struct jbuf *e = &x->e;
    uint8_t *miss[7] = {NULL};
    emit_rr(e, 0x89, H_DX, H_SI);                                  /* mov rsi, rdx: for a miss */
    if (irq_check) {
        eb(e, 0x83), emit_mem(e, 7, H_BP, H_NONE, 0, OFF(irq_vector)), eb(e, 0); /* cmp dword [irq], 0 */
        miss[6] = emit_jcc32(e, 0xd);                              /* jge: one waits */
    }
    emit_rr(e, 0x89, H_DX, H_AX);                                  /* mov rax, rdx */
    eb(e, 0x48), eb(e, 0xc1), eb(e, 0xe8), eb(e, JIT_RC_BITS);    /* shr rax, BITS */
    emit_rr(e, 0x31, H_DX, H_AX);                                  /* xor rax, rdx */
    eb(e, 0x25), en(e, JIT_RC_SIZE - 2, 4);                        /* and eax, SIZE - 2: the set */
    eb(e, 0xc1), eb(e, 0xe0), eb(e, 6);                            /* shl eax, 6: its first entry */
    emit_movi(e, H_CX, (uintptr_t)x->env->rc[user]);
    emit_rr(e, 0x01, H_AX, H_CX);                                  /* add rcx, rax */
    emit_rm64(e, 0x3b, H_DX, H_CX, H_NONE, 0, offsetof(struct jit_link, rip)); /* cmp rdx, rip */
    uint8_t *hit = emit_jcc32(e, 0x4);
    eb(e, 0x48), eb(e, 0x83), eb(e, 0xc1), eb(e, 64);              /* add rcx, 64: the second way */
    emit_rm64(e, 0x3b, H_DX, H_CX, H_NONE, 0, offsetof(struct jit_link, rip)); /* cmp rdx, rip */
    miss[5] = emit_jcc32(e, 0x5);
    patch32(e, hit, e->p);
    emit_enter_link(x, miss, false, true, tf);
    for (unsigned k = 0; k < 7; k++)
        patch32(e, miss[k], e->p);
    parked_to_state(e);
    emit_store(e, H_SI, OFF(rip)); /* the engine's (a linked block does not read it) */
    emit_movi(e, H_AX, x->n);
    j_to_epilogue(x, false);
}

/* Leave from a RET or an indirect JMP or CALL, rdx its target: through the return cache. */
void j_exit_ret(struct jctx *x)
{
    bool keep_rdx = !x->fhost; /* load_flags uses rdx, the target: it waits in cpu->rip */
    if (keep_rdx)
        emit_store(&x->e, H_DX, OFF(rip));
    flags_to_r9(x);
    if (keep_rdx)
        emit_load(&x->e, H_DX, OFF(rip));
    j_writeback_homes(x, x->wb[x->done] & ~JIT_GLOBALS);
    j_count_mem(&x->e, x->mem);
    emit_cached_link(x, x->cpl == 3, false, false);
}

/* After the handler of the block's last instruction, a SYSCALL (from CPL 3) or a 64-bit SYSRET
 * (from CPL 0), asked the block to stop (brk): the privilege it changed to has its return cache
 * looked up for the new RIP, as after a RET, so that a system call does not return to the
 * engine twice. The handler's marks are cleared first (brk, cur: the next block's own helpers
 * read them); an interrupt waiting for the IF a SYSRET may have set goes to the engine. */
static void emit_after_mode_branch(struct jctx *x, const struct insn *i)
{
    struct jbuf *e = &x->e;
    bool to_user = i->op == (MAP_0F << 8 | 0x07);
    eb(e, 0xc7), emit_mem(e, 0, H_BP, H_NONE, 0, OFF(brk)), en(e, 0, 4);          /* mov dword [brk], 0 */
    eb(e, 0x48), eb(e, 0xc7), emit_mem(e, 0, H_BP, H_NONE, 0, OFF(cur)), en(e, 0, 4);
    eb(e, 0x48), eb(e, 0xc7), emit_mem(e, 0, H_BP, H_NONE, 0, OFF(chain_end)), en(e, 0, 4);
    load_flags(x, false, 0, true); /* (after the handler they are in struct cpu; homes written) */
    emit_load(e, H_DX, OFF(rip));
    emit_cached_link(x, to_user, to_user, true);
}

/* SYSCALL from user mode, or SYSRETQ from the kernel: emit_after_mode_branch can follow them. */
static bool mode_branch(const struct jctx *x, const struct insn *i)
{
    if (i->op == (MAP_0F << 8 | 0x05))
        return x->cpl == 3;
    return i->op == (MAP_0F << 8 | 0x07) && i->osz == 8 && x->cpl == 0;
}

/* A constant exit: linked while links remain, else plain. */
void j_exit_to(struct jctx *x, uint64_t rip)
{
    if (x->nlinks < x->maxlinks)
        emit_exit_linked(x, rip, x->nlinks++);
    else
        j_exit_rip(x, rip);
}

/* ---- instructions ---- */

/* Leave after instruction k when its handler asked the block to stop (cpu->brk); the last
 * instruction of the block leaves anyway, with the next RIP unless the handler set one. */
static void emit_after_helper(struct jctx *x, unsigned k, const struct insn *i)
{
    struct jbuf *e = &x->e;
    bool last = k + 1 == x->n;
    emit_rm32(e, 0x8b, H_CX, OFF(brk)); /* mov ecx, [brk] */
    eb(e, 0x85), eb(e, 0xc9);           /* test ecx, ecx (the flags are in struct cpu) */
    uint8_t *go_on = emit_jcc32(e, 0x4);
    if (last && mode_branch(x, i)) {
        emit_after_mode_branch(x, i);
    } else {
        emit_movi(e, H_AX, k + 1);
        j_to_epilogue(x, false);
    }
    patch32(e, go_on, e->p);
    if (last)
        j_exit_rip(x, insn_next(i));
}

/* The interpreter runs instruction k: registers and flags go back to struct cpu first,
 * cpu->cur names it (a fault rewinds there) and it may not chain to the next one. */
static void emit_helper(struct jctx *x, unsigned k, const struct insn *i)
{
    struct jbuf *e = &x->e;
    j_writeback_homes(x, x->wb[k]);
    if (x->fhost)
        flags_to_state(x);
    x->fhost = x->fparked = false;
    j_count_mem(e, x->mem);
    x->mem = 0;
    emit_counts_flush(e);
    emit_set_cur_block(x);
    emit_movi(e, H_AX, (uintptr_t)i);
    emit_store(e, H_AX, OFF(cur));
    emit_movi(e, H_AX, (uintptr_t)(i + 1));
    emit_store(e, H_AX, OFF(chain_end));
    if (x->sse_fp)
        jit_mxcsr_host(e);
    j_ccall(x, (const void *)fast_live(i->fn), i);
    if (x->sse_fp)
        jit_mxcsr_guest(e);
    j_reload_homes(x, HOMES_ALL); /* (the handler may have changed any) */
    emit_after_helper(x, k, i);
}

/* Instruction q can leave the block (a memory access through the TLB, a handler, the stack,
 * a branch): the flags are read there. */
static bool may_leave(const struct jctx *x, unsigned q)
{
    uint8_t kind = x->ops[q].kind;
    return (x->ins[q].is_mem && kind != K_LEA && kind != K_NOP) || kind >= K_PUSH;
}

/* Instruction k needs the guest's incoming flags in RFLAGS: readers do; one that writes only
 * some (inc, rotates, bt, shifts by cl) does unless those it keeps die at a later full writer
 * before anything could read them or leave the block. */
bool j_needs_flags(const struct jctx *x, unsigned k)
{
    if (x->ops[k].fl != FL_PART)
        return x->ops[k].fl == FL_READ;
    for (unsigned q = k + 1; q < x->n; q++) {
        if (may_leave(x, q) || x->ops[q].fl == FL_READ || x->ops[q].fl == FL_PART)
            return true;
        if (x->ops[q].fl == FL_FULL)
            return false;
    }
    return true;
}

/* Where the first instruction wants the flags (enum jit_start): the first that reads (as
 * j_flags_for judges it; a Jcc reads them before it leaves), writes or may leave decides. */
static uint8_t start_state(const struct jctx *x)
{
    if (x->sse)
        return START_PARKED;
    for (unsigned q = 0; q < x->n; q++) {
        if (x->ops[q].kind != K_HELPER && j_needs_flags(x, q))
            return START_HOST;
        if (may_leave(x, q))
            return START_PARKED;
        if (x->ops[q].fl != FL_NONE)
            return START_ANY;
    }
    return START_PARKED;
}

void j_flags_for(struct jctx *x, unsigned k, const struct jop *j)
{
    if (x->fparked && j->kind != K_HELPER && j_needs_flags(x, k))
        j_unpark(x);
    if (!x->fhost && j_needs_flags(x, k))
        emit_flags_from_state(x, k);
}

void j_emit_insn(struct jctx *x, unsigned k, const struct jop *j)
{
    x->done = k + 1;
    j_flags_for(x, k, j);
    if (j->kind == K_HELPER)
        emit_helper(x, k, &x->ins[k]);
    else if (j->kind >= K_SSE && j->kind <= K_SSE_FROMGPR)
        jit_emit_sse(x, k, j);
    else
        jit_emit_int(x, k, j);
    if (j->fl != FL_NONE)
        x->fhost = true, x->fparked = false;
}

/* ---- block ---- */

static void emit_side_exits(struct jctx *x)
{
    for (unsigned s = 0; s < x->nexits; s++) {
        struct side_exit *se = &x->exits[s];
        j_tlb_out_of_line(x, se);
        for (unsigned k = 0; k < sizeof se->at / sizeof se->at[0]; k++)
            patch32(&x->e, se->at[k], x->e.p);
        if (se->flags_saved)
            j_flags_restore(&x->e);
        if (se->redo)
            j_emit_redo(x, se->redo - 1);
        j_writeback_homes(x, x->wb[se->k]);
        j_count_mem(&x->e, se->mem);
        emit_movi(&x->e, H_AX, se->k);
        j_to_epilogue(x, se->fhost);
    }
}

/* Epilogues: with flags (RFLAGS arithmetic bits into cpu->rflags, lazy state cleared) and
 * without; both restore rbx/rbp and return eax. */
static void emit_epilogues(struct jctx *x)
{
    struct jbuf *e = &x->e;
    for (unsigned k = 0; k < x->n_epi_flags; k++)
        patch32(e, x->epi_flags_at[k], e->p);
    eb(e, 0x89), eb(e, 0xc7); /* mov edi, eax: the return value */
    emit_flags_to_state(e);
    eb(e, 0x89), eb(e, 0xf8); /* mov eax, edi */
    for (unsigned k = 0; k < x->n_epi_plain; k++)
        patch32(e, x->epi_plain_at[k], e->p); /* (each way here has written back its homes) */
    if (x->sse_fp)
        jit_mxcsr_host(e);
    uint8_t *raw = e->p;
    j_writeback_homes(x, JIT_GLOBALS); /* (every way here has them in their homes) */
    emit_set_cur_block(x);
    emit_counts_flush(e);
    emit_rm64(e, 0x8d, H_SP, H_SP, H_NONE, 0, 8); /* lea rsp, [rsp + 8] */
    for (int h = H_R15; h >= H_R12; h--)
        eb(e, 0x41), eb(e, 0x58 + (h & 7)); /* pop r15..r12 */
    eb(e, 0x5d); /* pop rbp */
    eb(e, 0x5b); /* pop rbx */
    eb(e, 0xc3);
    /* the fast entry's checks failed: nothing ran, the engine goes on from this block's start
     * (a stop, an exit, or a single step, which the engine's loop sees to) */
    for (unsigned k = 0; k < 2; k++)
        patch32(e, x->fast_out[k], e->p);
    eb(e, 0xc7), emit_mem(e, 0, H_BP, H_NONE, 0, OFF(brk)), en(e, 1, 4); /* mov dword [brk], 1 */
    emit_movi(e, H_DX, x->ins[0].rip);
    emit_store(e, H_DX, OFF(rip));
    /* the SSE entry's checks failed: nothing ran, the interpreter takes the block */
    for (unsigned k = 0; x->sse && k < 3; k++)
        patch32(e, x->bail[k], e->p);
    parked_to_state(e);       /* as they came in */
    eb(e, 0x31), eb(e, 0xc0); /* xor eax, eax */
    patch32(e, emit_jmp32(e), raw);
}

/* The entries, one straight line into the first instruction: the fast entry patched jumps come
 * in at (what a link checks that a patched jump cannot: a stop or an exit, x->fast_out, back to
 * the engine with nothing done), then the chain entry linked blocks jump to, flags parked in r9:
 * the flags where x->start wants them, the SSE guard, homes. fast_host, for patched jumps that
 * bring the flags in RFLAGS, joins that line where the flags are as x->start wants them, and
 * so skips the test, except when it parks them (jumps come there only from blocks before this
 * one: emit_exit_linked). */
static void emit_entries(struct jctx *x)
{
    struct jbuf *e = &x->e;
    if (x->start == START_PARKED) {
        x->code->fast_host = e->p;
        j_flags_save(e);
    }
    x->code->fast = e->p;
    emit_chain_checks(e, x->fast_out, false);
    x->code->entry = e->p;
    if (x->start == START_HOST)
        j_flags_restore(e);
    if (x->start != START_PARKED)
        x->code->fast_host = e->p;
    if (x->sse)
        jit_sse_guard(e, x->bail, x->sse_fp);
    if (x->sse_fp)
        jit_mxcsr_guest(e);
    j_reload_homes(x, x->load);
    x->top = e->p;
}

/* The C entry (in the cold part): callee-saved registers, a 16-aligned frame, rbp = cpu, the
 * flags from struct cpu parked in r9, then on at the chain entry. */
static void emit_c_entry(struct jctx *x)
{
    struct jbuf *e = &x->e;
    eb(e, 0x53);             /* push rbx */
    eb(e, 0x55);             /* push rbp */
    for (int h = H_R12; h <= H_R15; h++)
        eb(e, 0x41), eb(e, 0x50 + (h & 7)); /* push r12..r15 */
    emit_rm64(e, 0x8d, H_SP, H_SP, H_NONE, 0, -8); /* lea rsp, [rsp - 8]: 16-aligned for calls */
    emit_rr(e, 0x89, H_DI, H_BP); /* mov rbp, rdi */
    emit_counts_zero(e);
    load_flags(x, false, 0, true);
    j_reload_homes(x, JIT_GLOBALS);
    patch32(e, emit_jmp32(e), (uint8_t *)x->code->entry);
}

/* The links a block may need: two for the last instruction (a Jcc's two ways; a call's, in a
 * stack run's two translations), one for each Jcc before it; up to JIT_LINKS. */
static unsigned links_needed(const struct jop *ops, unsigned n)
{
    unsigned k = 2;
    for (unsigned q = 0; q + 1 < n; q++)
        k += ops[q].kind == K_JCC;
    return k < JIT_LINKS ? k : JIT_LINKS;
}

void jit_translate(struct jit_arena *a, const struct insn *insns, unsigned n, unsigned cpl, void *block,
                   struct jit_code *out, const struct jit_env *env)
{
    static struct jctx x; /* large: keep it off the stack (one engine thread per CPU) */
    struct jop ops[SCPU_BLOCK_MAX];
    memset(out, 0, sizeof *out);
    if (!a->mem || n == 0 || n > SCPU_BLOCK_MAX)
        return;
    memset(&x, 0, sizeof x);
    x.ins = insns;
    x.n = n;
    x.cpl = cpl;
    x.code = out;
    x.env = env;
    x.block = block;
    jit_plan(&x, ops);
    x.start = start_state(&x);
    x.maxlinks = links_needed(ops, n);
    out->link = (struct jit_link *)(void *)(a->mem + a->cold_used); /* (16-aligned) */
    memset(out->link, 0, x.maxlinks * sizeof *out->link);
    size_t cold_code = a->cold_used + ((x.maxlinks * sizeof *out->link + 15) & ~(size_t)15);
    x.e = (struct jbuf){a->mem + a->used, a->mem + a->hot_size, false};
    uint8_t *hot = x.e.p;
    emit_entries(&x);
    x.fhost = true;
    x.fparked = x.start == START_PARKED;
    for (unsigned q = 0; q < n;) {
        unsigned next = jit_stack_run(&x, q);
        if (next == q)
            j_emit_insn(&x, q, &ops[q]), next = q + 1;
        q = next;
    }
    if (ops[n - 1].kind < K_HELPER)
        j_exit_to(&x, insn_next(&insns[n - 1]));
    j_emit_taken(&x);
    struct jbuf hot_end = x.e;
    x.e = (struct jbuf){a->mem + cold_code, a->mem + a->size, false};
    uint8_t *cold = x.e.p;
    emit_c_entry(&x);
    for (unsigned k = 0; k < x.nlinks; k++)
        emit_link_checks(&x, k);
    emit_side_exits(&x);
    emit_epilogues(&x);
    if (x.e.full || hot_end.full) {
        memset(out, 0, sizeof *out);
        return;
    }
    a->used = (size_t)(hot_end.p - a->mem + 15) & ~(size_t)15;
    a->cold_used = (size_t)(x.e.p - a->mem + 15) & ~(size_t)15;
    out->fn = (jit_fn)(void *)cold;
    if (a->perf_map) {
        jit_perf_map_note(a, hot, (size_t)(hot_end.p - hot), insns[0].rip, cpl);
        jit_perf_map_note(a, cold, (size_t)(x.e.p - cold), insns[0].rip, cpl);
    }
}

/* exception.c: raising faults and delivering exceptions/interrupts through the IDT (or IVT). */
#include <stdio.h>

#include "engine.h"

/* Pseudo-vector while a software interrupt is being delivered: faults during it are
 * delivered as first exceptions (INT n is not an exception class of table 6-5). */
#define PENDING_SOFT 256

static bool has_error_code(int v)
{
    return v == EXC_DF || v == EXC_TS || v == EXC_NP || v == EXC_SS || v == EXC_GP ||
           v == EXC_PF || v == EXC_AC || v == 21 /* #CP */ || v == 30 /* #SX */;
}

static bool contributory(int v)
{
    return v == EXC_DE || v == EXC_TS || v == EXC_NP || v == EXC_SS || v == EXC_GP;
}

/* SDM Vol.3 6.15 table 6-5: which second exception turns into #DF. */
static bool makes_double_fault(int first, int second)
{
    if (contributory(first))
        return contributory(second);
    if (first == EXC_PF)
        return second == EXC_PF || contributory(second);
    return false;
}

_Noreturn void cpu_exit_now(struct cpu *c)
{
    if (c->cur)
        c->rip = c->cur->rip;
    c->cur = NULL;
    c->pending_vector = -1;
    longjmp(c->fault_jmp, JMP_EXIT);
}

_Noreturn void cpu_fault(struct cpu *c, int vector, uint32_t error_code)
{
    int first = c->pending_vector;
    if (first >= 0 && first != PENDING_SOFT) {
        if (first == EXC_DF) {
            c->exit->reason = SCPU_EXIT_SHUTDOWN; /* triple fault */
            cpu_exit_now(c);
        }
        if (makes_double_fault(first, vector)) {
            vector = EXC_DF;
            error_code = 0;
        }
    }
    c->fault_vector = vector;
    c->fault_error = error_code;
    c->fault_has_error = has_error_code(vector);
    c->fault_soft = 0;
    longjmp(c->fault_jmp, JMP_FAULT);
}

/* A trap raised by the instruction itself (kind SOFT_*), returning to next_rip. */
static _Noreturn void raise_soft(struct cpu *c, int vector, uint8_t kind, uint64_t next_rip)
{
    c->fault_vector = vector;
    c->fault_error = 0;
    c->fault_has_error = 0;
    c->fault_soft = kind;
    c->fault_next_rip = next_rip;
    longjmp(c->fault_jmp, JMP_FAULT);
}

_Noreturn void cpu_soft_interrupt(struct cpu *c, int vector, uint64_t next_rip)
{
    raise_soft(c, vector, SOFT_INT, next_rip);
}

_Noreturn void cpu_int1(struct cpu *c, uint64_t next_rip) { raise_soft(c, EXC_DB, SOFT_INT1, next_rip); }

_Noreturn void cpu_exit_internal(struct cpu *c, uint64_t rip, const char *why)
{
    struct scpu_exit *x = c->exit;
    uint64_t lin = (c->mode == 8 ? 0 : c->seg[S_CS].base) + rip;
    x->reason = SCPU_EXIT_INTERNAL_ERROR;
    x->u.internal.rip = lin;
    x->u.internal.nbytes = (uint8_t)engine_fetch_bytes(c, lin, x->u.internal.bytes, 15);
    snprintf(x->u.internal.why, sizeof x->u.internal.why, "%s", why);
    c->cur = NULL;
    c->rip = rip;
    c->pending_vector = -1;
    longjmp(c->fault_jmp, JMP_EXIT);
}

_Noreturn void cpu_unimplemented(struct cpu *c, const char *why)
{
    cpu_exit_internal(c, c->cur ? c->cur->rip : c->rip, why);
}

/* What one delivery needs to know. */
struct event {
    int vec;
    bool soft, has_err;
    uint32_t err, ext; /* ext: EXT bit for error codes of faults raised while delivering */
    uint64_t ret_rip;
};

static uint64_t tss_read(struct cpu *c, unsigned off, unsigned size, uint32_t ext)
{
    if (off + size - 1 > c->tr.limit)
        cpu_fault(c, EXC_TS, (c->tr.sel & 0xfffc) | ext);
    return mem_read_sys(c, c->tr.base + off, size);
}

/* Code segment named by a gate: returns its descriptor and the handler's privilege. */
static uint64_t gate_code_desc(struct cpu *c, uint16_t sel, const struct event *ev, unsigned *new_cpl,
                               bool want_long)
{
    uint64_t d;
    uint32_t ec = (sel & 0xfffc) | ev->ext;
    if ((sel & 0xfffc) == 0)
        cpu_fault(c, EXC_GP, ev->ext);
    if (seg_read_desc(c, sel, &d) < 0)
        cpu_fault(c, EXC_GP, ec);
    unsigned dpl = (d >> 45) & 3, type = (d >> 40) & 0xf;
    bool code = ((d >> 44) & 1) && (type & 8);
    if (!code || dpl > c->cpl || (want_long && (!((d >> 53) & 1) || ((d >> 54) & 1))))
        cpu_fault(c, EXC_GP, ec);
    if (!((d >> 47) & 1))
        cpu_fault(c, EXC_NP, ec);
    *new_cpl = (type & 4) ? c->cpl : dpl; /* conforming code keeps CPL */
    return d;
}

/* RFLAGS as saved: faults set RF in the image so the handler's IRET does not retrigger an
 * instruction breakpoint (SDM Vol.3 18.3.1.1); traps, aborts and INT n do not. */
static uint64_t pushed_flags(struct cpu *c, const struct event *ev)
{
    uint64_t f = flags_get(c);
    bool fault = !ev->soft && ev->vec != EXC_DB && ev->vec != EXC_NMI && ev->vec != EXC_DF &&
                 ev->vec != EXC_MC && ev->vec < 32;
    return fault ? f | F_RF : f;
}

/* Write a frame (built lowest address first) one slot at a time from the top, as the
 * hardware pushes it, so a fault reports the same CR2. The handler's privilege decides
 * the page permissions used. */
static void push_frame(struct cpu *c, uint64_t lin, const void *frame, unsigned len, unsigned slot,
                       unsigned new_cpl)
{
    for (unsigned off = len; off > 0; off -= slot)
        mem_write_priv(c, lin + off - slot, (const uint8_t *)frame + off - slot, slot, new_cpl == 3);
}

/* The IDT gate for ev (size 16 in long mode, 8 otherwise), checked as delivery requires. */
static uint64_t read_gate(struct cpu *c, const struct event *ev, unsigned size, uint64_t *hi)
{
    uint32_t gate_ec = (uint32_t)ev->vec * 8 + 2 + ev->ext;
    if ((uint32_t)ev->vec * size + size - 1 > c->idtr.limit)
        cpu_fault(c, EXC_GP, gate_ec);
    uint64_t lo = mem_read_sys(c, c->idtr.base + ev->vec * size, 8);
    if (hi)
        *hi = mem_read_sys(c, c->idtr.base + ev->vec * size + 8, 8);
    unsigned type = (lo >> 40) & 0xf, dpl = (lo >> 45) & 3;
    if (type != 0xe && type != 0xf) {
        if (size == 8 && (type == 0x5 || type == 0x6 || type == 0x7))
            cpu_unimplemented(c, "task gates and 16-bit interrupt gates");
        cpu_fault(c, EXC_GP, gate_ec);
    }
    if (ev->soft && dpl < c->cpl)
        cpu_fault(c, EXC_GP, gate_ec);
    if (!((lo >> 47) & 1))
        cpu_fault(c, EXC_NP, gate_ec);
    return lo;
}

/* Enter the handler once the frame is written. Interrupt gates (type E) also clear IF. */
static void enter_handler(struct cpu *c, uint16_t sel, uint64_t desc, unsigned new_cpl, uint64_t gate,
                          uint64_t target)
{
    seg_set_cs(c, (uint16_t)((sel & 0xfffc) | new_cpl), desc, new_cpl);
    c->rflags &= ~(uint64_t)(F_TF | F_NT | F_RF | F_VM);
    if (((gate >> 40) & 0xf) == 0xe)
        c->rflags &= ~(uint64_t)F_IF;
    c->rip = target;
}

static void deliver_long(struct cpu *c, const struct event *ev)
{
    uint64_t hi, lo = read_gate(c, ev, 16, &hi);
    unsigned ist = (lo >> 32) & 7, new_cpl;
    uint16_t sel = (uint16_t)(lo >> 16);
    uint64_t target = (lo & 0xffff) | ((lo >> 32) & 0xffff0000ull) | (hi << 32);
    uint64_t desc = gate_code_desc(c, sel, ev, &new_cpl, true);
    if (!cpu_canonical(target))
        cpu_fault(c, EXC_GP, ev->ext);
    uint64_t rsp = c->r[R_SP];
    if (ist)
        rsp = tss_read(c, 0x24 + (ist - 1) * 8, 8, ev->ext);
    else if (new_cpl < c->cpl)
        rsp = tss_read(c, 4 + new_cpl * 8, 8, ev->ext);
    rsp &= ~15ull; /* 64-bit mode aligns the frame on 16 bytes */
    uint64_t frame[6];
    unsigned n = 0;
    if (ev->has_err)
        frame[n++] = ev->err;
    frame[n++] = ev->ret_rip;
    frame[n++] = c->seg[S_CS].sel;
    frame[n++] = pushed_flags(c, ev);
    frame[n++] = c->r[R_SP];
    frame[n++] = c->seg[S_SS].sel;
    rsp -= n * 8;
    if (!cpu_canonical(rsp))
        cpu_fault(c, EXC_SS, ev->ext);
    push_frame(c, rsp, frame, n * 8, 8, new_cpl);
    if (new_cpl < c->cpl) {
        struct seg *ss = &c->seg[S_SS];
        ss->sel = (uint16_t)new_cpl; /* null selector with RPL = new CPL */
        ss->base = 0;
        ss->limit = 0xffffffff;
        ss->attr = (uint16_t)(SA_P | SA_S | 3 | SA_G | SA_DB | (new_cpl << 5));
    }
    c->r[R_SP] = rsp;
    enter_handler(c, sel, desc, new_cpl, lo, target);
}

static void deliver_prot32(struct cpu *c, const struct event *ev)
{
    uint64_t g = read_gate(c, ev, 8, NULL);
    uint16_t sel = (uint16_t)(g >> 16);
    uint32_t target = (uint32_t)((g & 0xffff) | ((g >> 32) & 0xffff0000ull));
    unsigned new_cpl;
    uint64_t desc = gate_code_desc(c, sel, ev, &new_cpl, false);
    uint32_t frame[7];
    unsigned n = 0;
    if (ev->has_err)
        frame[n++] = ev->err;
    frame[n++] = (uint32_t)ev->ret_rip;
    frame[n++] = c->seg[S_CS].sel;
    frame[n++] = (uint32_t)pushed_flags(c, ev);
    struct seg newss = c->seg[S_SS];
    uint32_t esp = (uint32_t)c->r[R_SP];
    if (new_cpl < c->cpl) {
        frame[n++] = (uint32_t)c->r[R_SP];
        frame[n++] = c->seg[S_SS].sel;
        esp = (uint32_t)tss_read(c, 4 + new_cpl * 8, 4, ev->ext);
        uint16_t ssel = (uint16_t)tss_read(c, 8 + new_cpl * 8, 2, ev->ext);
        uint64_t sd;
        if ((ssel & 0xfffc) == 0 || seg_read_desc(c, ssel, &sd) < 0)
            cpu_fault(c, EXC_TS, (ssel & 0xfffc) | ev->ext);
        seg_from_desc(&newss, ssel, sd);
    }
    esp -= n * 4;
    uint64_t lin = (uint32_t)(newss.base + esp);
    push_frame(c, lin, frame, n * 4, 4, new_cpl);
    c->seg[S_SS] = newss;
    reg_write(c, R_SP, esp, (newss.attr & SA_DB) ? 4 : 2);
    enter_handler(c, sel, desc, new_cpl, g, target);
}

static void deliver_real(struct cpu *c, const struct event *ev)
{
    if ((uint32_t)ev->vec * 4 + 3 > c->idtr.limit)
        cpu_fault(c, EXC_GP, 0);
    uint32_t ivt = (uint32_t)mem_read_sys(c, c->idtr.base + ev->vec * 4, 4);
    cpu_push(c, flags_get(c) & 0xffff, 2);
    cpu_push(c, c->seg[S_CS].sel, 2);
    cpu_push(c, ev->ret_rip & 0xffff, 2);
    seg_load_real(c, S_CS, (uint16_t)(ivt >> 16));
    c->rflags &= ~(uint64_t)(F_IF | F_TF | F_AC | F_RF);
    c->rip = ivt & 0xffff;
}

static void deliver(struct cpu *c, const struct event *ev)
{
    c->stats.exceptions++;
    c->interrupt_shadow = 0;
    if (!(c->cr0 & CR0_PE))
        deliver_real(c, ev);
    else if (c->efer & EFER_LMA)
        deliver_long(c, ev);
    else
        deliver_prot32(c, ev);
    c->pending_vector = -1;
    cpu_update_mode(c);
}

void exc_deliver_external(struct cpu *c, int vector)
{
    struct event ev = {.vec = vector, .soft = false, .has_err = false, .err = 0, .ext = 1, .ret_rip = c->rip};
    c->pending_vector = vector; /* an interrupt is benign: a fault while delivering it stays a first fault */
    deliver(c, &ev);
}

void exc_deliver_pending(struct cpu *c)
{
    struct event ev = {
        .vec = c->fault_vector,
        .soft = c->fault_soft == SOFT_INT,
        .has_err = c->fault_has_error && (c->cr0 & CR0_PE),
        .err = c->fault_error,
        .ext = c->fault_soft ? 0 : 1,
        .ret_rip = c->fault_soft ? c->fault_next_rip : c->rip,
    };
    c->pending_vector = c->fault_soft ? PENDING_SOFT : ev.vec;
    deliver(c, &ev);
}

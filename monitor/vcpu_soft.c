/* vcpu_soft.c: the soft backend: the same vCPU interface on our software x86-64 CPU (softcpu/). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bvm_abi.h"
#include "vcpu.h"

/* The kernel writes the checker's bounds table in the soft CPU's format. */
_Static_assert(BVM_BOUNDS(5, 4096) == (SCPU_BOUNDS_VALID | 5u | 4096u << 13), "bounds entry format");
_Static_assert(BVM_CHECK_BOUNDS_VA + ((BVM_CHECK_ALIAS_END - BVM_CHECK_ALIAS_BASE) >> 12) * 4 <= BVM_CHECK_META_END,
               "the bounds table fits in the metadata range");

struct vcpu_soft {
    struct vcpu v;
    struct scpu *cpu;
    struct guestmem *gm;
};

/* Monitor writes into guest RAM drop any code the soft CPU decoded from there. */
static void soft_on_remap(void *ctx, gpa_t gpa, uint64_t len)
{
    scpu_pages_changed(((struct vcpu_soft *)ctx)->cpu, gpa, len);
}

static void soft_on_write(void *ctx, gpa_t gpa, uint64_t len)
{
    scpu_invalidate(((struct vcpu_soft *)ctx)->cpu, gpa, len);
}

/* buffervm check: byte-precise bounds on the heap checker's alias pages. The boot flags are in the
 * bootinfo page, which boot_prepare has written by the time the state is set. */
static int soft_set_bounds(struct vcpu_soft *s)
{
    struct bvm_bootinfo bi;
    if (gm_read(s->gm, BVM_BOOTINFO_GPA, &bi, sizeof bi) < 0 || !(bi.flags & BVM_BOOT_CHECK))
        return 0;
    return scpu_set_bounds(s->cpu, BVM_CHECK_ALIAS_BASE, BVM_CHECK_ALIAS_END, BVM_CHECK_BOUNDS_VA,
                           SCPU_BOUNDS_VEC_WINDOW);
}

static int soft_set_state(struct vcpu *v, const struct vcpu_boot_state *st)
{
    struct vcpu_soft *s = (struct vcpu_soft *)v;
    int err = scpu_set_sregs(s->cpu, &st->sregs);
    if (!err)
        err = soft_set_bounds(s);
    if (err)
        return err;
    scpu_set_regs(s->cpu, &st->regs);
    struct scpu_fpu f;
    memset(&f, 0, sizeof f);
    f.fxsave[0] = 0x7f, f.fxsave[1] = 0x03; /* FCW 0x37F as after FNINIT, as KVM gives */
    f.fxsave[24] = 0x80, f.fxsave[25] = 0x1f; /* MXCSR 0x1F80 */
    f.fxsave[28] = 0xff, f.fxsave[29] = 0xff; /* MXCSR_MASK */
    scpu_set_fpu(s->cpu, &f);
    return 0;
}

static void soft_internal(struct vcpu_exit *e, const struct scpu_exit *x)
{
    int n = snprintf(e->why, sizeof e->why, "soft CPU: %s at rip 0x%llx, bytes", x->u.internal.why,
                     (unsigned long long)x->u.internal.rip);
    for (int i = 0; i < x->u.internal.nbytes && n < (int)sizeof e->why - 4; i++)
        n += snprintf(e->why + n, sizeof e->why - n, " %02x", x->u.internal.bytes[i]);
    e->rip = x->u.internal.rip;
}

static int soft_run(struct vcpu *v, struct vcpu_exit *e)
{
    struct vcpu_soft *s = (struct vcpu_soft *)v;
    struct scpu_exit x;
    memset(&x, 0, sizeof x);
    if (e->reason == VCPU_EXIT_IO && !e->io.is_out) { /* complete the IN the CPU waits for */
        x.reason = SCPU_EXIT_IO;
        x.u.io.direction = SCPU_IO_IN;
        memcpy(x.u.io.data, &e->io.value, 4);
    }
    memset(e, 0, sizeof *e);
    int err = scpu_run(s->cpu, &x);
    if (err)
        return err;
    switch (x.reason) {
    case SCPU_EXIT_IO:
        e->reason = VCPU_EXIT_IO;
        e->io.is_out = x.u.io.direction == SCPU_IO_OUT;
        e->io.port = x.u.io.port;
        e->io.size = x.u.io.size;
        if (e->io.is_out)
            memcpy(&e->io.value, x.u.io.data, x.u.io.size <= 4 ? x.u.io.size : 4);
        break;
    case SCPU_EXIT_HLT: e->reason = VCPU_EXIT_HLT; break;
    case SCPU_EXIT_SHUTDOWN: e->reason = VCPU_EXIT_SHUTDOWN; break;
    case SCPU_EXIT_INTR: e->reason = VCPU_EXIT_INTR; break;
    case SCPU_EXIT_MMIO:
        e->reason = VCPU_EXIT_FAIL;
        snprintf(e->why, sizeof e->why, "guest accessed physical address 0x%llx outside RAM",
                 (unsigned long long)x.u.mmio.gpa);
        break;
    case SCPU_EXIT_INTERNAL_ERROR:
        e->reason = VCPU_EXIT_FAIL;
        soft_internal(e, &x);
        break;
    default:
        e->reason = VCPU_EXIT_FAIL;
        snprintf(e->why, sizeof e->why, "soft CPU: unexpected exit %u", x.reason);
    }
    return 0;
}

static void soft_request_stop(struct vcpu *v) { scpu_request_stop(((struct vcpu_soft *)v)->cpu); }

static void soft_interrupt(struct vcpu *v, uint8_t vector) { scpu_interrupt(((struct vcpu_soft *)v)->cpu, vector); }

/* The soft CPU is plain memory of the monitor: a forked child has it as it was. */
static int soft_fork_nothing(struct vcpu *v, char *why, size_t n)
{
    (void)v, (void)why, (void)n;
    return 0;
}

static void soft_stats(struct vcpu *v, struct vcpu_stats *s)
{
    struct scpu_stats st;
    scpu_get_stats(((struct vcpu_soft *)v)->cpu, &st);
    *s = (struct vcpu_stats){.exits = v->exits, .insns = st.insns_executed, .tlb_misses = st.tlb_misses,
                             .dispatches = st.dispatches, .mem_accesses = st.mem_accesses,
                             .insns_jit = st.insns_jit, .insns_decoded = st.insns_decoded,
                             .blocks_built = st.blocks_built};
}

static void soft_destroy(struct vcpu *v)
{
    struct vcpu_soft *s = (struct vcpu_soft *)v;
    s->gm->on_write = NULL;
    s->gm->on_remap = NULL;
    scpu_destroy(s->cpu);
    free(s);
}

static const struct vcpu_ops soft_ops = {
    .name = "soft",
    .set_state = soft_set_state,
    .run = soft_run,
    .request_stop = soft_request_stop,
    .interrupt = soft_interrupt,
    .fork_prepare = soft_fork_nothing,
    .fork_child = soft_fork_nothing,
    .stats = soft_stats,
    .destroy = soft_destroy,
};

struct vcpu *vcpu_soft_create(struct guestmem *gm, const struct cpuid_table *cpuid, char *why, size_t n)
{
    struct vcpu_soft *s = calloc(1, sizeof *s);
    if (!s || !(s->cpu = scpu_create())) {
        free(s);
        snprintf(why, n, "soft CPU: out of memory");
        return NULL;
    }
    s->v.ops = &soft_ops;
    s->gm = gm;
    for (int i = 0; i < gm->nr; i++) {
        int err = scpu_set_memory_region(s->cpu, (uint32_t)i, gm->r[i].gpa, gm->r[i].size, gm->r[i].host);
        if (!err)
            err = scpu_set_region_pages(s->cpu, (uint32_t)i, gm->r[i].backed, gm->r[i].writable);
        if (err) {
            snprintf(why, n, "soft CPU: memory region %d: %s", i, strerror(-err));
            soft_destroy(&s->v);
            return NULL;
        }
    }
    scpu_set_cpuid(s->cpu, cpuid->e, cpuid->n);
    gm->on_write = soft_on_write;
    gm->on_remap = soft_on_remap;
    gm->on_write_ctx = s;
    return &s->v;
}

/* string.c: MOVS STOS LODS SCAS CMPS with REP/REPE/REPNE; progress lives in rCX/rSI/rDI. */
#include "intops.h"

/* A REP instruction does at most this much work per execution, then leaves RIP at itself
 * so the engine can notice stop requests; the next execution resumes from the registers. */
#define REP_BYTES_MAX (256u * 1024)
#define REP_ELEMS_MAX 16384u

static inline int64_t str_delta(struct cpu *c, unsigned sz)
{
    return (c->rflags & F_DF) ? -(int64_t)sz : (int64_t)sz;
}
static inline void str_adv(struct cpu *c, unsigned r, int64_t d, unsigned asz)
{
    areg_write(c, r, c->r[r] + (uint64_t)d, asz);
}
static inline uint64_t src_lin(struct cpu *c, const struct insn *i, unsigned sz)
{
    return seg_linear(c, i->seg, areg_read(c, R_SI, i->asz), sz);
}
static inline uint64_t dst_lin(struct cpu *c, const struct insn *i, unsigned sz)
{
    return seg_linear(c, S_ES, areg_read(c, R_DI, i->asz), sz);
}
static inline int is_rep(const struct insn *i) { return (i->pfx & (P_REP | P_REPNE)) != 0; }

/* How many whole elements from offset `off` stay inside one page and do not wrap the
 * address size, going in the direction of DF; at most `count`. 0: take the slow path. */
static unsigned run_elems(struct cpu *c, uint64_t lin, uint64_t off, unsigned sz, unsigned asz,
                          uint64_t count)
{
    uint64_t n;
    if (c->rflags & F_DF) {
        if ((lin & 4095) + sz > 4096)
            return 0;
        n = (lin & 4095) / sz + 1;
        if (off / sz + 1 < n)
            n = off / sz + 1;
    } else {
        n = (4096 - (lin & 4095)) / sz;
        if (size_mask(asz) - off < sz - 1)
            return 0; /* the element wraps the address size */
        uint64_t room = (size_mask(asz) - off - (sz - 1)) / sz + 1;
        if (room < n)
            n = room;
    }
    return (unsigned)(n < count ? n : count);
}

/* Host pointer to the lowest byte of a run of k elements at lin (moving by DF), or NULL: the
 * caller goes element by element (also where byte bounds do not hold the whole run). */
static uint8_t *run_ptr(struct cpu *c, uint64_t lin, unsigned k, unsigned sz, int acc)
{
    uint64_t lo = (c->rflags & F_DF) ? lin - (uint64_t)(k - 1) * sz : lin, n;
    if (lo != lin && !mem_run(c, lin, sz, acc, &n)) /* a fault names the element at rSI/rDI */
        return NULL;
    uint8_t *p = mem_run(c, lo, (uint64_t)k * sz, acc, &n);
    return p && n >= (uint64_t)k * sz ? p : NULL;
}

/* Copy k elements with the architectural element-by-element order, which differs from
 * memmove only when the destination trails into the source in the direction of travel. */
static void copy_run(uint8_t *d, const uint8_t *s, unsigned k, unsigned sz, int down)
{
    size_t len = (size_t)k * sz;
    int overlap = down ? (d < s && d + len > s) : (d > s && d < s + len);
    if (!overlap) {
        memmove(d, s, len);
        return;
    }
    for (unsigned j = 0; j < k; j++) {
        size_t o = down ? (size_t)(k - 1 - j) * sz : (size_t)j * sz;
        uint8_t t[8];
        memcpy(t, s + o, sz);
        memcpy(d + o, t, sz);
    }
}

/* (Each element's store has a constant size: a memcpy of a variable one became a REP MOVS per
 * element, and REP STOSQ, which compilers use to zero structures, ran at a few bytes a cycle.) */
static void fill_run(uint8_t *d, uint64_t v, unsigned k, unsigned sz)
{
    if (sz == 1 || v == 0) {
        memset(d, (int)(uint8_t)v, (size_t)k * sz);
        return;
    }
    for (unsigned j = 0; j < k; j++) {
        uint8_t *p = d + (size_t)j * sz;
        if (sz == 8)
            memcpy(p, &v, 8);
        else if (sz == 4)
            memcpy(p, &v, 4);
        else
            memcpy(p, &v, 2);
    }
}

static void movs_one(struct cpu *c, const struct insn *i, unsigned sz)
{
    uint64_t v = mem_readn(c, src_lin(c, i, sz), sz);
    mem_writen(c, dst_lin(c, i, sz), v, sz);
    int64_t d = str_delta(c, sz);
    str_adv(c, R_SI, d, i->asz);
    str_adv(c, R_DI, d, i->asz);
}

static void stos_one(struct cpu *c, const struct insn *i, unsigned sz)
{
    mem_writen(c, dst_lin(c, i, sz), c->r[R_AX], sz);
    str_adv(c, R_DI, str_delta(c, sz), i->asz);
}

/* REP MOVS: whole page runs at a time; registers are committed after every run, so a fault
 * on a later page resumes correctly. */
static void rep_movs(struct cpu *c, const struct insn *i, unsigned sz)
{
    unsigned asz = i->asz, budget = REP_BYTES_MAX;
    int down = (c->rflags & F_DF) != 0;
    uint64_t cnt;
    while ((cnt = areg_read(c, R_CX, asz)) != 0) {
        if (budget < sz) {
            cpu_end_block(c, i->rip);
            return;
        }
        /* the source first: when both fault, the read's fault is the one raised */
        uint64_t sl = src_lin(c, i, sz);
        uint64_t lim = budget / sz < cnt ? budget / sz : cnt;
        unsigned k = run_elems(c, sl, areg_read(c, R_SI, asz), sz, asz, lim);
        uint8_t *ps = k ? run_ptr(c, sl, k, sz, ACC_R) : NULL, *pd = NULL;
        if (ps) {
            uint64_t dl = dst_lin(c, i, sz);
            unsigned kd = run_elems(c, dl, areg_read(c, R_DI, asz), sz, asz, k);
            if (kd && kd < k) /* a shorter run: its lowest byte moved (DF=1) */
                ps = run_ptr(c, sl, kd, sz, ACC_R);
            k = kd;
            pd = k && ps ? run_ptr(c, dl, k, sz, ACC_W) : NULL;
        }
        if (!pd) {
            movs_one(c, i, sz);
            k = 1;
        } else {
            copy_run(pd, ps, k, sz, down);
            int64_t d = str_delta(c, sz) * (int64_t)k;
            str_adv(c, R_SI, d, asz);
            str_adv(c, R_DI, d, asz);
        }
        areg_write(c, R_CX, cnt - k, asz);
        budget -= k * sz;
    }
}

static void rep_stos(struct cpu *c, const struct insn *i, unsigned sz)
{
    unsigned asz = i->asz, budget = REP_BYTES_MAX;
    uint64_t cnt;
    while ((cnt = areg_read(c, R_CX, asz)) != 0) {
        if (budget < sz) {
            cpu_end_block(c, i->rip);
            return;
        }
        uint64_t dl = dst_lin(c, i, sz);
        uint64_t lim = budget / sz < cnt ? budget / sz : cnt;
        unsigned k = run_elems(c, dl, areg_read(c, R_DI, asz), sz, asz, lim);
        uint8_t *pd = k ? run_ptr(c, dl, k, sz, ACC_W) : NULL;
        if (!pd) {
            stos_one(c, i, sz);
            k = 1;
        } else {
            fill_run(pd, c->r[R_AX], k, sz);
            str_adv(c, R_DI, str_delta(c, sz) * (int64_t)k, asz);
        }
        areg_write(c, R_CX, cnt - k, asz);
        budget -= k * sz;
    }
}

static inline void movs(struct cpu *c, const struct insn *i, unsigned sz)
{
    if (is_rep(i))
        rep_movs(c, i, sz);
    else
        movs_one(c, i, sz);
}
static inline void stos(struct cpu *c, const struct insn *i, unsigned sz)
{
    if (is_rep(i))
        rep_stos(c, i, sz);
    else
        stos_one(c, i, sz);
}
OP_HANDLER(op_movs_Yb_Xb) { movs(c, i, 1); }
OP_HANDLER(op_movs_Yv_Xv) { movs(c, i, i->osz); }
OP_HANDLER(op_stos_Yb_AL) { stos(c, i, 1); }
OP_HANDLER(op_stos_Yv_rAX) { stos(c, i, i->osz); }

/* Element-at-a-time loop for LODS, SCAS and CMPS. `step` does one element and returns
 * nonzero when a REPE/REPNE condition ends the repetition. */
typedef int (*str_step)(struct cpu *c, const struct insn *i, unsigned sz);

static void rep_loop(struct cpu *c, const struct insn *i, unsigned sz, str_step step)
{
    unsigned asz = i->asz;
    if (!is_rep(i)) {
        step(c, i, sz);
        return;
    }
    for (unsigned n = 0;; n++) {
        uint64_t cnt = areg_read(c, R_CX, asz);
        if (cnt == 0)
            return;
        if (n == REP_ELEMS_MAX) {
            cpu_end_block(c, i->rip);
            return;
        }
        int stop = step(c, i, sz);
        areg_write(c, R_CX, cnt - 1, asz);
        if (stop)
            return;
    }
}

/* REPE (F3) stops when ZF = 0, REPNE (F2) when ZF = 1. */
static inline int rep_cond_stop(const struct insn *i, int equal)
{
    if (i->pfx & P_REPNE)
        return equal;
    return !equal;
}

static int lods_step(struct cpu *c, const struct insn *i, unsigned sz)
{
    uint64_t v = mem_readn(c, src_lin(c, i, sz), sz);
    reg_write(c, R_AX, v, sz);
    str_adv(c, R_SI, str_delta(c, sz), i->asz);
    return 0;
}
static int scas_step(struct cpu *c, const struct insn *i, unsigned sz)
{
    uint64_t m = mem_readn(c, dst_lin(c, i, sz), sz), a = reg_read(c, R_AX, sz);
    str_adv(c, R_DI, str_delta(c, sz), i->asz);
    lf_set(c, LF_SUB, sz, (a - m) & size_mask(sz), a, m);
    return rep_cond_stop(i, a == m);
}
static int cmps_step(struct cpu *c, const struct insn *i, unsigned sz)
{
    /* ES:[rDI] first: when both operands fault, the host CPU (AMD, the CPUID's vendor)
     * reports the destination's for a lone CMPS (a repeated one varies with the addresses) */
    uint64_t d = mem_readn(c, dst_lin(c, i, sz), sz);
    uint64_t s = mem_readn(c, src_lin(c, i, sz), sz);
    int64_t dl = str_delta(c, sz);
    str_adv(c, R_SI, dl, i->asz);
    str_adv(c, R_DI, dl, i->asz);
    lf_set(c, LF_SUB, sz, (s - d) & size_mask(sz), s, d);
    return rep_cond_stop(i, s == d);
}
OP_HANDLER(op_lods_AL_Xb) { rep_loop(c, i, 1, lods_step); }
OP_HANDLER(op_lods_rAX_Xv) { rep_loop(c, i, i->osz, lods_step); }
OP_HANDLER(op_scas_AL_Yb) { rep_loop(c, i, 1, scas_step); }
OP_HANDLER(op_scas_rAX_Yv) { rep_loop(c, i, i->osz, scas_step); }
OP_HANDLER(op_cmps_Xb_Yb) { rep_loop(c, i, 1, cmps_step); }
OP_HANDLER(op_cmps_Xv_Yv) { rep_loop(c, i, i->osz, cmps_step); }
